package ai.flovyn.dispatch.query;

import java.util.Map;

/**
 * How many items of each status match a filter (its status filter ignored).
 *
 * @param counts every status of the entity (upper case, in life-cycle order) to its count; a count
 *     is exact up to {@value ListPage#EXACT_UP_TO}, else an estimate
 * @param total the sum of the counts
 * @param estimated whether some count is an estimate
 */
public record StatusCounts(Map<String, Long> counts, long total, boolean estimated) {
  /**
   * Copies {@code counts}, keeping its order.
   *
   * @param counts status to count; must not be null
   * @param total the sum
   * @param estimated whether some count is an estimate
   */
  public StatusCounts {
    counts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(counts));
  }
}
