package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;
import java.util.Map;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * SQL for the rows that workflow commands other than ScheduleTask keep: timers, promises, state.
 */
public final class CommandRowStore {
  private static final String INSERT_TIMERS =
      "INSERT INTO timers (workflow_execution_id, timer_id, fire_at)"
          + " SELECT $1, t.id, now() + t.ms * interval '1 millisecond'"
          + " FROM unnest($2::text[], $3::bigint[]) AS t(id, ms)"
          + " ON CONFLICT (workflow_execution_id, timer_id) DO NOTHING";

  private static final String CANCEL_TIMERS =
      "UPDATE timers SET status = 'CANCELLED' WHERE workflow_execution_id = $1"
          + " AND timer_id = ANY($2::text[]) AND status = 'PENDING'";

  private static final String INSERT_PROMISES =
      "INSERT INTO promises (id, workflow_execution_id, name, timeout_at, idempotency_key)"
          + " SELECT p.id, $1, p.name,"
          + " CASE WHEN p.ms IS NULL THEN NULL ELSE now() + p.ms * interval '1 millisecond' END,"
          + " p.idem FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[])"
          + " AS p(id, name, ms, idem)"
          + " ON CONFLICT DO NOTHING";

  private static final String RESOLVE_OWN_PROMISES =
      "UPDATE promises SET status = 'RESOLVED', value = decode(v.value, 'base64'),"
          + " settled_at = now() FROM unnest($2::text[], $3::text[]) AS v(id, value)"
          + " WHERE promises.id = v.id AND promises.workflow_execution_id = $1"
          + " AND promises.status = 'PENDING'";

  private static final String UPSERT_STATE =
      "INSERT INTO workflow_state (workflow_execution_id, key, value)"
          + " SELECT $1, s.key, decode(s.value, 'base64') FROM unnest($2::text[], $3::text[])"
          + " AS s(key, value)"
          + " ON CONFLICT (workflow_execution_id, key)"
          + " DO UPDATE SET value = EXCLUDED.value, updated_at = now()";

  private static final String DELETE_STATE =
      "DELETE FROM workflow_state WHERE workflow_execution_id = $1 AND key = ANY($2::text[])";

  private static final String STATE =
      "SELECT key, value FROM workflow_state WHERE workflow_execution_id = $1 ORDER BY key";

  private final Connection connection;

  CommandRowStore(Connection connection) {
    this.connection = connection;
  }

  /** Inserts timers firing {@code durationsMs} from now, keeping any that already exist. */
  public Mono<Void> startTimers(UUID workflowId, String[] timerIds, Long[] durationsMs) {
    return timerIds.length == 0
        ? Mono.empty()
        : Sql.update(connection, INSERT_TIMERS, workflowId, timerIds, durationsMs).then();
  }

  /** Cancels timers that have not fired. */
  public Mono<Void> cancelTimers(UUID workflowId, String[] timerIds) {
    return timerIds.length == 0
        ? Mono.empty()
        : Sql.update(connection, CANCEL_TIMERS, workflowId, timerIds).then();
  }

  /** Inserts PENDING promises under their global ids, keeping any that already exist. */
  public Mono<Void> createPromises(
      UUID workflowId, String[] ids, String[] names, Long[] timeoutsMs, String[] idempotencyKeys) {
    return ids.length == 0
        ? Mono.empty()
        : Sql.update(
                connection, INSERT_PROMISES, workflowId, ids, names, timeoutsMs, idempotencyKeys)
            .then();
  }

  /** Resolves the workflow's own PENDING promises with base64-encoded values. */
  public Mono<Void> resolveOwnPromises(UUID workflowId, String[] ids, String[] valuesBase64) {
    return ids.length == 0
        ? Mono.empty()
        : Sql.update(connection, RESOLVE_OWN_PROMISES, workflowId, ids, valuesBase64).then();
  }

  /** Sets state keys (each key at most once per call) to base64-encoded values. */
  public Mono<Void> setState(UUID workflowId, String[] keys, String[] valuesBase64) {
    return keys.length == 0
        ? Mono.empty()
        : Sql.update(connection, UPSERT_STATE, workflowId, keys, valuesBase64).then();
  }

  /** Removes state keys. */
  public Mono<Void> clearState(UUID workflowId, String[] keys) {
    return keys.length == 0
        ? Mono.empty()
        : Sql.update(connection, DELETE_STATE, workflowId, keys).then();
  }

  /** Emits the workflow's state, key by key in key order. */
  public Flux<Map.Entry<String, byte[]>> state(UUID workflowId) {
    return Sql.query(
        connection,
        STATE,
        row -> Map.entry(row.get("key", String.class), Sql.bytes(row, "value")),
        workflowId);
  }
}
