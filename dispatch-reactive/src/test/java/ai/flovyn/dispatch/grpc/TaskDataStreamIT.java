package ai.flovyn.dispatch.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.StreamEventType;
import ai.flovyn.dispatch.proto.StreamTaskDataRequest;
import ai.flovyn.dispatch.proto.SubscribeTaskDataRequest;
import ai.flovyn.dispatch.proto.TaskDataEvent;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TaskFixtures;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * StreamTaskData and SubscribeTaskData over gRPC (docs/sdk-compatibility.md, ST1-ST3): live,
 * bounded, never stored.
 */
class TaskDataStreamIT {
  private static TestDatabase db;
  private static GrpcTestServer grpc;

  @BeforeAll
  static void startServer() {
    db = TestDatabase.create();
    grpc = GrpcTestServer.start(db);
  }

  @AfterAll
  static void stopServer() {
    grpc.close();
    db.close();
  }

  private static StreamTaskDataRequest.Builder event(UUID taskId, String workflowId, int sequence) {
    return StreamTaskDataRequest.newBuilder()
        .setTaskExecutionId(taskId.toString())
        .setWorkflowExecutionId(workflowId)
        .setSequence(sequence)
        .setType(StreamEventType.TOKEN)
        .setPayload("{\"type\":\"token\",\"text\":\"t" + sequence + "\"}")
        .setTimestampMs(1_700_000_000_000L + sequence);
  }

  private static boolean publish(StreamTaskDataRequest.Builder event) {
    return grpc.tasks().streamTaskData(event.build()).getAcknowledged();
  }

  private static double subscribers(GrpcTestServer server) {
    return server.registry().get("dispatch_task_data_subscribers").gauge().value();
  }

  /** Opens a subscription in its own cancellable context and waits until it is registered. */
  private static Iterator<TaskDataEvent> subscribe(
      GrpcTestServer server, Context.CancellableContext context, SubscribeTaskDataRequest request)
      throws Exception {
    double before = subscribers(server);
    Iterator<TaskDataEvent> events = context.call(() -> server.tasks().subscribeTaskData(request));
    Await.until(() -> subscribers(server) == before + 1, "the subscription to register");
    return events;
  }

  private static SubscribeTaskDataRequest byTask(UUID taskId) {
    return SubscribeTaskDataRequest.newBuilder().setTaskExecutionId(taskId.toString()).build();
  }

