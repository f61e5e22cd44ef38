package ai.flovyn.dispatch.load;

import java.math.BigDecimal;
import java.time.Duration;

/** Go duration strings as ghz reads them ({@code "20s"}, {@code "1m30s"}, {@code "500ms"}). */
final class GoDurations {
  private GoDurations() {}

  /**
   * Parses a non-negative Go duration; units ns, us (µs), ms, s, m, h, with decimal fractions.
   *
   * @throws LoadConfigException naming {@code what} when the text is not a duration
   */
  static Duration parse(String text, String what) throws LoadConfigException {
    String s = text.trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.startsWith("+")) {
      s = s.substring(1);
    }
    if (s.isEmpty() || s.startsWith("-")) {
      throw invalid(text, what);
    }
    BigDecimal nanos = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int numberStart = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String number = s.substring(numberStart, unitStart);
      long unit = unitNanos(s.substring(unitStart, i));
      if (number.isEmpty() || number.equals(".") || unit == 0) {
        throw invalid(text, what);
      }
      try {
        nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
      } catch (NumberFormatException e) {
        throw invalid(text, what);
      }
    }
    try {
      return Duration.ofNanos(nanos.toBigInteger().longValueExact());
    } catch (ArithmeticException e) {
      throw invalid(text, what);
    }
  }

  /** Formats a duration the short Go way, e.g. {@code 20s}, {@code 250ms}, {@code 1500ns}. */
  static String format(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos == 0) {
      return "0s";
    }
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    return nanos + "ns";
  }

  private static long unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs", "μs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "h" -> 3_600_000_000_000L;
      default -> 0L;
    };
  }

  private static LoadConfigException invalid(String text, String what) {
    return new LoadConfigException(
        what + ": \"" + text + "\" is not a duration (use Go syntax such as 20s, 1m30s, 500ms)");
  }
}
