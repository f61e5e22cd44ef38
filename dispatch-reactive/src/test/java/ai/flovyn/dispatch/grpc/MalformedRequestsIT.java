package ai.flovyn.dispatch.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.proto.CommandBatch;
import ai.flovyn.dispatch.proto.CommandBatchAck;
import ai.flovyn.dispatch.proto.ResolvePromiseRequest;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.testing.Commands;
import ai.flovyn.dispatch.testing.SocketTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests the server cannot read, or must not echo, over a real socket: each gets a prompt
 * INVALID_ARGUMENT, the stream goes on, and the connection stays usable.
 */
class MalformedRequestsIT {
  /** Field 1 (a string) holding the bytes FF FE: not UTF-8. */
  private static final byte[] INVALID_UTF8 = {0x0a, 0x02, (byte) 0xff, (byte) 0xfe};

  /** Field 1 as a varint whose continuation bit promises bytes that never come. */
  private static final byte[] TRUNCATED_VARINT = {0x08, (byte) 0xff};

  /** Field 1 with wire type 7, which does not exist. */
  private static final byte[] WRONG_WIRE_TYPE = {0x0f, 0x01};

  private static TestDatabase db;
  private static SocketTestServer server;

  @BeforeAll
  static void start() {
    db = TestDatabase.create();
    server = SocketTestServer.start(db.connectionFactory(), DispatchOptions.defaults());
  }

  @AfterAll
  static void stop() {
    server.close();
    db.close();
  }

