package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The time-driven work: due timers, expired workflow leases, timed-out promises, retried tasks
 * whose backoff ended, and when the next of these is due. Each claim skips rows another instance
 * holds, so with several instances every item is handled exactly once.
 */
public final class SweepStore {
  /** A timer that just fired. */
  public record FiredTimer(UUID workflowId, String timerId) {}

  /** A promise that just timed out. */
  public record TimedOutPromise(String id, UUID workflowId, String name) {}

  private static final String FIRE_TIMERS =
      "WITH due AS (SELECT workflow_execution_id, timer_id FROM timers"
          + " WHERE status = 'PENDING' AND fire_at <= now() ORDER BY fire_at LIMIT $1"
          + " FOR UPDATE SKIP LOCKED)"
          + " UPDATE timers t SET status = 'FIRED', fired_at = now() FROM due"
          + " WHERE t.workflow_execution_id = due.workflow_execution_id"
          + " AND t.timer_id = due.timer_id RETURNING t.workflow_execution_id, t.timer_id";

  private static final String EXPIRE_WORKFLOW_LEASES =
      "WITH due AS (SELECT id FROM workflow_executions"
          + " WHERE status = 'RUNNING' AND lease_expires_at <= now() LIMIT $1"
          + " FOR UPDATE SKIP LOCKED)"
          + " UPDATE workflow_executions w SET status = 'PENDING', worker_id = NULL,"
          + " lease_expires_at = NULL, updated_at = now() FROM due WHERE w.id = due.id"
          + " RETURNING w.tenant_id, w.queue";

  private static final String TIME_OUT_PROMISES =
      "WITH due AS (SELECT id FROM promises WHERE status = 'PENDING' AND timeout_at <= now()"
          + " LIMIT $1 FOR UPDATE SKIP LOCKED)"
          + " UPDATE promises p SET status = 'TIMED_OUT', error = 'timed out', settled_at = now()"
          + " FROM due WHERE p.id = due.id RETURNING p.id, p.workflow_execution_id, p.name";

  private static final String VISIBLE_SINCE =
      "SELECT DISTINCT tenant_id, queue FROM task_executions WHERE status = 'PENDING'"
          + " AND visible_at > created_at AND visible_at > $1 AND visible_at <= now()";

  private static final String NEXT_DUE =
      "SELECT now() AS now, EXTRACT(EPOCH FROM (LEAST("
          + "(SELECT min(fire_at) FROM timers WHERE status = 'PENDING'),"
          + " (SELECT min(lease_expires_at) FROM task_executions WHERE status = 'RUNNING'),"
          + " (SELECT min(lease_expires_at) FROM workflow_executions WHERE status = 'RUNNING'),"
          + " (SELECT min(visible_at) FROM task_executions WHERE status = 'PENDING'"
          + " AND visible_at > created_at AND visible_at > now()),"
          + " (SELECT min(timeout_at) FROM promises WHERE status = 'PENDING'"
          + " AND timeout_at IS NOT NULL)) - now())) * 1000 AS due_in_ms";

  private final Connection connection;

  SweepStore(Connection connection) {
    this.connection = connection;
  }

  public Flux<FiredTimer> fireDueTimers(int limit) {
    return Sql.query(
        connection,
        FIRE_TIMERS,
        row ->
            new FiredTimer(
                row.get("workflow_execution_id", UUID.class), row.get("timer_id", String.class)),
        limit);
  }

  /** Returns workflows whose worker went silent to PENDING; emits their (tenant, queue). */
  public Flux<WorkSignal> expireWorkflowLeases(int limit) {
    return Sql.query(
        connection,
        EXPIRE_WORKFLOW_LEASES,
        row ->
            new WorkSignal(
                WorkSignal.Kind.WORKFLOW,
                row.get("tenant_id", String.class),
                row.get("queue", String.class)),
        limit);
  }

  public Flux<TimedOutPromise> timeOutPromises(int limit) {
    return Sql.query(
        connection,
        TIME_OUT_PROMISES,
        row ->
            new TimedOutPromise(
                row.get("id", String.class),
                row.get("workflow_execution_id", UUID.class),
                row.get("name", String.class)),
        limit);
  }

  /** The queues where a retried task became visible after {@code since}. */
  public Flux<WorkSignal> tasksVisibleSince(Instant since) {
    return Sql.query(
        connection,
        VISIBLE_SINCE,
        row ->
            new WorkSignal(
                WorkSignal.Kind.TASK,
                row.get("tenant_id", String.class),
                row.get("queue", String.class)),
        since.atOffset(java.time.ZoneOffset.UTC));
  }

  /** The database's clock and how long until the next time-driven item is due (null: none). */
  public Mono<Due> nextDue() {
    return Sql.query(
            connection,
            NEXT_DUE,
            row -> {
              Number ms = row.get("due_in_ms", java.math.BigDecimal.class);
              return new Due(
                  ClaimStore.instant(row, "now"),
                  ms == null ? null : Duration.ofMillis(Math.max(0, ms.longValue())));
            })
        .next();
  }

  /** The database's current time and the delay until the next due item (null when none). */
  public record Due(Instant now, Duration dueIn) {}
}
