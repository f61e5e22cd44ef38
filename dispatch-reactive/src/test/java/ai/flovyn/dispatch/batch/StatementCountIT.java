package ai.flovyn.dispatch.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.domain.BatchResult;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.r2dbc.proxy.ProxyConnectionFactory;
import io.r2dbc.proxy.core.QueryExecutionInfo;
import io.r2dbc.proxy.listener.ProxyExecutionListener;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SQL a batch costs does not grow with the number of commands (set-based hot path). */
class StatementCountIT {
  private static TestDatabase db;
  private static final AtomicInteger statements = new AtomicInteger();
  private static Dispatch dispatch;

  @BeforeAll
  static void countingPipeline() {
    db = TestDatabase.create();
    ConnectionFactory counted =
        ProxyConnectionFactory.builder(db.connectionFactory())
            .listener(
                new ProxyExecutionListener() {
                  @Override
                  public void beforeQuery(QueryExecutionInfo execution) {
                    // post-commit announcements run asynchronously and are batched on their own
                    execution.getQueries().stream()
                        .filter(query -> !query.getQuery().contains("pg_notify"))
                        .forEach(query -> statements.incrementAndGet());
                  }
                })
            .build();
    dispatch =
        Dispatch.builder(counted)
            .options(DispatchOptions.defaults().toBuilder().background(false).build())
            .build();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  // started and claimed (a batch is accepted only from the worker holding the claim)
  private static UUID newWorkflow() {
    UUID id =
        dispatch
            .startWorkflow(
                Scope.unrestricted(),
                new StartWorkflow(
                    "t", "k", new byte[0], Map.of(), "q", 0, null, null, null, null, null, null))
            .block(Duration.ofSeconds(30))
            .workflowExecutionId();
    UUID claimed =
        dispatch
            .pollWorkflow(Scope.unrestricted(), "t", "q", List.of(), null, "w", Duration.ZERO)
            .block(Duration.ofSeconds(30))
            .id();
    assertEquals(id, claimed);
    return id;
  }

  private static int statementsFor(int tasks, int timers, int stateKeys) {
    UUID workflowId = newWorkflow();
    List<Command> commands = new ArrayList<>();
    IntStream.range(0, tasks)
        .forEach(
            i ->
                commands.add(
                    new Command.ScheduleTask(
                        UUID.randomUUID(),
                        "t" + (i % 7),
                        new byte[] {1},
                        null,
                        null,
                        null,
                        null,
                        null,
                        null)));
    IntStream.range(0, timers)
        .forEach(i -> commands.add(new Command.StartTimer("timer-" + i, 1000)));
    IntStream.range(0, stateKeys)
        .forEach(i -> commands.add(new Command.SetState("k" + i, new byte[] {2})));
    statements.set(0);
    BatchResult result =
        dispatch
            .submitCommands(
                Scope.unrestricted(),
                new CommandBatch(workflowId, commands, RequestedStatus.SUSPENDED))
            .block(Duration.ofSeconds(60));
    assertEquals(tasks, result.tasksCreated());
    return statements.get();
  }

  @Test
  void statementsPerBatchDoNotGrowWithTheNumberOfCommands() {
    int small = statementsFor(10, 2, 2);
    int large = statementsFor(1000, 200, 200);
    assertEquals(small, large, "same statement count for 14 and 1400 commands");
    assertTrue(small <= 12, "a mixed batch runs at most a dozen statements, ran " + small);
  }

  @Test
  void aTaskOnlyBatchIsAHandfulOfStatements() {
    int one = statementsFor(1, 0, 0);
    int thousand = statementsFor(1000, 0, 0);
    assertEquals(one, thousand);
    // dispatch_apply_batch: the lock, the tasks, the events and the workflow's
    // update in one call; the announcement goes out after the commit
    assertEquals(1, one, "a task-only batch is one statement");
  }
}
