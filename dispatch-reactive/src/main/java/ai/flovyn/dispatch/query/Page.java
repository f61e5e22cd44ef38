package ai.flovyn.dispatch.query;

import ai.flovyn.dispatch.domain.DispatchException;

/**
 * Which page of a list: at most {@code limit} items, after skipping {@code offset} of them or after
 * {@code cursor} (keyset paging), never both.
 *
 * @param limit the most items, 1 to {@value #MAX_LIMIT}
 * @param offset how many matching items to skip, 0 to {@value #MAX_OFFSET}; 0 with a cursor
 * @param cursor where the previous page ended, or null for the first page
 */
public record Page(int limit, int offset, Cursor cursor) {
  /** The most items one page holds. */
  public static final int MAX_LIMIT = 1000;

  /** The deepest offset: deeper pages are read with a cursor, which stays fast at any depth. */
  public static final int MAX_OFFSET = 1_000_000;

  /**
   * Checks the bounds.
   *
   * @param limit the most items, 1 to {@value #MAX_LIMIT}
   * @param offset how many to skip, 0 to {@value #MAX_OFFSET}
   * @param cursor the previous page's end, or null; only with offset 0
   * @throws DispatchException INVALID_ARGUMENT naming {@code limit}, {@code offset} or {@code
   *     cursor}
   */
  public Page {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw DispatchException.invalidArgument("limit: must be between 1 and " + MAX_LIMIT);
    }
    if (offset < 0 || offset > MAX_OFFSET) {
      throw DispatchException.invalidArgument("offset: must be between 0 and " + MAX_OFFSET);
    }
    if (cursor != null && offset != 0) {
      throw DispatchException.invalidArgument("cursor: cannot be combined with offset");
    }
  }

  /**
   * The first page.
   *
   * @param limit the most items, 1 to {@value #MAX_LIMIT}
   * @return a page at offset 0 without a cursor
   */
  public static Page first(int limit) {
    return new Page(limit, 0, null);
  }
}
