package ai.flovyn.dispatch.domain;

import java.time.Instant;
import java.util.List;

/**
 * A page of a workflow's history, oldest first.
 *
 * @param events the events read
 * @param nextSequence the sequence number to read on from when more events may follow (the last one
 *     read), or null when this page reached the end of the history as it is now
 */
public record EventPage(List<Event> events, Integer nextSequence) {

  /**
   * One event of a history.
   *
   * @param sequence its sequence number, from 1 without gaps
   * @param eventType its type (e.g. {@code TASK_COMPLETED})
   * @param timestamp when it was appended
   * @param data its data, UTF-8 JSON text as stored
   */
  public record Event(int sequence, String eventType, Instant timestamp, String data) {}
}
