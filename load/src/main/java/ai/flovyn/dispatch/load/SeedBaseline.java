package ai.flovyn.dispatch.load;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The seed's algorithm, reimplemented here as the baseline (not in the server): one transaction per
 * batch; per ScheduleTask one SELECT of the task by id, one INSERT of the task row, one UPDATE …
 * RETURNING that takes the next sequence number and one INSERT of the TASK_SCHEDULED event, so
 * round trips grow with the batch. Runs over the same R2DBC driver and pool as the service, against
 * the same schema and prepared workflows.
 */
final class SeedBaseline implements AutoCloseable {
  private static final String SELECT_WORKFLOW =
      "SELECT tenant_id, queue, traceparent FROM workflow_executions WHERE id = $1";
  private static final String SELECT_TASK =
      "SELECT id, workflow_execution_id, task_type FROM task_executions WHERE id = $1";
  private static final String INSERT_TASK =
      "INSERT INTO task_executions (id, tenant_id, workflow_execution_id, task_type, input, queue,"
          + " max_retries, priority_seconds, status, traceparent, order_key, visible_at)"
          + " VALUES ($1, $2, $3, $4, $5, $6, 3, 0, 'PENDING', $7, now(), now())";
  private static final String NEXT_SEQUENCE =
      "UPDATE workflow_executions SET current_sequence = current_sequence + 1, updated_at = now()"
          + " WHERE id = $1 RETURNING current_sequence";
  private static final String INSERT_EVENT =
      "INSERT INTO workflow_events (workflow_execution_id, sequence_number, event_type,"
          + " event_data) VALUES ($1, $2, 'TASK_SCHEDULED', $3::jsonb)";

  private final ConnectionPool pool;
  private final List<String> workflows;

  /** A workflow's columns that its tasks inherit. */
  private record WorkflowRow(String tenantId, String queue, String traceparent) {}

  SeedBaseline(
      String host, int port, String database, String user, int poolSize, List<String> workflows) {
    PostgresqlConnectionFactory factory =
        new PostgresqlConnectionFactory(
            PostgresqlConnectionConfiguration.builder()
                .host(host)
                .port(port)
                .database(database)
                .username(user)
                .build());
    this.pool =
        new ConnectionPool(
            ConnectionPoolConfiguration.builder(factory)
                .initialSize(poolSize)
                .maxSize(poolSize)
                .maxAcquireTime(Duration.ofSeconds(30))
                .build());
    this.workflows = workflows;
  }

  /** {@code concurrency} loops of one batch transaction after another, for {@code seconds}. */
  ThroughputResult run(int batch, int concurrency, double seconds) {
    ServiceLoad owners = new ServiceLoad(List.of(), workflows);
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    Latencies latencies = new Latencies();
    AtomicLong tasks = new AtomicLong();
    Map<String, Long> errors = new ConcurrentHashMap<>();
    Flux.range(0, concurrency)
        .flatMap(
            i -> worker(owners.owned(i, concurrency, 1), batch, deadline, latencies, tasks, errors),
            concurrency)
        .blockLast(Duration.ofSeconds((long) seconds + 120));
    double elapsed = (System.nanoTime() - start) / 1e9;
    return new ThroughputResult(
        "seed-baseline",
        batch,
        concurrency,
        tasks.get() / elapsed,
        tasks.get(),
        latencies.size(),
        elapsed,
        latencies.percentileMillis(50),
        latencies.percentileMillis(99),
        Map.copyOf(errors),
        errors.isEmpty() ? "" : "failed batches: " + errors);
  }

  private Mono<Void> worker(
      List<String> own,
      int batch,
      long deadline,
      Latencies latencies,
      AtomicLong tasks,
      Map<String, Long> errors) {
    AtomicLong next = new AtomicLong();
    return Mono.defer(
            () -> {
              UUID workflow = UUID.fromString(own.get((int) (next.getAndIncrement() % own.size())));
              long t0 = System.nanoTime();
              return transaction(workflow, batch)
                  .doOnSuccess(
                      ignored -> {
                        latencies.add(System.nanoTime() - t0);
                        tasks.addAndGet(batch);
                      })
                  .onErrorResume(
                      e -> {
                        errors.merge(e.getClass().getSimpleName(), 1L, Long::sum);
                        return Mono.empty();
                      });
            })
        .repeat(() -> System.nanoTime() < deadline)
        .then();
  }

