package ai.flovyn.dispatch.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One workflow execution as an operator inspects it: its row, and what hangs off it (parent, the
 * first children, timers, promises, state, how many of its tasks are in each status).
 *
 * @param execution the workflow's own fields
 * @param parent the workflow that started it as a child, or null for a top-level workflow
 * @param children its first children, oldest first (at most {@link #CHILDREN_SHOWN})
 * @param childCount how many children it has in all
 * @param timers its timers, by fire time (at most {@link #TIMERS_SHOWN})
 * @param promises its durable promises, oldest first (at most {@link #PROMISES_SHOWN})
 * @param state its state keys and their stored values (JSON bytes as written)
 * @param taskCounts how many of its tasks are in each status, every status present (0 when none)
 */
public record WorkflowDetail(
    Execution execution,
    Relative parent,
    List<Relative> children,
    long childCount,
    List<Timer> timers,
    List<Promise> promises,
    Map<String, byte[]> state,
    Map<TaskStatus, Long> taskCounts) {

  /** How many children the detail lists; {@link #childCount()} says how many there are. */
  public static final int CHILDREN_SHOWN = 100;

  /** The most timers the detail lists. */
  public static final int TIMERS_SHOWN = 1000;

  /** The most promises the detail lists. */
  public static final int PROMISES_SHOWN = 1000;

  /**
   * The fields of a workflow execution's row.
   *
   * @param id the execution's id
   * @param tenantId the tenant it belongs to
   * @param kind the workflow kind
   * @param status its status
   * @param queue the queue it is polled from
   * @param version the workflow version it was started with, or null
   * @param parentId the parent execution's id, or null
   * @param createdAt when it was started
   * @param updatedAt when its row last changed
   * @param startedAt when a worker last claimed it, or null before the first claim
   * @param completedAt when it finished, or null while it runs
   * @param metadataJson its metadata as JSON object text
   * @param input its input bytes (JSON as sent), or null
   * @param output its output bytes, or null until it completes
   * @param error its error text, or null
   * @param currentSequence the last event sequence number of its history
   * @param workerId the worker that holds it, or null
   * @param historyBytes the size of its history as GetEvents encodes it
   * @param cancelRequested whether a cancellation was requested
   */
  public record Execution(
      UUID id,
      String tenantId,
      String kind,
      WorkflowStatus status,
      String queue,
      String version,
      UUID parentId,
      Instant createdAt,
      Instant updatedAt,
      Instant startedAt,
      Instant completedAt,
      String metadataJson,
      byte[] input,
      byte[] output,
      String error,
      int currentSequence,
      String workerId,
      long historyBytes,
      boolean cancelRequested) {}

  /**
   * A workflow related to another one (its parent or a child), briefly.
   *
   * @param id the related execution's id
   * @param kind its workflow kind
   * @param status its status
   * @param createdAt when it was started
   * @param completedAt when it finished, or null
   */
  public record Relative(
      UUID id, String kind, WorkflowStatus status, Instant createdAt, Instant completedAt) {}

  /**
   * A durable timer of a workflow.
   *
   * @param timerId the id the workflow gave it
   * @param fireAt when it fires (or fired)
   * @param status PENDING, FIRED or CANCELLED
   * @param firedAt when it fired, or null
   */
  public record Timer(String timerId, Instant fireAt, String status, Instant firedAt) {}

  /**
   * A durable promise of a workflow.
   *
   * @param id its global id (what resolving and rejecting name)
   * @param name the name the workflow gave it
   * @param status PENDING, RESOLVED, REJECTED or TIMED_OUT
   * @param value the value it was resolved with (JSON bytes), or null
   * @param error the error it was rejected with, or null
   * @param timeoutAt when it times out, or null for never
   * @param createdAt when the workflow created it
   * @param settledAt when it was settled, or null
   */
  public record Promise(
      String id,
      String name,
      String status,
      byte[] value,
      String error,
      Instant timeoutAt,
      Instant createdAt,
      Instant settledAt) {}
}
