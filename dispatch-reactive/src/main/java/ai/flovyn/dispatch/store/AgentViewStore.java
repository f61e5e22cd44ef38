package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.AgentEntry;
import ai.flovyn.dispatch.domain.AgentExecution;
import ai.flovyn.dispatch.domain.AgentSignalRecord;
import ai.flovyn.dispatch.domain.AgentStatus;
import ai.flovyn.dispatch.domain.AgentTask;
import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.domain.TokenUsage;
import ai.flovyn.dispatch.query.AgentFilter;
import ai.flovyn.dispatch.query.Cursor;
import ai.flovyn.dispatch.query.ListPage;
import ai.flovyn.dispatch.query.Page;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The operator's reads of agents (lists, counts, an agent's tasks and signals): reads only, every
 * value a client gave a bind value. Lists are ordered {@code created_at DESC, id DESC}, which
 * migration 025's {@code (tenant_id, created_at DESC)} index serves; counts stop at {@value
 * ListPage#EXACT_UP_TO} + 1 rows, as the workflow counts do.
 */
public final class AgentViewStore {
  private static final int CAP = ListPage.EXACT_UP_TO + 1;

  // the list shows no payloads: input and output are read by the detail only
  private static final String SUMMARY_COLUMNS =
      "a.id, a.tenant_id, a.kind, a.queue, a.worker_pool_id, a.metadata, a.persistence_mode,"
          + " a.parent_execution_id, a.status, a.current_checkpoint_seq, a.worker_id,"
          + " left(a.error, 1000) AS error, a.failure_type,"
          + " (extract(epoch FROM a.created_at) * 1000000)::bigint AS created_us,"
          + " (extract(epoch FROM a.started_at) * 1000)::bigint AS started_ms,"
          + " (extract(epoch FROM a.updated_at) * 1000)::bigint AS updated_ms,"
          + " (extract(epoch FROM a.completed_at) * 1000)::bigint AS completed_ms";

  // $1 tenant (NULL: any), $2 statuses, $3 kinds, $4 queues, $5 parent
  private static final String MATCHING =
      "($1::varchar IS NULL OR a.tenant_id = $1)"
          + " AND (cardinality($2::text[]) = 0 OR a.status = ANY($2::text[]))"
          + " AND (cardinality($3::text[]) = 0 OR a.kind = ANY($3::text[]))"
          + " AND (cardinality($4::text[]) = 0 OR a.queue = ANY($4::text[]))"
          + " AND ($5::uuid IS NULL OR a.parent_execution_id = $5)";

  // $6/$7 the cursor (created_at in microseconds, id) or NULLs, $8 limit, $9 offset
  private static final String PAGE =
      "SELECT "
          + SUMMARY_COLUMNS
          + " FROM agent_executions a WHERE "
          + MATCHING
          + " AND ($6::bigint IS NULL OR (a.created_at, a.id)"
          + " < (timestamptz 'epoch' + $6::bigint * interval '1 microsecond', $7::uuid))"
          + " ORDER BY a.created_at DESC, a.id DESC LIMIT $8 OFFSET $9";

  private static final String COUNTS =
      "SELECT status, count(*) AS n FROM (SELECT a.status FROM agent_executions a WHERE "
          + MATCHING
          + " LIMIT "
          + CAP
          + ") AS matched GROUP BY status";

  private static final String TASKS =
      "SELECT id, agent_execution_id, task_type, status, queue, input, output, error,"
          + " execution_count, max_retries, worker_id,"
          + " (extract(epoch FROM created_at) * 1000)::bigint AS created_ms,"
          + " (extract(epoch FROM started_at) * 1000)::bigint AS started_ms,"
          + " (extract(epoch FROM completed_at) * 1000)::bigint AS completed_ms"
          + " FROM task_executions WHERE agent_execution_id = $1"
          + " ORDER BY created_at, id LIMIT $2";

  private static final String SIGNALS =
      "SELECT id, name, value, sender_execution_id,"
          + " (extract(epoch FROM created_at) * 1000)::bigint AS created_ms,"
          + " (extract(epoch FROM consumed_at) * 1000)::bigint AS consumed_ms"
          + " FROM agent_signals WHERE agent_execution_id = $1 ORDER BY position LIMIT $2";

  private static final String ENTRIES =
      "SELECT position, id, parent_id, entry_type, role, content, turn_id, input_tokens,"
          + " output_tokens, cache_read_tokens, cache_write_tokens,"
          + " (extract(epoch FROM created_at) * 1000)::bigint AS created_ms"
          + " FROM agent_entries WHERE agent_execution_id = $1 AND position > $2"
          + " ORDER BY position LIMIT $3";

  private static final String EXISTS =
      "SELECT a.id FROM agent_executions a WHERE a.id = $1" + Sql.tenantIs("a.tenant_id", 2);

  private final Connection connection;

  AgentViewStore(Connection connection) {
    this.connection = connection;
  }

  /**
   * Whether the tenant (null: any) has the agent; a plain read, so that an operator looking at a
   * RUNNING agent never renews its worker's lease.
   */
  public Mono<Boolean> exists(String tenant, UUID agent) {
    return Sql.query(connection, EXISTS, row -> true, agent, Sql.text(tenant)).hasElements();
  }

  /** One page plus one row (its presence says there is a next page), without payloads. */
  public Flux<AgentExecution> page(String tenant, AgentFilter filter, Page page) {
    Cursor cursor = page.cursor();
    return Sql.query(
        connection,
        PAGE,
        AgentViewStore::toSummary,
        binds(
            tenant,
            filter,
            cursor == null
                ? Sql.NULL_LONG
                : (Object) ChronoUnit.MICROS.between(Instant.EPOCH, cursor.createdAt()),
            cursor == null ? Sql.NULL_UUID : cursor.id(),
            page.limit() + 1,
            page.offset()));
  }

