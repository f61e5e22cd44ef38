package ai.flovyn.dispatch.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * One attempt of a task: a finished one as recorded, or the one a worker runs now.
 *
 * @param attempt the attempt number, from 1
 * @param status COMPLETED, FAILED, TIMED_OUT or CANCELLED once finished; RUNNING while it runs
 * @param startedAt when it was claimed, or null when unknown
 * @param finishedAt when it finished, or null while it runs
 * @param workerId the worker that ran it, or null
 * @param error what went wrong, or null
 */
public record TaskAttempt(
    int attempt,
    String status,
    Instant startedAt,
    Instant finishedAt,
    String workerId,
    String error) {

  /**
   * How long the attempt took.
   *
   * @return the time from claim to finish, or null while it runs or when its start is unknown
   */
  public Duration duration() {
    return startedAt == null || finishedAt == null ? null : Duration.between(startedAt, finishedAt);
  }
}
