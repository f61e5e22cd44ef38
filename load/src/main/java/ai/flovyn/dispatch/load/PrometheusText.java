package ai.flovyn.dispatch.load;

/** Reads values out of the Prometheus text exposition format. */
final class PrometheusText {
  private PrometheusText() {}

  /**
   * Sums the samples of {@code metric} whose label set contains every one of {@code labels} (e.g.
   * {@code area="heap"}); -1 when there is none.
   */
  static long sum(String text, String metric, String... labels) {
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (!line.startsWith(metric + "{") || !containsAll(line, labels)) {
        continue;
      }
      String value = line.substring(line.lastIndexOf('}') + 1).strip().split(" ")[0];
      try {
        sum += Double.parseDouble(value);
        found = true;
      } catch (NumberFormatException e) {
        // not a sample line
      }
    }
    return found ? (long) sum : -1;
  }

  private static boolean containsAll(String line, String... labels) {
    String labelSet = line.substring(0, line.lastIndexOf('}') + 1);
    for (String label : labels) {
      if (!labelSet.contains(label)) {
        return false;
      }
    }
    return true;
  }
}
