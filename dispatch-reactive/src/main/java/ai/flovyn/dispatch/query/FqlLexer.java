package ai.flovyn.dispatch.query;

import java.util.ArrayList;
import java.util.List;

/** Splits an FQL query into tokens; a character it does not know is a {@code query:} error. */
final class FqlLexer {
  private FqlLexer() {}

  static List<FqlToken> tokens(String text) {
    List<FqlToken> tokens = new ArrayList<>();
    int i = 0;
    int length = text.length();
    while (i < length) {
      char c = text.charAt(i);
      int position = i + 1;
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(') {
        tokens.add(new FqlToken(FqlToken.Kind.LPAREN, "(", position));
        i++;
      } else if (c == ')') {
        tokens.add(new FqlToken(FqlToken.Kind.RPAREN, ")", position));
        i++;
      } else if (c == ',') {
        tokens.add(new FqlToken(FqlToken.Kind.COMMA, ",", position));
        i++;
      } else if (c == '"' || c == '\'') {
        i = string(text, i, tokens);
      } else if (c == '=' || c == '~') {
        tokens.add(new FqlToken(FqlToken.Kind.OP, String.valueOf(c), position));
        i++;
      } else if (c == '!' || c == '<' || c == '>') {
        i = comparison(text, i, tokens);
      } else if (isWordChar(c)) {
        int end = i;
        while (end < length && isWordChar(text.charAt(end))) {
          end++;
        }
        tokens.add(new FqlToken(FqlToken.Kind.WORD, text.substring(i, end), position));
        i = end;
      } else {
        throw Fql.error(
            "unexpected character '" + Fql.shown(String.valueOf(c)) + "' at position " + position);
      }
    }
    tokens.add(new FqlToken(FqlToken.Kind.END, "", length + 1));
    return tokens;
  }

  // letters and digits, and what times, relative times, numbers and metadata keys are made of
  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == ':' || c == '-' || c == '+';
  }

  private static int comparison(String text, int i, List<FqlToken> tokens) {
    char c = text.charAt(i);
    char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
    String op;
    if (c == '!' && (next == '=' || next == '~')) {
      op = "!" + next;
    } else if ((c == '<' || c == '>') && next == '=') {
      op = c + "=";
    } else if (c == '<' && next == '>') {
      op = "!=";
      tokens.add(new FqlToken(FqlToken.Kind.OP, op, i + 1));
      return i + 2;
    } else if (c == '!') {
      throw Fql.error("unexpected character '!' at position " + (i + 1));
    } else {
      op = String.valueOf(c);
    }
    tokens.add(new FqlToken(FqlToken.Kind.OP, op, i + 1));
    return i + op.length();
  }

  // a quoted string: a backslash escapes the next character (the quote, a backslash)
  private static int string(String text, int start, List<FqlToken> tokens) {
    char quote = text.charAt(start);
    StringBuilder value = new StringBuilder();
    int i = start + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        value.append(text.charAt(i + 1));
        i += 2;
      } else if (c == quote) {
        tokens.add(new FqlToken(FqlToken.Kind.STRING, value.toString(), start + 1));
        return i + 1;
      } else {
        value.append(c);
        i++;
      }
    }
    throw Fql.error("unterminated string at position " + (start + 1));
  }
}
