package ai.flovyn.dispatch.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Recursive descent over FQL's grammar, precedence NOT &gt; AND &gt; OR:
 *
 * <pre>
 * query      := [or] [ORDER BY field [ASC|DESC]] end
 * or         := and (OR and)*
 * and        := not (AND not)*
 * not        := NOT not | '(' or ')' | comparison
 * comparison := field (op value | [NOT] IN '(' value (',' value)* ')' | IS [NOT] NULL)
 * </pre>
 *
 * Each value is read by its field's type (a status must be one, a time a time) when parsed.
 */
final class FqlParser {
  private final List<FqlToken> tokens;
  private final FqlEntity entity;
  private final Instant now;
  private int at;
  private int expressions;

  FqlParser(List<FqlToken> tokens, FqlEntity entity, Instant now) {
    this.tokens = tokens;
    this.entity = entity;
    this.now = now;
  }

  FqlQuery query() {
    FqlNode condition = null;
    if (!peek().isWord("ORDER") && !peek().is(FqlToken.Kind.END)) {
      condition = or(0);
    }
    FqlField order = null;
    boolean descending = false;
    if (peek().isWord("ORDER")) {
      next();
      expectWord("BY");
      FqlToken name = next();
      order = field(name);
      if (order.metadataKey() != null) {
        throw Fql.error("cannot ORDER BY " + name.shown() + " at position " + name.position());
      }
      if (peek().isWord("DESC")) {
        next();
        descending = true;
      } else if (peek().isWord("ASC")) {
        next();
      }
    }
    FqlToken end = next();
    if (!end.is(FqlToken.Kind.END)) {
      throw unexpected(end);
    }
    return new FqlQuery(condition, order, descending);
  }

  private FqlNode or(int depth) {
    List<FqlNode> operands = new ArrayList<>();
    operands.add(and(depth));
    while (peek().isWord("OR")) {
      next();
      operands.add(and(depth));
    }
    return operands.size() == 1 ? operands.get(0) : new FqlNode.Or(operands);
  }

  private FqlNode and(int depth) {
    List<FqlNode> operands = new ArrayList<>();
    operands.add(not(depth));
    while (peek().isWord("AND")) {
      next();
      operands.add(not(depth));
    }
    return operands.size() == 1 ? operands.get(0) : new FqlNode.And(operands);
  }

  private FqlNode not(int depth) {
    FqlToken token = peek();
    if (depth > Fql.MAX_DEPTH) {
      throw Fql.error(
          "nested more than " + Fql.MAX_DEPTH + " levels deep at position " + token.position());
    }
    if (token.isWord("NOT")) {
      next();
      return new FqlNode.Not(not(depth + 1));
    }
    if (token.is(FqlToken.Kind.LPAREN)) {
      next();
      FqlNode inner = or(depth + 1);
      FqlToken close = next();
      if (!close.is(FqlToken.Kind.RPAREN)) {
        throw Fql.error("expected ')' at position " + close.position() + ", got " + close.shown());
      }
      return inner;
    }
    return comparison();
  }

  private FqlNode comparison() {
    FqlToken name = next();
    FqlField field = field(name);
    if (++expressions > Fql.MAX_EXPRESSIONS) {
      throw Fql.error(
          "more than "
              + Fql.MAX_EXPRESSIONS
              + " expressions (at position "
              + name.position()
              + ")");
    }
    FqlToken op = next();
    if (op.isWord("IS")) {
      boolean negated = peek().isWord("NOT");
      if (negated) {
        next();
      }
      expectWord("NULL");
      return new FqlNode.Compare(field, negated ? "IS_NOT_NULL" : "IS_NULL", List.of());
    }
    if (op.isWord("NOT")) {
      expectWord("IN");
      return new FqlNode.Compare(field, "NOT_IN", list(field, op));
    }
    if (op.isWord("IN")) {
      return new FqlNode.Compare(field, "IN", list(field, op));
    }
    if (!op.is(FqlToken.Kind.OP)) {
      throw Fql.error(
          "expected an operator after "
              + name.shown()
              + " at position "
              + op.position()
              + ", got "
              + op.shown());
    }
    allowed(field, op);
    FqlToken value = next();
    Object typed = op.text().endsWith("~") ? text(value) : value(field, value);
    return new FqlNode.Compare(field, op.text(), List.of(typed));
  }

  // which operators make sense for which type: a status or an id is matched, never ranged
  private static void allowed(FqlField field, FqlToken op) {
    boolean contains = op.text().endsWith("~");
    boolean range = op.text().startsWith("<") || op.text().startsWith(">");
    FqlField.Type type = field.type();
    boolean ok =
        switch (type) {
          case TEXT -> true;
          case UUID -> !range;
          case STATUS -> !range && !contains;
          case INTEGER, TIME -> !contains;
        };
    if (!ok) {
      throw Fql.error(
          "operator "
              + op.shown()
              + " does not apply to "
              + field.name()
              + " at position "
              + op.position());
    }
  }

