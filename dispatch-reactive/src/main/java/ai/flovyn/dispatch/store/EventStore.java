package ai.flovyn.dispatch.store;

import static ai.flovyn.dispatch.store.SqlFunction.Type.BIGINT;
import static ai.flovyn.dispatch.store.SqlFunction.Type.BIGINT_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.Type.BOOLEAN;
import static ai.flovyn.dispatch.store.SqlFunction.Type.BOOLEAN_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.Type.INTEGER;
import static ai.flovyn.dispatch.store.SqlFunction.Type.INTEGER_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.Type.TEXT_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.Type.UUID_ARRAY;
import static ai.flovyn.dispatch.store.SqlFunction.param;

import ai.flovyn.dispatch.domain.WorkflowEvent;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
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

  // Appends to locked workflows, after their last sequence numbers, the events whose identity the
  // log does not hold yet, numbered gaplessly in input order, in one round trip; emits per workflow
  // how many it appended and how many bytes they add to the history (the caller records both).
  // ReleaseStore calls it inside its release statement.
  static final SqlFunction APPEND_EVENTS =
      SqlFunction.of(
          "dispatch_append_events",
          param("p_workflows", UUID_ARRAY),
          param("p_after_sequences", INTEGER_ARRAY),
          param("p_rooms", BIGINT_ARRAY),
          param("p_event_workflows", UUID_ARRAY),
          param("p_types", TEXT_ARRAY),
          param("p_data", TEXT_ARRAY),
          param("p_identities", TEXT_ARRAY),
          param("p_refusable", BOOLEAN_ARRAY),
          param("p_all_or_nothing", BOOLEAN),
          param("p_event_overhead_bytes", INTEGER));

  // dispatch_append_events for workflows other than the caller's, each locked (in id order) and
  // woken: WAITING ones become PENDING, RUNNING ones remember to resume. Finished workflows are
  // skipped; those whose history would grow past the limit come back refused, nothing appended.
  private static final SqlFunction APPEND_AND_WAKE =
      SqlFunction.of(
          "dispatch_append_and_wake",
          param("p_workflows", UUID_ARRAY),
          param("p_types", TEXT_ARRAY),
          param("p_data", TEXT_ARRAY),
          param("p_identities", TEXT_ARRAY),
          param("p_refusable", BOOLEAN_ARRAY),
          param("p_all_or_nothing", BOOLEAN),
          param("p_max_history_bytes", BIGINT),
          param("p_event_overhead_bytes", INTEGER));

  // The workflow and its log in one statement (GetEvents runs on every activation): a workflow of
  // another tenant or none gives no row, one with an empty log a single row of NULLs.
  private static final String HISTORY =
      "SELECT e.sequence_number, e.event_type, e.event_data AS data"
          + " FROM workflow_executions w"
          + " LEFT JOIN workflow_events e ON e.workflow_execution_id = w.id"
          + " WHERE w.id = $1"
          + Sql.tenantIs("w.tenant_id", 2)
          + " ORDER BY e.sequence_number";

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
    Boolean[] refusable = new Boolean[types.length];
    Arrays.fill(refusable, false);
    UUID[] workflows = new UUID[types.length];
    Arrays.fill(workflows, workflowId);
    return Sql.call(
            connection,
            APPEND_EVENTS,
            row -> new Appended(row.get("appended", Integer.class), row.get("bytes", Long.class)),
            new UUID[] {workflowId},
            new Integer[] {afterSequence},
            // the caller checked the history's limit, and none of these events is refusable
            new Long[] {Long.MAX_VALUE},
            workflows,
            types,
            data,
            identities,
            refusable,
            false,
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
    return Sql.call(
        connection,
        APPEND_AND_WAKE,
        EventStore::toWake,
        Sql.column(events, AppendEvent::workflowId, UUID[]::new),
        Sql.column(events, AppendEvent::eventType, String[]::new),
        Sql.column(events, AppendEvent::dataJson, String[]::new),
        Sql.column(events, AppendEvent::identity, String[]::new),
        Sql.column(events, event -> true, Boolean[]::new),
        false,
        maxHistoryBytes,
        EVENT_OVERHEAD_BYTES);
  }

  private static Wake toWake(Readable row) {
    return new Wake(
        row.get("id", UUID.class),
        WorkflowStatus.valueOf(row.get("status", String.class)),
        row.get("tenant_id", String.class),
        row.get("queue", String.class),
        row.get("current_sequence", Integer.class),
        row.get("refused_at", Integer.class) != null);
  }

  /**
   * Emits the whole log of a workflow of {@code tenant} (any when null) in sequence order, each
   * event present, after one empty value when the workflow exists with no event; emits nothing when
   * it does not exist or belongs to another tenant. One statement.
   */
  public Flux<Optional<WorkflowEvent>> history(String tenant, UUID workflowId) {
    return Sql.query(
        connection,
        HISTORY,
        row -> {
          Integer sequence = row.get("sequence_number", Integer.class);
          return sequence == null
              ? Optional.<WorkflowEvent>empty()
              : Optional.of(
                  new WorkflowEvent(
                      sequence,
                      row.get("event_type", String.class),
                      row.get("data", String.class)));
        },
        workflowId,
        Sql.text(tenant));
  }
}
