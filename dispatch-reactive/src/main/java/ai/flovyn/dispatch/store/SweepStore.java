package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The time-driven work of the maintenance services: due timers, timed-out promises, retried tasks
 * and released workflows whose backoff ended, and when the next of each is due. "Now" is always a
 * parameter (the services' clock), never the database's {@code now()}, so that tests can move time;
 * each claim skips rows another instance holds, so with several instances every item is handled
 * exactly once.
 */
public final class SweepStore {
  /** A timer that just fired. */
  public record FiredTimer(UUID workflowId, String timerId) {}

  /** A promise that just timed out. */
  public record TimedOutPromise(String id, UUID workflowId, String name) {}

  private static final String FIRE_TIMERS =
      "WITH due AS (SELECT workflow_execution_id, timer_id FROM timers"
          + " WHERE status = 'PENDING' AND fire_at <= $2 ORDER BY fire_at LIMIT $1"
          + " FOR UPDATE SKIP LOCKED)"
          + " UPDATE timers t SET status = 'FIRED', fired_at = $2 FROM due"
          + " WHERE t.workflow_execution_id = due.workflow_execution_id"
          + " AND t.timer_id = due.timer_id RETURNING t.workflow_execution_id, t.timer_id";

  private static final String NEXT_TIMER =
      "SELECT min(fire_at) AS due FROM timers WHERE status = 'PENDING'";

  private static final String TIME_OUT_PROMISES =
      "WITH due AS (SELECT id FROM promises WHERE status = 'PENDING' AND timeout_at <= $2"
          + " ORDER BY timeout_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
          + " UPDATE promises p SET status = 'TIMED_OUT', error = 'timed out', settled_at = $2"
          + " FROM due WHERE p.id = due.id RETURNING p.id, p.workflow_execution_id, p.name";

  private static final String NEXT_PROMISE_TIMEOUT =
      "SELECT min(timeout_at) AS due FROM promises WHERE status = 'PENDING'"
          + " AND timeout_at IS NOT NULL";

  private static final String NEXT_TASK_LEASE =
      "SELECT min(lease_expires_at) AS due FROM task_executions WHERE status = 'RUNNING'";

  private static final String NEXT_WORKFLOW_LEASE =
      "SELECT min(lease_expires_at) AS due FROM workflow_executions WHERE status = 'RUNNING'";

  // Retried tasks and released workflows that became visible in ($1, now()]. Visibility is the
  // database's clock, as the claims that skip invisible rows read it; both indexes are tiny.
  private static final String VISIBLE_SINCE =
      "SELECT DISTINCT 'TASK' AS kind, tenant_id, queue, now() AS now FROM task_executions"
          + " WHERE status = 'PENDING' AND visible_at > created_at"
          + " AND visible_at > $1 AND visible_at <= now()"
          + " UNION SELECT DISTINCT 'WORKFLOW', tenant_id, queue, now() FROM workflow_executions"
          + " WHERE status = 'PENDING' AND visible_at IS NOT NULL"
          + " AND visible_at > $1 AND visible_at <= now()";

  private static final String DATABASE_NOW = "SELECT now() AS now";

  // after $1, the database's now of the last announcement: a row that became visible since then
  // is due at once, however long ago
  private static final String NEXT_VISIBLE =
      "SELECT now() AS now, LEAST((SELECT min(visible_at) FROM task_executions"
          + " WHERE status = 'PENDING' AND visible_at > created_at AND visible_at > $1),"
          + " (SELECT min(visible_at) FROM workflow_executions WHERE status = 'PENDING'"
          + " AND visible_at IS NOT NULL AND visible_at > $1)) AS due";

  private final Connection connection;

  SweepStore(Connection connection) {
    this.connection = connection;
  }

  /** Fires at most {@code limit} timers due at {@code now}; emits them. */
  public Flux<FiredTimer> fireDueTimers(Instant now, int limit) {
    return Sql.query(
        connection,
        FIRE_TIMERS,
        row ->
            new FiredTimer(
                row.get("workflow_execution_id", UUID.class), row.get("timer_id", String.class)),
        limit,
        at(now));
  }

  /** Times out at most {@code limit} open promises whose timeout passed at {@code now}. */
  public Flux<TimedOutPromise> timeOutPromises(Instant now, int limit) {
    return Sql.query(
        connection,
        TIME_OUT_PROMISES,
        row ->
            new TimedOutPromise(
                row.get("id", String.class),
                row.get("workflow_execution_id", UUID.class),
                row.get("name", String.class)),
        limit,
        at(now));
  }

  /**
   * The queues where a retried task or a released workflow became visible after {@code since} and
   * by the database's now (the transaction's start).
   */
  public Flux<WorkSignal> visibleSince(Instant since) {
    return Sql.query(
        connection,
        VISIBLE_SINCE,
        row ->
            new WorkSignal(
                WorkSignal.Kind.valueOf(row.get("kind", String.class)),
                row.get("tenant_id", String.class),
                row.get("queue", String.class)),
        at(since));
  }

  /** The database's now: the start of the current transaction. */
  public Mono<Instant> databaseNow() {
    return Sql.query(connection, DATABASE_NOW, row -> ClaimStore.instant(row, "now")).next();
  }

  // The next* queries take no "now": an item that fell due between a run and this query must
  // count (it is due at once), not be skipped until the longest sleep has passed.

  /** When the earliest pending timer fires (possibly already); empty when none. */
  public Mono<Instant> nextTimer() {
    return next(NEXT_TIMER);
  }

  /** When the earliest open promise times out (possibly already); empty when none. */
  public Mono<Instant> nextPromiseTimeout() {
    return next(NEXT_PROMISE_TIMEOUT);
  }

  /** When the earliest lease of a RUNNING task ends (possibly already); empty when none. */
  public Mono<Instant> nextTaskLease() {
    return next(NEXT_TASK_LEASE);
  }

  /** When the earliest claim of a RUNNING workflow ends (possibly already); empty when none. */
  public Mono<Instant> nextWorkflowLease() {
    return next(NEXT_WORKFLOW_LEASE);
  }

  /**
   * How long (by the database's clock) until the next retried task or released workflow becomes
   * visible after {@code since} (negative: it already is); empty when none waits.
   */
  public Mono<java.time.Duration> nextVisible(Instant since) {
    return Sql.query(
            connection,
            NEXT_VISIBLE,
            row -> {
              Instant now = ClaimStore.instant(row, "now");
              Instant due = ClaimStore.instant(row, "due");
              return java.util.Optional.ofNullable(
                  due == null ? null : java.time.Duration.between(now, due));
            },
            at(since))
        .next()
        .flatMap(Mono::justOrEmpty);
  }

  private Mono<Instant> next(String sql) {
    return Sql.query(
            connection, sql, row -> java.util.Optional.ofNullable(ClaimStore.instant(row, "due")))
        .next()
        .flatMap(Mono::justOrEmpty);
  }

  static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