  /** One batch: begin, the workflow, per task four statements, commit (rollback on error). */
  private Mono<Void> transaction(UUID workflow, int batch) {
    return Mono.usingWhen(
        pool.create(),
        connection ->
            Mono.from(connection.beginTransaction())
                .then(workflowRow(connection, workflow))
                .flatMap(
                    row ->
                        Flux.range(0, batch)
                            .concatMap(i -> scheduleTask(connection, workflow, row))
                            .then())
                .then(Mono.from(connection.commitTransaction())),
        Connection::close,
        (connection, error) ->
            Mono.from(connection.rollbackTransaction()).then(Mono.from(connection.close())),
        connection ->
            Mono.from(connection.rollbackTransaction()).then(Mono.from(connection.close())));
  }

  private static Mono<WorkflowRow> workflowRow(Connection connection, UUID workflow) {
    return Flux.from(connection.createStatement(SELECT_WORKFLOW).bind("$1", workflow).execute())
        .flatMap(
            result ->
                result.map(
                    (row, meta) ->
                        new WorkflowRow(
                            row.get("tenant_id", String.class),
                            row.get("queue", String.class),
                            row.get("traceparent", String.class))))
        .single();
  }

  private static Mono<Void> scheduleTask(Connection connection, UUID workflow, WorkflowRow row) {
    UUID taskId = UUID.fromString(Requests.newUuid());
    byte[] input = Requests.SMALL_INPUT.toByteArray();
    String eventData =
        "{\"taskType\":\""
            + BenchIds.TASK_TYPE
            + "\",\"taskExecutionId\":\""
            + taskId
            + "\",\"input\":"
            + new String(input, StandardCharsets.UTF_8)
            + "}";
    return Flux.from(connection.createStatement(SELECT_TASK).bind("$1", taskId).execute())
        .flatMap(result -> result.map((r, meta) -> r.get("id", UUID.class)))
        .hasElements()
        .flatMap(
            exists -> {
              if (exists) {
                return Mono.error(new IllegalStateException("task id " + taskId + " exists"));
              }
              return insertTask(connection, workflow, row, taskId, input)
                  .then(nextSequence(connection, workflow))
                  .flatMap(sequence -> insertEvent(connection, workflow, sequence, eventData));
            });
  }

  private static Mono<Void> insertTask(
      Connection connection, UUID workflow, WorkflowRow row, UUID taskId, byte[] input) {
    var statement =
        connection
            .createStatement(INSERT_TASK)
            .bind("$1", taskId)
            .bind("$2", row.tenantId())
            .bind("$3", workflow)
            .bind("$4", BenchIds.TASK_TYPE)
            .bind("$5", ByteBuffer.wrap(input))
            .bind("$6", row.queue());
    if (row.traceparent() == null) {
      statement.bindNull("$7", String.class);
    } else {
      statement.bind("$7", row.traceparent());
    }
    return Flux.from(statement.execute()).flatMap(Result::getRowsUpdated).then();
  }

  private static Mono<Integer> nextSequence(Connection connection, UUID workflow) {
    return Flux.from(connection.createStatement(NEXT_SEQUENCE).bind("$1", workflow).execute())
        .flatMap(result -> result.map((r, meta) -> r.get("current_sequence", Integer.class)))
        .single();
  }

  private static Mono<Void> insertEvent(
      Connection connection, UUID workflow, int sequence, String eventData) {
    return Flux.from(
            connection
                .createStatement(INSERT_EVENT)
                .bind("$1", workflow)
                .bind("$2", sequence)
                .bind("$3", eventData)
                .execute())
        .flatMap(Result::getRowsUpdated)
        .then();
  }

  @Override
  public void close() {
    pool.disposeLater().block(Duration.ofSeconds(10));
  }
}
