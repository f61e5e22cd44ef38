package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.WorkflowStatus;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.util.UUID;
import reactor.core.publisher.Flux;

/**
 * Releases of workflow claims that no accepted batch will end (docs/sdk-compatibility.md, W8, W9):
 * the workflow goes back to PENDING, invisible for a backoff that doubles with each release, or,
 * once it has been released {@code maxReleases} times, is FAILED with a WORKFLOW_EXECUTION_FAILED
 * event appended by {@code dispatch_append_events}, the one place events enter a log (numbered
 * after its last, counted in its history's bytes). Only RUNNING workflows are touched; one
 * statement per call, however many workflows it releases.
 */
public final class ReleaseStore {
  /** A workflow just released (PENDING, visible at {@code visibleAt}) or failed (FAILED). */
  public record Released(
      UUID id,
      WorkflowStatus status,
      String tenantId,
      String queue,
      Instant visibleAt,
      UUID parentId,
      String childName,
      String error) {}

  // $1.. are the selection's (each selected workflow locked, with its releases and its last
  // sequence number); the release takes $n max releases, $n+1 backoff base ms, $n+2 backoff max
  // ms, $n+3 the failure text, $n+4 the WORKFLOW_EXECUTION_FAILED event data. The events of the
  // workflows that fail go through dispatch_append_events, one call for all of them (none when no
  // workflow fails), and the update adds what it appended to their sequence and history bytes.
  private static String release(String selection, int n) {
    String fails = "w.releases >= $" + n;
    return "WITH due AS ("
        + selection
        + "),"
        + " failing AS (SELECT array_agg(id) AS ids, array_agg(current_sequence) AS after,"
        + " array_agg(NULL::bigint) AS rooms,"
        + " array_agg('WORKFLOW_EXECUTION_FAILED'::text) AS types, array_agg($"
        + (n + 4)
        + "::text) AS data, array_agg(NULL::text) AS identities, array_agg(false) AS refusable"
        + " FROM due WHERE releases >= $"
        + n
        + "),"
        + " ev AS (SELECT a.* FROM failing f, "
        + EventStore.APPEND_EVENTS.call(
            "f.ids",
            "f.after",
            "f.rooms",
            "f.ids",
            "f.types",
            "f.data",
            "f.identities",
            "f.refusable",
            "false",
            String.valueOf(EventStore.EVENT_OVERHEAD_BYTES))
        + " a WHERE f.ids IS NOT NULL),"
        + " upd AS (UPDATE workflow_executions w SET releases = w.releases + 1,"
        + " status = CASE WHEN "
        + fails
        + " THEN 'FAILED' ELSE 'PENDING' END,"
        + " visible_at = CASE WHEN "
        + fails
        + " THEN NULL ELSE now() + "
        + TaskLifecycleStore.BACKOFF_MS.call("$" + (n + 1), "$" + (n + 2), "w.releases")
        + " * interval '1 millisecond' END,"
        + " current_sequence = w.current_sequence + COALESCE(ev.appended, 0),"
        + " history_bytes = w.history_bytes + COALESCE(ev.bytes, 0),"
        + " error = CASE WHEN "
        + fails
        + " THEN $"
        + (n + 3)
        + " ELSE w.error END,"
        + " completed_at = CASE WHEN "
        + fails
        + " THEN now() ELSE w.completed_at END,"
        + " worker_id = NULL, lease_expires_at = NULL, updated_at = now()"
        + " FROM due LEFT JOIN ev ON ev.workflow = due.id WHERE w.id = due.id"
        + " RETURNING w.id, w.status, w.tenant_id, w.queue, w.visible_at,"
        + " w.parent_workflow_execution_id, w.child_execution_name, w.error)"
        + " SELECT * FROM upd";
  }

  private static final String RELEASE_EXPIRED =
      release(
          "SELECT id, releases, current_sequence FROM workflow_executions"
              + " WHERE status = 'RUNNING' AND lease_expires_at <= $1"
              + " ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED",
          3);

  private static final String RELEASE_ONE =
      release(
          "SELECT id, releases, current_sequence FROM workflow_executions"
              + " WHERE id = $1 AND status = 'RUNNING' FOR UPDATE",
          2);

  private final Connection connection;

  ReleaseStore(Connection connection) {
    this.connection = connection;
  }

  /** Releases at most {@code limit} workflows whose claim expired at {@code now} (W8). */
  public Flux<Released> releaseExpired(Instant now, int limit, Policy policy) {
    return Sql.query(
        connection,
        RELEASE_EXPIRED,
        ReleaseStore::toReleased,
        SweepStore.at(now),
        limit,
        policy.maxReleases(),
        policy.backoffBaseMs(),
        policy.backoffMaxMs(),
        policy.error(),
        policy.failedEventJson());
  }

  /** Releases the workflow if it is RUNNING (W9); empty otherwise. */
  public Flux<Released> releaseOne(UUID id, Policy policy) {
    return Sql.query(
        connection,
        RELEASE_ONE,
        ReleaseStore::toReleased,
        id,
        policy.maxReleases(),
        policy.backoffBaseMs(),
        policy.backoffMaxMs(),
        policy.error(),
        policy.failedEventJson());
  }

  /**
   * How releases go: {@code maxReleases} releases back to PENDING, then FAILED with {@code error}
   * and the event data {@code failedEventJson}.
   */
  public record Policy(
      int maxReleases,
      double backoffBaseMs,
      double backoffMaxMs,
      String error,
      String failedEventJson) {}

  private static Released toReleased(Readable row) {
    return new Released(
        row.get("id", UUID.class),
        WorkflowStatus.valueOf(row.get("status", String.class)),
        row.get("tenant_id", String.class),
        row.get("queue", String.class),
        ClaimStore.instant(row, "visible_at"),
        row.get("parent_workflow_execution_id", UUID.class),
        row.get("child_execution_name", String.class),
        row.get("error", String.class));
  }
}
