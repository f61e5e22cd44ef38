package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Renews the leases of RUNNING tasks whose workers showed signs of life, and the last-seen times of
 * the registrations among those workers, in one statement.
 */
public final class LeaseStore {
  // Only tasks without a hard timeout, and only once their lease is past half: a live worker's
  // task is written about once per half lease, not once per sign of life.
  // The same flush refreshes the last-seen time of registrations whose id polled (FFI and NAPI
  // workers poll under their registration id and never send SendHeartbeat).
  /** How long a task without {@code timeout_ms} may run on renewed leases: a day. */
  public static final int MAX_RENEWED_ATTEMPT_HOURS = 24;

  // Each sign of life carries the tenant it was given for ('' for an unrestricted caller): one
  // tenant's polls or task data never keep another tenant's tasks or registrations alive. The
  // ANY(...) tests stay as they were, so the plan does not change; this only filters their rows.
  private static final String OF_TENANT =
      "EXISTS (SELECT 1 FROM unnest(%s) AS s(key, tenant)"
          + " WHERE s.key = %s AND (s.tenant = '' OR s.tenant = %s))";

  private static final String RENEW =
      "WITH seen AS (UPDATE workers SET last_seen_at = now() WHERE id = ANY($4::uuid[])"
          + " AND last_seen_at < now() - interval '1 second'"
          + " AND "
          + OF_TENANT.formatted("$4::uuid[], $7::text[]", "workers.id", "workers.tenant_id")
          + ")"
          + " UPDATE task_executions SET lease_expires_at = now() + $3 * interval '1 millisecond'"
          + " WHERE status = 'RUNNING' AND timeout_ms IS NULL"
          + " AND lease_expires_at < now() + $3 / 2 * interval '1 millisecond'"
          // an attempt whose outcome was lost (the SDK never resends one) ends at last even while
          // its worker lives on
          + " AND started_at > now() - interval '"
          + MAX_RENEWED_ATTEMPT_HOURS
          + " hours'"
          + " AND (worker_id = ANY($1::text[]) OR id = ANY($2::uuid[]))"
          + " AND ("
          + OF_TENANT.formatted("$1::text[], $5::text[]", "worker_id", "tenant_id")
          + " OR "
          + OF_TENANT.formatted("$2::uuid[], $6::text[]", "task_executions.id", "tenant_id")
          + ")";

  private final Connection connection;

  LeaseStore(Connection connection) {
    this.connection = connection;
  }

  /**
   * Extends to {@code leaseMs} from now the leases past half of the RUNNING tasks without {@code
   * timeout_ms} that one of {@code workerIds} holds or that are among {@code taskIds}, and marks
   * the registrations {@code registrationIds} as seen now; emits how many leases it renewed. Each
   * id comes with the tenant (at the same index of the matching {@code …Tenants} array, '' for any)
   * whose rows it may touch.
   */
  public Mono<Long> renew(
      String[] workerIds,
      UUID[] taskIds,
      long leaseMs,
      UUID[] registrationIds,
      String[] workerTenants,
      String[] taskTenants,
      String[] registrationTenants) {
    return Sql.update(
        connection,
        RENEW,
        workerIds,
        taskIds,
        leaseMs,
        registrationIds,
        workerTenants,
        taskTenants,
        registrationTenants);
  }
}
