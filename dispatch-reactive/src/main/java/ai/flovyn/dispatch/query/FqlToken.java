package ai.flovyn.dispatch.query;

import java.util.Locale;

/**
 * One token of an FQL query.
 *
 * @param kind what it is
 * @param text its text (a string's content, unquoted)
 * @param position where it starts, 1-based, for messages
 */
record FqlToken(Kind kind, String text, int position) {
  enum Kind {
    /** A field, keyword, number, time, boolean or bare value. */
    WORD,
    /** A quoted string. */
    STRING,
    /** A comparison operator: = != &gt; &gt;= &lt; &lt;= ~ !~. */
    OP,
    LPAREN,
    RPAREN,
    COMMA,
    END
  }

  boolean isWord(String keyword) {
    return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
  }

  boolean is(Kind other) {
    return kind == other;
  }

  /** The token as a message quotes it: bounded, and "end of query" for the end. */
  String shown() {
    return switch (kind) {
      case END -> "end of query";
      case STRING -> "'\"" + Fql.shown(text) + "\"'";
      default -> "'" + Fql.shown(text) + "'";
    };
  }

  String upper() {
    return text.toUpperCase(Locale.ROOT);
  }
}