  private List<Object> list(FqlField field, FqlToken in) {
    FqlToken open = next();
    if (!open.is(FqlToken.Kind.LPAREN)) {
      throw Fql.error("expected '(' at position " + open.position() + ", got " + open.shown());
    }
    List<Object> values = new ArrayList<>();
    while (true) {
      FqlToken value = next();
      values.add(value(field, value));
      if (values.size() > Fql.MAX_IN_VALUES) {
        throw Fql.error(
            "more than " + Fql.MAX_IN_VALUES + " values in the list at position " + in.position());
      }
      FqlToken separator = next();
      if (separator.is(FqlToken.Kind.RPAREN)) {
        return values;
      }
      if (!separator.is(FqlToken.Kind.COMMA)) {
        throw Fql.error(
            "expected ',' or ')' at position "
                + separator.position()
                + ", got "
                + separator.shown());
      }
    }
  }

  private FqlField field(FqlToken name) {
    if (!name.is(FqlToken.Kind.WORD)) {
      throw Fql.error("expected a field at position " + name.position() + ", got " + name.shown());
    }
    FqlField field = entity.field(name.text());
    if (field == null) {
      throw Fql.error(
          "unknown field "
              + name.shown()
              + " at position "
              + name.position()
              + " (fields: "
              + entity.fieldNames()
              + ")");
    }
    return field;
  }

  private Object value(FqlField field, FqlToken token) {
    String text = text(token);
    return switch (field.type()) {
      case TEXT -> text;
      case STATUS -> status(text, token);
      case UUID -> uuid(field, text, token);
      case INTEGER -> integer(field, text, token);
      case TIME -> time(field, text, token);
    };
  }

  // the text of a value: a string, or a bare word that is not a keyword
  private String text(FqlToken token) {
    boolean bare =
        token.is(FqlToken.Kind.WORD)
            && !token.isWord("AND")
            && !token.isWord("OR")
            && !token.isWord("NOT")
            && !token.isWord("ORDER");
    if (!token.is(FqlToken.Kind.STRING) && !bare) {
      throw Fql.error(
          "expected a value at position " + token.position() + ", got " + token.shown());
    }
    return token.text();
  }

  private String status(String text, FqlToken token) {
    String upper = text.toUpperCase(java.util.Locale.ROOT);
    if (!entity.statuses().contains(upper)) {
      throw Fql.error(
          "unknown status "
              + token.shown()
              + " at position "
              + token.position()
              + " (one of "
              + String.join(", ", entity.statuses())
              + ")");
    }
    return upper;
  }

  private static UUID uuid(FqlField field, String text, FqlToken token) {
    if (text.length() == 36) {
      try {
        return UUID.fromString(text);
      } catch (IllegalArgumentException e) {
        // reported below
      }
    }
    throw Fql.error(
        field.name()
            + " must be a UUID at position "
            + token.position()
            + ", got "
            + token.shown());
  }

  private static Long integer(FqlField field, String text, FqlToken token) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw Fql.error(
          field.name()
              + " must be a whole number at position "
              + token.position()
              + ", got "
              + token.shown());
    }
  }

  private Instant time(FqlField field, String text, FqlToken token) {
    if (token.is(FqlToken.Kind.WORD) && (token.isWord("NOW") || token.isWord("TODAY"))) {
      expect(FqlToken.Kind.LPAREN, "(");
      expect(FqlToken.Kind.RPAREN, ")");
      return token.isWord("NOW") ? now : FqlTimes.today(now);
    }
    Instant instant = FqlTimes.instant(text, now);
    if (instant == null) {
      throw Fql.error(
          field.name()
              + " must be a time (RFC 3339, NOW(), TODAY() or relative like -7d) at position "
              + token.position()
              + ", got "
              + token.shown());
    }
    return instant;
  }

  private void expect(FqlToken.Kind kind, String text) {
    FqlToken token = next();
    if (!token.is(kind)) {
      throw Fql.error(
          "expected '" + text + "' at position " + token.position() + ", got " + token.shown());
    }
  }

  private void expectWord(String keyword) {
    FqlToken token = next();
    if (!token.isWord(keyword)) {
      throw Fql.error(
          "expected " + keyword + " at position " + token.position() + ", got " + token.shown());
    }
  }

  private static RuntimeException unexpected(FqlToken token) {
    return Fql.error("unexpected " + token.shown() + " at position " + token.position());
  }

  private FqlToken peek() {
    return tokens.get(at);
  }

  // the END token repeats: reading past it keeps answering END
  private FqlToken next() {
    FqlToken token = tokens.get(at);
    if (at < tokens.size() - 1) {
      at++;
    }
    return token;
  }
}
