package ai.flovyn.dispatch.query;

import java.util.List;

/**
 * One page of a list and how many items match in all.
 *
 * @param <T> the item type
 * @param items the page's items, in the list's order
 * @param total how many items match: exact up to {@value #EXACT_UP_TO}, else an estimate
 * @param totalEstimated whether {@code total} is an estimate (more than {@value #EXACT_UP_TO}
 *     match)
 * @param limit the page size asked for
 * @param offset the offset asked for
 * @param nextCursor the cursor of the next page, or null on the last page (and when ordered by
 *     another field than the default)
 */
public record ListPage<T>(
    List<T> items, long total, boolean totalEstimated, int limit, int offset, String nextCursor) {
  /** Up to how many matches a total is counted exactly. */
  public static final int EXACT_UP_TO = 10_000;

  /**
   * Copies {@code items}.
   *
   * @param items the page's items; must not be null
   * @param total how many match
   * @param totalEstimated whether {@code total} is an estimate
   * @param limit the page size asked for
   * @param offset the offset asked for
   * @param nextCursor the next page's cursor, or null
   */
  public ListPage {
    items = List.copyOf(items);
  }
}
