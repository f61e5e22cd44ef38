package ai.flovyn.dispatch.load;

import ai.flovyn.dispatch.load.Template.Action;
import ai.flovyn.dispatch.load.Template.Literal;
import ai.flovyn.dispatch.load.Template.Segment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Compiles the subset of Go text/template that ghz request data uses into a {@link Template}.
 *
 * <p>Fields: {@code .RequestNumber .WorkerID .UUID .Timestamp .TimestampUnix .TimestampUnixMilli
 * .TimestampUnixNano .FullyQualifiedName .ServiceName .MethodName .InputName .OutputName
 * .IsClientStreaming .IsServerStreaming}. Functions: {@code newUUID} (a fresh UUID per occurrence;
 * sprig's {@code uuidv4} too), {@code randomString N}, {@code randomInt MIN MAX} (MIN ≤ n < MAX),
 * {@code env "NAME"}. Trim markers and comments are understood; anything else (pipes, conditionals,
 * variables, unknown names) fails at compile time, naming the action.
 */
final class TemplateCompiler {
  private static final String CHARSET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  private static final Map<String, Action> FIELDS = new LinkedHashMap<>();

  static {
    FIELDS.put("RequestNumber", d -> Long.toString(d.requestNumber()));
    FIELDS.put("WorkerID", CallData::workerId);
    FIELDS.put("UUID", CallData::uuid);
    FIELDS.put("Timestamp", CallData::timestampRfc3339);
    FIELDS.put("TimestampUnix", d -> Long.toString(d.now().getEpochSecond()));
    FIELDS.put("TimestampUnixMilli", d -> Long.toString(d.now().toEpochMilli()));
    FIELDS.put("TimestampUnixNano", d -> Long.toString(d.timestampUnixNano()));
    FIELDS.put("FullyQualifiedName", d -> d.info().fullyQualifiedName());
    FIELDS.put("ServiceName", d -> d.info().serviceName());
    FIELDS.put("MethodName", d -> d.info().methodName());
    FIELDS.put("InputName", d -> d.info().inputName());
    FIELDS.put("OutputName", d -> d.info().outputName());
    FIELDS.put("IsClientStreaming", d -> Boolean.toString(d.info().clientStreaming()));
    FIELDS.put("IsServerStreaming", d -> Boolean.toString(d.info().serverStreaming()));
  }

  private static final String SUPPORTED =
      "supported: newUUID, uuidv4, randomString N, randomInt MIN MAX, env \"NAME\", ."
          + String.join(", .", FIELDS.keySet());

  private final Function<String, String> environment;

  TemplateCompiler(Function<String, String> environment) {
    this.environment = environment;
  }

  static TemplateCompiler withSystemEnvironment() {
    return new TemplateCompiler(System::getenv);
  }

  /**
   * Compiles {@code text}; {@code where} names its place in the config for error messages.
   *
   * @throws LoadConfigException naming the action that is unknown or malformed
   */
  Template compile(String text, String where) throws LoadConfigException {
    List<Segment> segments = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (true) {
      int open = text.indexOf("{{", i);
      if (open < 0) {
        literal.append(text, i, text.length());
        break;
      }
      literal.append(text, i, open);
      int close = findClose(text, open + 2);
      if (close < 0) {
        throw new LoadConfigException(
            "unclosed template action " + text.substring(open) + " in " + where);
      }
      String source = text.substring(open, close + 2);
      String inner = text.substring(open + 2, close);
      i = close + 2;
      if (inner.length() > 1 && inner.charAt(0) == '-' && isSpace(inner.charAt(1))) {
        inner = inner.substring(1);
        trimTrailingSpace(literal);
      }
      if (inner.length() > 1
          && inner.charAt(inner.length() - 1) == '-'
          && isSpace(inner.charAt(inner.length() - 2))) {
        inner = inner.substring(0, inner.length() - 1);
        while (i < text.length() && isSpace(text.charAt(i))) {
          i++;
        }
      }
      Segment segment = action(inner.strip(), source, where);
      if (segment instanceof Literal constant) {
        literal.append(constant.text());
      } else if (segment != null) {
        flush(literal, segments);
        segments.add(segment);
      }
    }
    flush(literal, segments);
    return new Template(List.copyOf(segments));
  }

  /** Returns the action's segment, a literal for a constant one, or null for a comment. */
  private Segment action(String inner, String source, String where) throws LoadConfigException {
    if (inner.startsWith("/*") && inner.endsWith("*/")) {
      return null;
    }
    List<Token> tokens = tokenize(inner, source, where);
    if (tokens.isEmpty()) {
      throw unknown(source, where, "empty action");
    }
    Token head = tokens.get(0);
    List<Token> args = tokens.subList(1, tokens.size());
    if (head.kind() == Kind.FIELD) {
      Action field = FIELDS.get(head.text());
      if (field == null) {
        throw unknown(source, where, "field ." + head.text() + " not defined");
      }
      requireArgs(args, 0, source, where);
      return field;
    }
    if (head.kind() != Kind.IDENTIFIER) {
      throw unknown(source, where, "only a field or a function call is supported");
    }
    switch (head.text()) {
      case "newUUID", "uuidv4" -> {
        requireArgs(args, 0, source, where);
        return (Action) d -> CallData.randomUuid().toString();
      }
      case "randomString" -> {
        requireArgs(args, 1, source, where);
        long length = number(args.get(0), source, where);
        if (length > 1_000_000) {
          throw unknown(source, where, "length " + length + " is too large");
        }
        return (Action) d -> randomString((int) length);
      }
      case "randomInt" -> {
        requireArgs(args, 2, source, where);
        long min = number(args.get(0), source, where);
        long max = number(args.get(1), source, where);
        if (max <= min) {
          throw unknown(source, where, "MAX must be greater than MIN");
        }
        return (Action) d -> Long.toString(ThreadLocalRandom.current().nextLong(min, max));
      }
      case "env" -> {
        requireArgs(args, 1, source, where);
        if (args.get(0).kind() != Kind.STRING) {
          throw unknown(source, where, "env takes a quoted variable name");
        }
        String value = environment.apply(args.get(0).text());
        return new Literal(value == null ? "" : value);
      }
      default -> throw unknown(source, where, "function \"" + head.text() + "\" not defined");
    }
  }

  private static String randomString(int requested) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    // as ghz: a non-positive length picks one between 2 and 16
    int length = requested > 0 ? requested : random.nextInt(2, 17);
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = CHARSET.charAt(random.nextInt(CHARSET.length()));
    }
    return new String(chars);
  }

  private enum Kind {
    FIELD,
    IDENTIFIER,
    STRING,
    NUMBER
  }

  private record Token(Kind kind, String text) {}

  private static List<Token> tokenize(String inner, String source, String where)
      throws LoadConfigException {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < inner.length()) {
      char c = inner.charAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      int start = i;
      if (c == '"') {
        StringBuilder value = new StringBuilder();
        i++;
        while (i < inner.length() && inner.charAt(i) != '"') {
          char ch = inner.charAt(i);
          if (ch == '\\' && i + 1 < inner.length()) {
            char escaped = inner.charAt(++i);
            value.append(
                switch (escaped) {
                  case 'n' -> '\n';
                  case 't' -> '\t';
                  case 'r' -> '\r';
                  default -> escaped;
                });
          } else {
            value.append(ch);
          }
          i++;
        }
        if (i >= inner.length()) {
          throw unknown(source, where, "unterminated string");
        }
        i++;
        tokens.add(new Token(Kind.STRING, value.toString()));
      } else if (c == '`') {
        int end = inner.indexOf('`', i + 1);
        if (end < 0) {
          throw unknown(source, where, "unterminated raw string");
        }
        tokens.add(new Token(Kind.STRING, inner.substring(i + 1, end)));
        i = end + 1;
      } else if (c == '.' && i + 1 < inner.length() && isIdentifierStart(inner.charAt(i + 1))) {
        i = identifierEnd(inner, i + 1);
        tokens.add(new Token(Kind.FIELD, inner.substring(start + 1, i)));
      } else if (Character.isDigit(c)
          || (c == '-' && i + 1 < inner.length() && Character.isDigit(inner.charAt(i + 1)))) {
        i++;
        while (i < inner.length() && Character.isDigit(inner.charAt(i))) {
          i++;
        }
        tokens.add(new Token(Kind.NUMBER, inner.substring(start, i)));
      } else if (isIdentifierStart(c)) {
        i = identifierEnd(inner, i);
        tokens.add(new Token(Kind.IDENTIFIER, inner.substring(start, i)));
      } else {
        throw unknown(source, where, "unsupported syntax at '" + inner.substring(i).strip() + "'");
      }
      if (i < inner.length() && !isSpace(inner.charAt(i))) {
        throw unknown(
            source, where, "unsupported syntax at '" + inner.substring(start).strip() + "'");
      }
    }
    return tokens;
  }

  private static long number(Token token, String source, String where) throws LoadConfigException {
    if (token.kind() != Kind.NUMBER) {
      throw unknown(source, where, "expected an integer, got " + token.text());
    }
    try {
      return Long.parseLong(token.text());
    } catch (NumberFormatException e) {
      throw unknown(source, where, "integer out of range: " + token.text());
    }
  }

  private static void requireArgs(List<Token> args, int count, String source, String where)
      throws LoadConfigException {
    if (args.size() != count) {
      throw unknown(
          source, where, "wrong number of arguments: want " + count + ", got " + args.size());
    }
  }

  private static LoadConfigException unknown(String source, String where, String reason) {
    return new LoadConfigException(
        "unknown template action "
            + source
            + " in "
            + where
            + ": "
            + reason
            + " ("
            + SUPPORTED
            + ")");
  }

  /** Index of the {@code }}} closing an action that starts at {@code from}, skipping strings. */
  private static int findClose(String text, int from) {
    char quote = 0;
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == '\\' && quote == '"') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '`') {
        quote = c;
      } else if (c == '}' && i + 1 < text.length() && text.charAt(i + 1) == '}') {
        return i;
      }
    }
    return -1;
  }

  private static void flush(StringBuilder literal, List<Segment> segments) {
    if (literal.length() > 0) {
      segments.add(new Literal(literal.toString()));
      literal.setLength(0);
    }
  }

  private static void trimTrailingSpace(StringBuilder literal) {
    int end = literal.length();
    while (end > 0 && isSpace(literal.charAt(end - 1))) {
      end--;
    }
    literal.setLength(end);
  }

  private static int identifierEnd(String text, int from) {
    int i = from;
    while (i < text.length()
        && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
      i++;
    }
    return i;
  }

  private static boolean isIdentifierStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }
}
