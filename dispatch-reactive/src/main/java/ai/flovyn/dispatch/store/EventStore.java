package ai.flovyn.dispatch.store;

import static ai.flovyn.dispatch.store.SqlFunction.Type.INTEGER;
import static ai.flovyn.dispatch.store.SqlFunction.Type.TEXT_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.param;

import ai.flovyn.dispatch.domain.WorkflowEvent;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import io.r2dbc.spi.Connection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** SQL over {@code workflow_events}. */
public final class EventStore {
  private static final String EXISTING_IDENTITIES =
      "SELECT identity FROM workflow_events WHERE workflow_execution_id = $1"
          + " AND identity = ANY($2::text[])";

  /**
   * What one event adds to the encoded size of a GetEvents answer, over its JSON and type: the
   * protobuf framing of the event, its sequence number and its fields, rounded up.
   */
  public static final int EVENT_OVERHEAD_BYTES = 16;

  // Appends the events whose identity the log does not hold yet, numbered gaplessly after the
  // given sequence number in input order, in one round trip; emits how many it appended and how
  // many bytes they add to the history.
  private static final SqlFunction APPEND_FRESH =
      SqlFunction.of(
          "dispatch_append_events",
          param("p_workflow", SqlFunction.Type.UUID),
          param("p_types", TEXT_ARRAY),
          param("p_data", TEXT_ARRAY),
          param("p_identities", TEXT_ARRAY),
          param("p_after_sequence", INTEGER),
          param("p_event_overhead_bytes", INTEGER));

  private static final String LIST =
      "SELECT sequence_number, event_type, event_data AS data FROM workflow_events"
          + " WHERE workflow_execution_id = $1 ORDER BY sequence_number";

  // Appends events at their workflows' next sequence numbers (in input order), skipping those
  // whose identity is recorded, workflows that have finished and workflows whose history would grow
  // past $5 bytes; WAITING workflows become PENDING, RUNNING ones remember to resume. Rows are
  // locked in id order: no deadlocks. The refused workflows come back flagged.
  private static final String APPEND_AND_WAKE =
      "WITH input AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])"
          + " WITH ORDINALITY AS i(wf, type, data, identity, ord)),"
          + " fresh AS (SELECT i.*, row_number() OVER (PARTITION BY i.wf ORDER BY i.ord) AS n"
          + " FROM input i LEFT JOIN LATERAL (SELECT 1 AS found FROM workflow_events e"
          + " WHERE e.workflow_execution_id = i.wf AND e.identity = i.identity LIMIT 1) x"
          + " ON true WHERE x.found IS NULL),"
          + " counts AS (SELECT wf, count(*)::int AS k, sum(octet_length(data) + octet_length(type)"
          + " + "
          + EVENT_OVERHEAD_BYTES
          + ")::bigint AS bytes FROM fresh GROUP BY wf),"
          + " locked AS (SELECT w.id, w.history_bytes + c.bytes <= $5 AS fits"
          + " FROM workflow_executions w JOIN counts c ON c.wf = w.id"
          + " WHERE w.status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')"
          + " ORDER BY w.id FOR UPDATE OF w),"
          + " wf AS (UPDATE workflow_executions w SET current_sequence = w.current_sequence + c.k,"
          + " history_bytes = w.history_bytes + c.bytes,"
          + " status = CASE WHEN w.status = 'WAITING' THEN 'PENDING' ELSE w.status END,"
          + " resume_pending = w.resume_pending OR w.status = 'RUNNING', updated_at = now()"
          + " FROM counts c JOIN locked l ON l.id = c.wf WHERE w.id = c.wf AND l.fits"
          + " RETURNING w.id, w.current_sequence, c.k, w.status, w.tenant_id, w.queue),"
          + " ins AS (INSERT INTO workflow_events (workflow_execution_id, sequence_number,"
          + " event_type, event_data, identity)"
          + " SELECT f.wf, wf.current_sequence - wf.k + f.n, f.type, f.data, f.identity"
          + " FROM fresh f JOIN wf ON wf.id = f.wf)"
          + " SELECT id, status, tenant_id, queue, current_sequence, false AS refused FROM wf"
          + " UNION ALL SELECT w.id, w.status, w.tenant_id, w.queue, w.current_sequence, true"
          + " FROM workflow_executions w JOIN locked l ON l.id = w.id WHERE NOT l.fits";

  private final Connection connection;

  EventStore(Connection connection) {
    this.connection = connection;
  }

  /** Emits which of the given identities the workflow's log already records. */
  public Mono<Set<String>> existingIdentities(UUID workflowId, String[] identities) {
    if (identities.length == 0) {
      return Mono.just(Set.of());
    }
    return Sql.query(
            connection,
            EXISTING_IDENTITIES,
            row -> row.get("identity", String.class),
            workflowId,
            identities)
        .collect(HashSet::new, Set::add);
  }

  /** How many events an append wrote and how many bytes they add to the history. */
  public record Appended(int events, long bytes) {
    /** Nothing appended. */
    public static final Appended NONE = new Appended(0, 0);
  }

  /**
   * Appends events to the locked workflow after sequence {@code afterSequence}, skipping those
   * whose identity is already recorded (identities must be distinct within the call); emits what it
   * appended.
   */
  public Mono<Appended> appendFresh(
      UUID workflowId, int afterSequence, String[] types, String[] data, String[] identities) {
    if (types.length == 0) {
      return Mono.just(Appended.NONE);
    }
    return Sql.call(
            connection,
            APPEND_FRESH,
            row -> new Appended(row.get("appended", Integer.class), row.get("bytes", Long.class)),
            workflowId,
            types,
            data,
            identities,
            afterSequence,
            EVENT_OVERHEAD_BYTES)
        .next();
  }

  /**
   * Appends the events at their workflows' next sequence numbers, skipping those whose identity is
   * already recorded, and wakes the workflows; emits the workflows reached, and flagged as refused
   * those whose history would have grown past {@code maxHistoryBytes} (nothing appended to them).
   */
  public Flux<Wake> appendAndWake(List<AppendEvent> events, long maxHistoryBytes) {
    if (events.isEmpty()) {
      return Flux.empty();
    }
    return Sql.query(
        connection,
        APPEND_AND_WAKE,
        row ->
            new Wake(
                row.get("id", UUID.class),
                WorkflowStatus.valueOf(row.get("status", String.class)),
                row.get("tenant_id", String.class),
                row.get("queue", String.class),
                row.get("current_sequence", Integer.class),
                Boolean.TRUE.equals(row.get("refused", Boolean.class))),
        Sql.column(events, AppendEvent::workflowId, UUID[]::new),
        Sql.column(events, AppendEvent::eventType, String[]::new),
        Sql.column(events, AppendEvent::dataJson, String[]::new),
        Sql.column(events, AppendEvent::identity, String[]::new),
        maxHistoryBytes);
  }

  /** Emits the workflow's whole log in sequence order. */
  public Flux<WorkflowEvent> list(UUID workflowId) {
    return Sql.query(
        connection,
        LIST,
        row ->
            new WorkflowEvent(
                row.get("sequence_number", Integer.class),
                row.get("event_type", String.class),
                row.get("data", String.class)),
        workflowId);
  }
}