  private static Status.Code codeOf(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  @Test
  void aTaskSubscriberReceivesEveryEventAsSentInArrivalOrderWithoutDeduplication()
      throws Exception {
    TaskFixtures.Scheduled task = TaskFixtures.schedule(grpc, "llm");
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<TaskDataEvent> events = subscribe(grpc, context, byTask(task.taskId()));

    // FFI and NAPI workers send sequence 0 for every event
    assertTrue(publish(event(task.taskId(), task.workflowId(), 0)));
    assertTrue(
        publish(
            event(task.taskId(), task.workflowId(), 0)
                .setType(StreamEventType.PROGRESS)
                .setPayload("{\"type\":\"progress\",\"progress\":0.5}")));
    assertTrue(publish(event(task.taskId(), task.workflowId(), 0)));

    TaskDataEvent first = events.next();
    assertEquals(task.taskId().toString(), first.getTaskExecutionId());
    assertEquals(task.workflowId(), first.getWorkflowExecutionId());
    assertEquals(StreamEventType.TOKEN, first.getType());
    assertEquals("{\"type\":\"token\",\"text\":\"t0\"}", first.getPayload());
    assertEquals(1_700_000_000_000L, first.getTimestampMs());
    assertTrue(first.getReceivedAtMs() > 1_700_000_000_000L);
    assertEquals(StreamEventType.PROGRESS, events.next().getType());
    assertEquals(first.getPayload(), events.next().getPayload());

    context.cancel(null);
    Await.until(() -> subscribers(grpc) == 0, "the cancelled subscription to go away");
  }

  @Test
  void aWorkflowSubscriberFollowsEveryTaskOfItsWorkflowOnly() throws Exception {
    TaskFixtures.Scheduled task = TaskFixtures.schedule(grpc, "llm");
    TaskFixtures.Scheduled other = TaskFixtures.schedule(grpc, "llm");
    UUID sibling = UUID.randomUUID();
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<TaskDataEvent> events =
        subscribe(
            grpc,
            context,
            SubscribeTaskDataRequest.newBuilder()
                .setWorkflowExecutionId(task.workflowId())
                .build());

    publish(event(task.taskId(), task.workflowId(), 1));
    publish(event(other.taskId(), other.workflowId(), 2));
    publish(event(sibling, task.workflowId(), 3));

    assertEquals(1, events.next().getSequence());
    TaskDataEvent second = events.next();
    assertEquals(3, second.getSequence());
    assertEquals(sibling.toString(), second.getTaskExecutionId());
    context.cancel(null);
  }

  @Test
  void streamingIsAcknowledgedWithoutSubscribersOrDatabaseAndStoresNothing() {
    long events = db.scalar("SELECT count(*) FROM workflow_events");
    long logs = db.scalar("SELECT count(*) FROM task_logs");

    // ids are checked only for their form: no database round trip per event
    assertTrue(publish(event(UUID.randomUUID(), "", 0)));
    assertTrue(publish(event(UUID.randomUUID(), UUID.randomUUID().toString(), 7)));

    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(() -> publish(event(UUID.randomUUID(), "", 0).setTaskExecutionId("nope"))));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(() -> publish(event(UUID.randomUUID(), "not-a-workflow", 0))));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(() -> publish(event(UUID.randomUUID(), "", 0).setPayload("x".repeat(300_000)))));
    assertEquals(events, db.scalar("SELECT count(*) FROM workflow_events"));
    assertEquals(logs, db.scalar("SELECT count(*) FROM task_logs"));
  }

  @Test
  void aSubscriptionNamesExactlyOneExistingTaskOrWorkflow() {
    UUID taskId = TaskFixtures.schedule(grpc, "llm").taskId();

    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(
            () ->
                grpc.tasks()
                    .subscribeTaskData(SubscribeTaskDataRequest.getDefaultInstance())
                    .hasNext()));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(
            () ->
                grpc.tasks()
                    .subscribeTaskData(
                        SubscribeTaskDataRequest.newBuilder()
                            .setTaskExecutionId(taskId.toString())
                            .setWorkflowExecutionId(UUID.randomUUID().toString())
                            .build())
                    .hasNext()));
    assertEquals(
        Status.Code.NOT_FOUND,
        codeOf(() -> grpc.tasks().subscribeTaskData(byTask(UUID.randomUUID())).hasNext()));
    assertEquals(
        Status.Code.NOT_FOUND,
        codeOf(
            () ->
                grpc.tasks()
                    .subscribeTaskData(
                        SubscribeTaskDataRequest.newBuilder()
                            .setWorkflowExecutionId(UUID.randomUUID().toString())
                            .build())
                    .hasNext()));
  }

  @Test
  void aSlowSubscriberLosesEventsButNeverHoldsUpThePublisher() throws Exception {
    TaskFixtures.Scheduled task = TaskFixtures.schedule(grpc, "llm");
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<TaskDataEvent> slow = subscribe(grpc, context, byTask(task.taskId()));
    double droppedBefore = grpc.registry().get("dispatch_task_data_dropped").counter().count();
    int sent = 3000;

    // nobody reads yet: every call is still acknowledged at once
    for (int i = 0; i < sent; i++) {
      assertTrue(publish(event(task.taskId(), task.workflowId(), i)));
    }

    int dropped =
        (int) (grpc.registry().get("dispatch_task_data_dropped").counter().count() - droppedBefore);
    assertTrue(dropped > 0, "the bounded buffer overflowed");
    // what was not dropped arrives, in the order it was sent
    Set<Integer> seen = new HashSet<>();
    int last = -1;
    for (int i = 0; i < sent - dropped; i++) {
      int sequence = slow.next().getSequence();
      assertTrue(sequence > last, "in order");
      last = sequence;
      seen.add(sequence);
    }
    assertEquals(sent - dropped, seen.size());
    assertTrue(seen.contains(0), "the oldest events were kept, the newest dropped");
    context.cancel(null);
  }

  @Test
  void subscriptionsEndCleanlyWhenDispatchStops() throws Exception {
    GrpcTestServer server = GrpcTestServer.start(db);
    try {
      UUID taskId = TaskFixtures.schedule(server, "llm").taskId();
      Iterator<TaskDataEvent> events =
          subscribe(server, Context.current().withCancellation(), byTask(taskId));

      server.dispatch().stopSubscriptions();

      assertFalse(events.hasNext(), "the stream completed normally");
      Await.until(() -> subscribers(server) == 0, "the subscription to go away");
    } finally {
      server.close();
    }
  }
}
