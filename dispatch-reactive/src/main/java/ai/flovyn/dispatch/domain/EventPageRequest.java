package ai.flovyn.dispatch.domain;

import java.util.List;

/**
 * Which part of a workflow's history to read: the events after a sequence number, oldest first,
 * optionally only some types or only failures.
 *
 * @param sinceSequence read the events after this sequence number; 0 from the start
 * @param limit the most events to read, from 1 to {@link #MAX_LIMIT}
 * @param types only events of these types; empty for any type
 * @param failedOnly only failure events: types containing {@code FAILED}, {@code TIMEOUT} or {@code
 *     TIMED_OUT}
 */
public record EventPageRequest(
    int sinceSequence, int limit, List<String> types, boolean failedOnly) {

  /** The most events one page holds. */
  public static final int MAX_LIMIT = 1000;

  /** The most types one request may name. */
  public static final int MAX_TYPES = 100;

  /**
   * Copies {@code types} (null is none).
   *
   * @param sinceSequence read the events after this sequence number; 0 from the start
   * @param limit the most events to read
   * @param types only events of these types; null or empty for any type
   * @param failedOnly only failure events
   */
  public EventPageRequest {
    types = types == null ? List.of() : List.copyOf(types);
  }

  /**
   * The first page of every event.
   *
   * @return events from the start, {@link #MAX_LIMIT} at most, of any type
   */
  public static EventPageRequest first() {
    return new EventPageRequest(0, MAX_LIMIT, List.of(), false);
  }
}
