package ai.flovyn.dispatch.query;

import ai.flovyn.dispatch.domain.DispatchException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Flovyn's query language, FQL: {@code <field> <op> <value> [AND|OR …] [ORDER BY <field>
 * [ASC|DESC]]}, {@code NOT} and parentheses (precedence NOT &gt; AND &gt; OR). Operators {@code =
 * != > >= < <= IN (…) NOT IN (…) ~ !~ IS NULL IS NOT NULL} ({@code ~}: contains, case-insensitive);
 * values are strings (double or single quotes), numbers, booleans, RFC 3339 times, {@code NOW()},
 * {@code TODAY()} and relative times {@code -7d -24h -30m}. Fields are a whitelist per {@link
 * FqlEntity}, plus {@code metadata.<key>} (compared as text).
 */
public final class Fql {
  /** The longest query taken, in UTF-8 bytes. */
  public static final int MAX_BYTES = 4096;

  /** The most comparisons one query may hold. */
  public static final int MAX_EXPRESSIONS = 50;

  /** The most values of one {@code IN} list. */
  public static final int MAX_IN_VALUES = 100;

  /** How deep parentheses and NOTs may nest: the parser recurses, so this bounds its stack. */
  static final int MAX_DEPTH = 32;

  private static final int SHOWN = 32;

  private Fql() {}

  /**
   * Parses a query.
   *
   * @param text the query; null or blank for none (everything, newest first)
   * @param entity what it lists, which says its fields and statuses
   * @param now the instant {@code NOW()}, {@code TODAY()} and relative times are taken from
   * @return the parsed query, ready to compile to SQL
   * @throws DispatchException INVALID_ARGUMENT with a message starting {@code query: } that names
   *     the position and (bounded) the token, for a query that does not parse, names an unknown
   *     field or status, a value of the wrong type, or exceeds a limit
   */
  public static FqlQuery parse(String text, FqlEntity entity, Instant now) {
    if (text == null || text.isBlank()) {
      return FqlQuery.none();
    }
    if (text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw error("longer than " + MAX_BYTES + " bytes");
    }
    return new FqlParser(FqlLexer.tokens(text), entity, now).query();
  }

  static DispatchException error(String why) {
    return DispatchException.invalidArgument("query: " + why);
  }

  static String shown(String text) {
    return shown(text, SHOWN);
  }

  static String shown(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }
}
