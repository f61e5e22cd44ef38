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
 * event at its next sequence number. Only RUNNING workflows are touched.
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

  // $1.. are the selection's; the release takes $n max releases, $n+1 backoff base ms, $n+2
  // backoff max ms, $n+3 the failure text, $n+4 the WORKFLOW_EXECUTION_FAILED event data.
  private static String release(String selection, int n) {
    String fails = "w.releases >= $" + n;
    return "WITH due AS ("
        + selection
        + "),"
        + " upd AS (UPDATE workflow_executions w SET releases = w.releases + 1,"
        + " status = CASE WHEN "
        + fails
        + " THEN 'FAILED' ELSE 'PENDING' END,"
        + " visible_at = CASE WHEN "
        + fails
        + " THEN NULL ELSE now() + "
        + TaskLifecycleStore.BACKOFF_MS.call("$" + (n + 1), "$" + (n + 2), "w.releases")
        + " * interval '1 millisecond' END,"
        + " current_sequence = w.current_sequence + CASE WHEN "
        + fails
        + " THEN 1 ELSE 0 END,"
        + " error = CASE WHEN "
        + fails
        + " THEN $"
        + (n + 3)
        + " ELSE w.error END,"
        + " completed_at = CASE WHEN "
        + fails
        + " THEN now() ELSE w.completed_at END,"
        + " worker_id = NULL, lease_expires_at = NULL, updated_at = now()"
        + " FROM due WHERE w.id = due.id"
        + " RETURNING w.id, w.status, w.tenant_id, w.queue, w.visible_at, w.current_sequence,"
        + " w.parent_workflow_execution_id, w.child_execution_name, w.error),"
        + " ev AS (INSERT INTO workflow_events (workflow_execution_id, sequence_number,"
        + " event_type, event_data) SELECT id, current_sequence, 'WORKFLOW_EXECUTION_FAILED', $"
        + (n + 4)
        + " FROM upd WHERE status = 'FAILED')"
        + " SELECT * FROM upd";
  }

  private static final String RELEASE_EXPIRED =
      release(
          "SELECT id FROM workflow_executions WHERE status = 'RUNNING' AND lease_expires_at <= $1"
              + " ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED",
          3);

  private static final String RELEASE_ONE =
      release(
          "SELECT id FROM workflow_executions WHERE id = $1 AND status = 'RUNNING' FOR UPDATE", 2);

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