  /**
   * How many agents match, by status (every status present, zero included); {@code estimated} when
   * the cap was reached.
   */
  public Mono<Counted> counts(String tenant, AgentFilter filter) {
    return Sql.query(
            connection,
            COUNTS,
            row -> Map.entry(row.get("status", String.class), row.get("n", Long.class)),
            binds(tenant, filter))
        .collectList()
        .map(
            rows -> {
              Map<String, Long> counts = new LinkedHashMap<>();
              for (AgentStatus status : AgentStatus.values()) {
                counts.put(status.name(), 0L);
              }
              long total = 0;
              for (Map.Entry<String, Long> row : rows) {
                counts.put(row.getKey(), row.getValue());
                total += row.getValue();
              }
              return new Counted(counts, total, total >= CAP);
            });
  }

  /** Counts by status and whether the cap made them partial. */
  public record Counted(Map<String, Long> counts, long total, boolean estimated) {}

  /** The agent's first {@code limit} tasks, ascending by creation. */
  public Flux<AgentTask> tasks(UUID agent, int limit) {
    return Sql.query(connection, TASKS, AgentViewStore::toTask, agent, limit);
  }

  /** The agent's first {@code limit} signals, in arrival order, consumed or not. */
  public Flux<AgentSignalRecord> signals(UUID agent, int limit) {
    return Sql.query(connection, SIGNALS, AgentViewStore::toSignal, agent, limit);
  }

  /** An entry and its position in the agent (from 1), the paging key of the entries. */
  public record PositionedEntry(int position, AgentEntry entry) {}

  /** At most {@code limit} entries after position {@code after} (0: from the first). */
  public Flux<PositionedEntry> entries(UUID agent, int after, int limit) {
    return Sql.query(connection, ENTRIES, AgentViewStore::toEntry, agent, after, limit);
  }

  private static PositionedEntry toEntry(Readable row) {
    Long input = row.get("input_tokens", Long.class);
    Long output = row.get("output_tokens", Long.class);
    TokenUsage usage =
        input == null
            ? null
            : new TokenUsage(
                input,
                output == null ? 0 : output,
                row.get("cache_read_tokens", Long.class),
                row.get("cache_write_tokens", Long.class));
    return new PositionedEntry(
        row.get("position", Integer.class),
        new AgentEntry(
            row.get("id", UUID.class),
            row.get("parent_id", String.class),
            row.get("entry_type", String.class),
            row.get("role", String.class),
            Sql.bytes(row, "content"),
            row.get("turn_id", String.class),
            usage,
            Sql.millis(row, "created_ms")));
  }

  private static Object[] binds(String tenant, AgentFilter filter, Object... more) {
    Object[] base = {
      Sql.text(tenant),
      filter.statuses().stream().map(Enum::name).toArray(String[]::new),
      filter.kinds().toArray(String[]::new),
      filter.queues().toArray(String[]::new),
      Sql.uuid(filter.parentId())
    };
    Object[] all = new Object[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  private static AgentExecution toSummary(Readable row) {
    return new AgentExecution(
        row.get("id", UUID.class),
        row.get("tenant_id", String.class),
        row.get("kind", String.class),
        row.get("queue", String.class),
        row.get("worker_pool_id", String.class),
        null,
        Sql.bytes(row, "metadata"),
        row.get("persistence_mode", String.class),
        row.get("parent_execution_id", UUID.class),
        AgentStatus.valueOf(row.get("status", String.class)),
        row.get("current_checkpoint_seq", Integer.class),
        row.get("worker_id", String.class),
        null,
        row.get("error", String.class),
        row.get("failure_type", String.class),
        null,
        Instant.EPOCH.plus(row.get("created_us", Long.class), ChronoUnit.MICROS),
        Sql.millis(row, "started_ms"),
        Sql.millis(row, "updated_ms"),
        Sql.millis(row, "completed_ms"));
  }

  private static AgentTask toTask(Readable row) {
    return new AgentTask(
        row.get("id", UUID.class),
        row.get("agent_execution_id", UUID.class),
        row.get("task_type", String.class),
        TaskStatus.valueOf(row.get("status", String.class)),
        row.get("queue", String.class),
        nullable(row, "input"),
        nullable(row, "output"),
        row.get("error", String.class),
        row.get("execution_count", Integer.class),
        row.get("max_retries", Integer.class),
        row.get("worker_id", String.class),
        Sql.millis(row, "created_ms"),
        Sql.millis(row, "started_ms"),
        Sql.millis(row, "completed_ms"));
  }

  private static AgentSignalRecord toSignal(Readable row) {
    return new AgentSignalRecord(
        row.get("id", UUID.class),
        row.get("name", String.class),
        Sql.bytes(row, "value"),
        row.get("sender_execution_id", UUID.class),
        Sql.millis(row, "created_ms"),
        Sql.millis(row, "consumed_ms"));
  }

  private static byte[] nullable(Readable row, String column) {
    java.nio.ByteBuffer buffer = row.get(column, java.nio.ByteBuffer.class);
    if (buffer == null) {
      return null;
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  /** The list's order is its cursor's: the last item's creation time and id. */
  public static Cursor cursorOf(AgentExecution last) {
    return new Cursor(last.createdAt(), last.id());
  }
}
