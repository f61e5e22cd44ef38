package ai.flovyn.dispatch.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.store.Announcer;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.support.DispatchMetrics;
import ai.flovyn.dispatch.testing.TestClock;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What the tests of one maintenance chore share: a fresh database, a library over it without
 * background services (nothing runs but the chore under test) on a clock the test moves, and the
 * chore's service loop, awaited through its test signal.
 */
final class ChoreFixture implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String TENANT = "t";

  final TestDatabase db;
  final TestClock clock = new TestClock();
  final DispatchOptions options;
  final Dispatch dispatch;
  final Transactor transactor;
  final DispatchMetrics metrics = new DispatchMetrics(new SimpleMeterRegistry());

  private ChoreFixture(DispatchOptions options) {
    this.db = TestDatabase.create();
    this.options = options.toBuilder().background(false).build();
    this.dispatch =
        Dispatch.builder(db.connectionFactory()).options(this.options).clock(clock).build();
    this.transactor = new Transactor(db.connectionFactory(), new Announcer(db.connectionFactory()));
  }

  static ChoreFixture create() {
    return create(DispatchOptions.defaults());
  }

  static ChoreFixture create(DispatchOptions options) {
    return new ChoreFixture(options);
  }

  /**
   * Starts {@code chore}'s service (batches of {@code limit}, sleeps of an hour at most) and waits,
   * on its test signal, for the first run that handled an item or failed; stops it again.
   */
  MaintenanceService.Run firstBusyRun(Chore chore, int limit) throws Exception {
    return firstRun(chore, limit, run -> run.items() > 0 || run.error() != null);
  }

  /** As {@link #firstBusyRun}, for the first run {@code which} accepts. */
  MaintenanceService.Run firstRun(Chore chore, int limit, Predicate<MaintenanceService.Run> which)
      throws Exception {
    try (MaintenanceService service =
        new MaintenanceService(chore, limit, Duration.ofHours(1), clock, metrics)) {
      CompletableFuture<MaintenanceService.Run> run =
          service.runs().filter(which).next().toFuture();
      service.start();
      return run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  /** One more batch of {@code chore} now, by the clock; how many items it handled. */
  int runOnce(Chore chore) {
    return chore.run(clock.instant(), 500).block(WAIT);
  }

  /** A workflow of {@code queue}, claimed by worker "w" (RUNNING, its lease started). */
  UUID claimedWorkflow(String queue) {
    UUID id =
        dispatch
            .startWorkflow(
                Scope.unrestricted(), StartWorkflow.builder(TENANT, "k").queue(queue).build())
            .block(WAIT)
            .workflowExecutionId();
    assertEquals(
        id,
        dispatch
            .pollWorkflow(Scope.unrestricted(), TENANT, queue, List.of(), null, "w", Duration.ZERO)
            .block(WAIT)
            .id());
    return id;
  }

  /** Applies a batch of the claimed {@code workflow}. */
  void batch(UUID workflow, RequestedStatus status, Command... commands) {
    dispatch
        .submitCommands(Scope.unrestricted(), new CommandBatch(workflow, List.of(commands), status))
        .block(WAIT);
  }

  /** A standalone task of {@code queue}, claimed by worker {@code worker} (RUNNING). */
  UUID claimedTask(String queue, String worker, int maxRetries) {
    UUID id =
        dispatch
            .submitTask(
                Scope.unrestricted(),
                SubmitTask.builder(TENANT, "job").queue(queue).maxRetries(maxRetries).build())
            .block(WAIT)
            .taskExecutionId();
    assertEquals(
        id,
        dispatch
            .pollTask(Scope.unrestricted(), TENANT, queue, null, worker, Duration.ZERO)
            .block(WAIT)
            .id());
    return id;
  }

  /** The workflow's event types, in order. */
  List<String> eventTypes(UUID workflow) {
    return events(workflow).stream().map(row -> (String) row.get("event_type")).toList();
  }

  /** The workflow's events (event_type, event_data as text), in order. */
  List<Map<String, Object>> events(UUID workflow) {
    return db.rows(
        "SELECT event_type, event_data::text AS data FROM workflow_events"
            + " WHERE workflow_execution_id = ? ORDER BY sequence_number",
        workflow);
  }

  /** One column of one row. */
  Object value(String sql, Object... args) {
    return db.rows(sql, args).get(0).values().iterator().next();
  }

  @Override
  public void close() {
    dispatch.close();
    db.close();
  }
}
