package ai.flovyn.dispatch.grpc;

import static ai.flovyn.dispatch.testing.Commands.batch;
import static ai.flovyn.dispatch.testing.Commands.scheduleTask;
import static ai.flovyn.dispatch.testing.Commands.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.proto.CommandBatch;
import ai.flovyn.dispatch.proto.CommandBatchAck;
import ai.flovyn.dispatch.proto.ReactorWorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.ScheduleTaskCommand;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.BatchPath;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.Empty;
import io.grpc.Status;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import reactor.core.publisher.Flux;

/** StreamWorkflowCommands (acks per request id) and group commit (each batch stays atomic). */
@BatchPath.Both
class StreamAndGroupCommitIT {
  private static TestDatabase db;
  private static GrpcTestServer grpc;

  // this run's path (BatchPath.Both), which the set-up takes as its argument
  @Parameter BatchPath path;

  @BeforeParameterizedClassInvocation
  static void startServer(BatchPath path) {
    db = TestDatabase.create();
    // one committer: concurrent batches must queue behind it and share the next transaction
    grpc =
        GrpcTestServer.start(
            db, path.options(DispatchOptions.defaults().toBuilder().groupCommit(1, 64).build()));
  }

  @AfterParameterizedClassInvocation
  static void stopServer() {
    grpc.close();
    db.close();
  }

  private static String newWorkflow() {
    return Commands.startClaimed(grpc.workflows(), start("tenant-s", "stream"));
  }

  private static long tasksOf(String workflowId) {
    return db.scalar(
        "SELECT count(*) FROM task_executions WHERE workflow_execution_id = ?::uuid", workflowId);
  }

  @Test
  void aStreamAcksEveryBatchByRequestIdAndSurvivesAFailingOne() {
    List<String> workflows = IntStream.range(0, 5).mapToObj(i -> newWorkflow()).toList();
    List<CommandBatch> batches = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String workflowId = workflows.get(i % workflows.size());
      var commands =
          List.of(
              scheduleTask(UUID.randomUUID(), "streamed"),
              scheduleTask(UUID.randomUUID(), "streamed"));
      if (i == 7) {
        commands =
            List.of(
                scheduleTask(
                    ScheduleTaskCommand.newBuilder().setTaskExecutionId("bad").setTaskType("x")));
      }
      batches.add(
          CommandBatch.newBuilder()
              .setRequestId("req-" + i)
              .setBatch(batch(workflowId, commands))
              .build());
    }

    List<CommandBatchAck> acks =
        ReactorWorkflowDispatchGrpc.newReactorStub(grpc.channel())
            .streamWorkflowCommands(Flux.fromIterable(batches))
            .collectList()
            .block(Duration.ofSeconds(60));

    Map<String, CommandBatchAck> byId =
        acks.stream().collect(Collectors.toMap(CommandBatchAck::getRequestId, ack -> ack));
    assertEquals(20, byId.size());
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), byId.get("req-7").getCode());
    assertTrue(
        byId.get("req-7").getMessage().contains("commands[0].schedule_task.task_execution_id"));
    assertEquals(19, acks.stream().filter(ack -> ack.getCode() == 0).count());
    assertEquals(38, workflows.stream().mapToLong(StreamAndGroupCommitIT::tasksOf).sum());
  }

  @Test
  void aBlockedDatabaseStopsTheStreamAtEightBatchesInFlightAndSlowsTheClient() throws Exception {
    String workflowId = newWorkflow();
    AtomicInteger sent = new AtomicInteger();
    Flux<CommandBatch> batches =
        Flux.range(0, 100)
            .map(
                i ->
                    CommandBatch.newBuilder()
                        .setRequestId("big-" + i)
                        .setBatch(
                            batch(
                                workflowId,
                                IntStream.range(0, 100)
                                    .mapToObj(t -> scheduleTask(UUID.randomUUID(), "backpressured"))
                                    .toList()))
                        .build())
            .doOnNext(batch -> sent.incrementAndGet());
    try (Connection blocker = db.jdbc()) {
      // the "slow database": every batch of the stream waits for this lock on its workflow
      blocker.setAutoCommit(false);
      try (Statement lock = blocker.createStatement()) {
        lock.execute(
            "SELECT 1 FROM workflow_executions WHERE id = '" + workflowId + "' FOR UPDATE");
      }
      CompletableFuture<List<CommandBatchAck>> acks =
          ReactorWorkflowDispatchGrpc.newReactorStub(grpc.channel())
              .streamWorkflowCommands(batches)
              .collectList()
              .toFuture();

      Await.until(() -> inFlight() == 8, "eight batches of the stream in flight");
      int stalledAt = Await.stable(sent::get);
      assertEquals(8, inFlight(), "no more than eight batches of one stream are applied at once");
      assertTrue(stalledAt < 100, "the client was held back: it sent " + stalledAt + " of 100");
      blocker.rollback();

      List<CommandBatchAck> all = acks.get(60, TimeUnit.SECONDS);
      assertEquals(100, all.stream().filter(ack -> ack.getCode() == 0).count());
      assertEquals(10_000, tasksOf(workflowId));
    }
  }

  private static double inFlight() {
    return grpc.registry().get("dispatch_command_batches_in_flight").gauge().value();
  }

  @Test
  void concurrentSmallBatchesShareTransactionsYetFailAlone() throws Exception {
    List<String> workflows = IntStream.range(0, 40).mapToObj(i -> newWorkflow()).toList();
    UUID taken = UUID.randomUUID();
    String owner = newWorkflow();
    grpc.workflows().submitWorkflowCommands(batch(owner, List.of(scheduleTask(taken, "owned"))));

    List<ListenableFuture<Empty>> calls = new ArrayList<>();
    for (int i = 0; i < workflows.size(); i++) {
      boolean bad = i % 4 == 0; // a collision, found only in the database
      calls.add(
          grpc.workflowsAsync()
              .submitWorkflowCommands(
                  batch(
                      workflows.get(i),
                      List.of(
                          scheduleTask(UUID.randomUUID(), "small"),
                          scheduleTask(
                              bad ? taken : UUID.randomUUID(), bad ? "owned" : "small")))));
    }
    for (int i = 0; i < calls.size(); i++) {
      if (i % 4 == 0) {
        ExecutionException error =
            org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class, calls.get(i)::get);
        assertEquals(
            Status.Code.FAILED_PRECONDITION, Status.fromThrowable(error.getCause()).getCode());
        assertEquals(0, tasksOf(workflows.get(i)), "the failed batch left nothing");
        assertEquals(
            1,
            db.scalar(
                "SELECT count(*) FROM workflow_events WHERE workflow_execution_id = ?::uuid",
                workflows.get(i)));
      } else {
        calls.get(i).get(30, TimeUnit.SECONDS);
        assertEquals(2, tasksOf(workflows.get(i)));
      }
    }
    String scrape = grpc.registry().scrape();
    double maxGroup =
        scrape
            .lines()
            .filter(line -> line.startsWith("dispatch_command_batch_group_size_max"))
            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .max()
            .orElse(0);
    assertTrue(maxGroup > 1, "batches shared a transaction: largest group " + maxGroup);
  }
}
