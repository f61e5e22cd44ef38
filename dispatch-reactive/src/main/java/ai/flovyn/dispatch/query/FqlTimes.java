package ai.flovyn.dispatch.query;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times as FQL and the filter parameters write them: RFC 3339 instants, dates (midnight UTC), and
 * relative {@code -7d}, {@code -24h}, {@code -30m}, {@code -45s}, {@code -2w} (before now).
 */
public final class FqlTimes {
  private static final Pattern RELATIVE = Pattern.compile("-(\\d{1,9})([smhdw])");

  private FqlTimes() {}

  /**
   * Reads a time.
   *
   * @param text an RFC 3339 instant, a date ({@code 2026-12-07}, midnight UTC), or a relative time
   *     ({@code -7d}: seven days before {@code now}; units s, m, h, d, w)
   * @param now what relative times count back from
   * @return the instant (truncated to microseconds, the database's precision), or null when {@code
   *     text} is none of these
   */
  public static Instant instant(String text, Instant now) {
    if (text == null) {
      return null;
    }
    String trimmed = text.trim();
    Matcher relative = RELATIVE.matcher(trimmed);
    if (relative.matches()) {
      long amount = Long.parseLong(relative.group(1));
      Duration unit =
          switch (relative.group(2)) {
            case "s" -> Duration.ofSeconds(1);
            case "m" -> Duration.ofMinutes(1);
            case "h" -> Duration.ofHours(1);
            case "d" -> Duration.ofDays(1);
            default -> Duration.ofDays(7);
          };
      return now.minus(unit.multipliedBy(amount)).truncatedTo(ChronoUnit.MICROS);
    }
    try {
      return OffsetDateTime.parse(trimmed).toInstant().truncatedTo(ChronoUnit.MICROS);
    } catch (DateTimeParseException e) {
      // not an instant: maybe a date
    }
    try {
      return LocalDate.parse(trimmed).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Midnight UTC of {@code now}'s day: {@code TODAY()}. */
  static Instant today(Instant now) {
    return now.truncatedTo(ChronoUnit.DAYS);
  }
}