  @Test
  void unreadableUnaryRequestsAreInvalidArgumentNamingTheType() {
    String method = WorkflowDispatchGrpc.getStartWorkflowMethod().getFullMethodName();
    long before = db.scalar("SELECT count(*) FROM workflow_executions");
    for (byte[] body : List.of(INVALID_UTF8, TRUNCATED_VARINT, WRONG_WIRE_TYPE)) {
      Status status = server.callRaw(method, MethodType.UNARY, body);
      assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), status.toString());
      assertTrue(
          status.getDescription().contains("flovyn.v1.StartWorkflowRequest"),
          status.getDescription());
    }
    assertEquals(before, db.scalar("SELECT count(*) FROM workflow_executions"));
  }

  @Test
  void aClientSendingTheMarkerFieldItselfIsServedNormally() {
    byte[] valid = Commands.start("tenant-forge", "q").toByteArray();
    byte[] forged =
        concat(valid, fieldBytes(UnreadableRequests.MARKER_FIELD, "not unreadable".getBytes()));
    Status status =
        server.callRaw(
            WorkflowDispatchGrpc.getStartWorkflowMethod().getFullMethodName(),
            MethodType.UNARY,
            forged);
    assertEquals(Status.Code.OK, status.getCode(), status.toString());
  }

  @Test
  void unreadableRequestsOfEveryMethodAreInvalidArgument() {
    server
        .methods()
        .forEach(
            method -> {
              if (method.getType() == MethodType.BIDI_STREAMING) {
                return;
              }
              Status status =
                  server.callRaw(method.getFullMethodName(), method.getType(), INVALID_UTF8);
              assertEquals(
                  Status.Code.INVALID_ARGUMENT, status.getCode(), method.getFullMethodName());
            });
  }

  @Test
  void unreadableStreamMessageIsAckedInvalidArgumentAndTheStreamGoesOn() throws Exception {
    String unknownWorkflow = UUID.randomUUID().toString();
    byte[] readable = batch("first", unknownWorkflow).toByteArray();
    // request_id "second" is read, then the batch's workflow_execution_id is not UTF-8
    byte[] unreadable = concat(fieldBytes(1, "second".getBytes()), nested(2, INVALID_UTF8));
    byte[] readableAgain = batch("third", unknownWorkflow).toByteArray();

    List<CommandBatchAck> acks = stream(List.of(readable, unreadable, readableAgain));

    assertEquals(3, acks.size(), acks.toString());
    CommandBatchAck second =
        acks.stream().filter(ack -> ack.getRequestId().equals("second")).findFirst().orElseThrow();
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), second.getCode());
    assertTrue(second.getMessage().contains("flovyn.v1.CommandBatch"), second.getMessage());
    for (String id : List.of("first", "third")) {
      CommandBatchAck ack =
          acks.stream().filter(each -> each.getRequestId().equals(id)).findFirst().orElseThrow();
      assertEquals(Status.Code.NOT_FOUND.value(), ack.getCode(), ack.toString());
    }
  }

  @Test
  void hugePromiseIdIsPromptlyInvalidAndTheConnectionStaysUsable() {
    String huge = "p".repeat(70_000);
    WorkflowDispatchGrpc.WorkflowDispatchBlockingStub stub =
        WorkflowDispatchGrpc.newBlockingStub(server.channel())
            .withDeadlineAfter(10, TimeUnit.SECONDS);
    StatusRuntimeException error =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () ->
                stub.resolvePromise(ResolvePromiseRequest.newBuilder().setPromiseId(huge).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
    assertTrue(error.getStatus().getDescription().length() <= StatusMapping.MAX_DESCRIPTION);

    String next =
        WorkflowDispatchGrpc.newBlockingStub(server.channel())
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .startWorkflow(Commands.start("tenant-next", "q"))
            .getWorkflowExecutionId();
    assertEquals(36, next.length());
  }

  @Test
  void nulInATextFieldIsInvalidArgumentNamingTheField() {
    StatusRuntimeException error =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () ->
                TaskExecutionGrpc.newBlockingStub(server.channel())
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .pollTask(
                        ai.flovyn.dispatch.proto.PollTaskRequest.newBuilder()
                            .setTenantId("t")
                            .setQueue("q\u0000")
                            .setWorkerId("w")
                            .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
    assertTrue(error.getStatus().getDescription().startsWith("queue"));

    StartWorkflowRequest withNul =
        Commands.start("tenant-nul", "q").toBuilder().putMetadata("k", "v\u0000").build();
    StatusRuntimeException startError =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () ->
                WorkflowDispatchGrpc.newBlockingStub(server.channel())
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .startWorkflow(withNul));
    assertEquals(Status.Code.INVALID_ARGUMENT, startError.getStatus().getCode());
    assertEquals(
        0, db.scalar("SELECT count(*) FROM workflow_executions WHERE tenant_id = 'tenant-nul'"));
  }

  private static CommandBatch batch(String requestId, String workflowId) {
    return CommandBatch.newBuilder()
        .setRequestId(requestId)
        .setBatch(
            SubmitWorkflowCommandsRequest.newBuilder().setWorkflowExecutionId(workflowId).build())
        .build();
  }

  private static List<CommandBatchAck> stream(List<byte[]> messages) throws Exception {
    ClientCall<byte[], byte[]> call =
        server
            .channel()
            .newCall(
                SocketTestServer.rawMethod(
                    WorkflowDispatchGrpc.getStreamWorkflowCommandsMethod().getFullMethodName(),
                    MethodType.BIDI_STREAMING),
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS));
    List<CommandBatchAck> acks = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<byte[]> requests =
        ClientCalls.asyncBidiStreamingCall(
            call,
            new StreamObserver<>() {
              @Override
              public void onNext(byte[] value) {
                try {
                  acks.add(CommandBatchAck.parseFrom(value));
                } catch (InvalidProtocolBufferException e) {
                  done.completeExceptionally(e);
                }
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(null);
              }
            });
    messages.forEach(requests::onNext);
    requests.onCompleted();
    done.get(20, TimeUnit.SECONDS);
    return acks;
  }

  private static byte[] nested(int field, byte[] message) {
    return fieldBytes(field, message);
  }

  private static byte[] fieldBytes(int field, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // the tag as a varint: field number and wire type 2 (length-delimited)
    for (long tag = ((long) field << 3) | 2; ; tag >>>= 7) {
      if (tag < 0x80) {
        out.write((int) tag);
        break;
      }
      out.write((int) (tag & 0x7f) | 0x80);
    }
    out.write(value.length);
    out.writeBytes(value);
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }
}
