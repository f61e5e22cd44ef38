package ai.flovyn.dispatch.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.proto.AgentCapability;
import ai.flovyn.dispatch.proto.ListWorkersRequest;
import ai.flovyn.dispatch.proto.PollTaskRequest;
import ai.flovyn.dispatch.proto.TaskCapability;
import ai.flovyn.dispatch.proto.WorkerHeartbeatRequest;
import ai.flovyn.dispatch.proto.WorkerInfo;
import ai.flovyn.dispatch.proto.WorkerLifecycleGrpc;
import ai.flovyn.dispatch.proto.WorkerRegistrationRequest;
import ai.flovyn.dispatch.proto.WorkerRegistrationResponse;
import ai.flovyn.dispatch.proto.WorkflowCapability;
import ai.flovyn.dispatch.testing.GrpcTestServer;
import ai.flovyn.dispatch.testing.TestDatabase;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RegisterWorker, SendHeartbeat and ListWorkers over gRPC against real PostgreSQL
 * (docs/sdk-compatibility.md, L1-L9).
 */
class WorkerLifecycleIT {
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

  private static WorkerLifecycleGrpc.WorkerLifecycleBlockingStub lifecycle() {
    return WorkerLifecycleGrpc.newBlockingStub(grpc.channel())
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** A registration filled the way the Rust SDK fills it, every capability field set. */
  private static WorkerRegistrationRequest.Builder rustRegistration(String tenant) {
    return WorkerRegistrationRequest.newBuilder()
        .setWorkerName("worker-" + UUID.randomUUID())
        .setWorkerVersion("1.0.0")
        .setWorkerType("UNIFIED")
        .setTenantId(tenant)
        .setTeamId(UUID.randomUUID().toString())
        .setHostName("host-1")
        .setProcessId("4242")
        .setMetadata(ByteString.copyFromUtf8("{}"))
        .addWorkflows(
            WorkflowCapability.newBuilder()
                .setKind("order-flow")
                .setName("Order flow")
                .setDescription("ships orders")
                .setTimeoutSeconds(600)
                .setCancellable(true)
                .addTags("shop")
                .setVersion("1.0.0")
                .setContentHash("abc")
                .setInputSchema(ByteString.copyFromUtf8("{\"type\":\"object\"}")))
        .addTasks(TaskCapability.newBuilder().setKind("send-email").setTimeoutSeconds(30))
        .addTasks(TaskCapability.newBuilder().setKind("charge-card").setCancellable(true))
        .addAgents(AgentCapability.newBuilder().setKind("helper").setName("Helper"));
  }

  private static Status.Code codeOf(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  @Test
  void everyRegistrationSucceedsWithAFreshIdAndNoConflictsEvenUnderTheSameName() {
    String tenant = "tenant-" + UUID.randomUUID();
    WorkerRegistrationRequest request = rustRegistration(tenant).build();

    WorkerRegistrationResponse first = lifecycle().registerWorker(request);
    WorkerRegistrationResponse second = lifecycle().registerWorker(request);

    assertTrue(first.getSuccess());
    assertTrue(second.getSuccess());
    assertFalse(first.hasError());
    assertEquals(0, first.getWorkflowConflictsCount() + first.getTaskConflictsCount());
    assertEquals(first.getWorkerId(), UUID.fromString(first.getWorkerId()).toString());
    assertNotEquals(first.getWorkerId(), second.getWorkerId());
    List<Map<String, Object>> rows =
        db.rows("SELECT * FROM workers WHERE id = ?::uuid", first.getWorkerId());
    assertEquals(1, rows.size());
    Map<String, Object> row = rows.get(0);
    assertEquals(tenant, row.get("tenant_id"));
    assertEquals(request.getWorkerName(), row.get("worker_name"));
    assertEquals("1.0.0", row.get("worker_version"));
    assertEquals("UNIFIED", row.get("worker_type"));
    assertEquals("host-1", row.get("host_name"));
    assertEquals("4242", row.get("process_id"));
    assertEquals(request.getTeamId(), row.get("team_id"));
    assertEquals(
        "{order-flow}",
        db.rows(
                "SELECT workflow_kinds::text AS k FROM workers WHERE id = ?::uuid",
                first.getWorkerId())
            .get(0)
            .get("k"));
    assertEquals(
        "{send-email,charge-card}|{helper}|30|",
        db.rows(
                "SELECT task_kinds::text || '|' || agent_kinds::text || '|'"
                    + " || (task_timeouts->>'send-email') || '|'"
                    + " || COALESCE(task_timeouts->>'charge-card', '') AS k"
                    + " FROM workers WHERE id = ?::uuid",
                first.getWorkerId())
            .get(0)
            .get("k"));
    assertEquals(2, db.scalar("SELECT count(*) FROM workers WHERE tenant_id = ?", tenant));
  }

  @Test
  void anFfiStyleRegistrationWithOnlyKindsSucceeds() {
    WorkerRegistrationResponse response =
        lifecycle()
            .registerWorker(
                WorkerRegistrationRequest.newBuilder()
                    .setWorkerName("ffi-worker-default")
                    .setWorkerVersion("0.1.0")
                    .setWorkerType("TASK")
                    .setTenantId(UUID.randomUUID().toString())
                    .setHostName("unknown")
                    .setProcessId("1")
                    .addTasks(TaskCapability.newBuilder().setKind("resize").setName("resize"))
                    .build());

    assertTrue(response.getSuccess());
    assertEquals(
        1, db.scalar("SELECT count(*) FROM workers WHERE id = ?::uuid", response.getWorkerId()));
  }

  @Test
  void aMissingOverlongOrNilTenantIsInvalidAndNothingIsStored() {
    long before = db.scalar("SELECT count(*) FROM workers");

    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(() -> lifecycle().registerWorker(rustRegistration("").build())));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(() -> lifecycle().registerWorker(rustRegistration("t".repeat(256)).build())));
    StatusRuntimeException nil =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                lifecycle()
                    .registerWorker(
                        rustRegistration("00000000-0000-0000-0000-000000000000").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, nil.getStatus().getCode());
    assertTrue(nil.getStatus().getDescription().contains("tenant_id"));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(
            () ->
                lifecycle()
                    .registerWorker(
                        rustRegistration("acme")
                            .addTasks(TaskCapability.newBuilder().setKind(""))
                            .build())));

    assertEquals(before, db.scalar("SELECT count(*) FROM workers"));
  }

  @Test
  void aHeartbeatRefreshesLastSeenAndAnUnknownIdIsStillOk() {
    String id = lifecycle().registerWorker(rustRegistration("acme").build()).getWorkerId();
    db.execute(
        "UPDATE workers SET last_seen_at = now() - interval '1 hour' WHERE id = ?::uuid", id);
    assertEquals(0, seenInTheLastMinute(id));

    lifecycle().sendHeartbeat(WorkerHeartbeatRequest.newBuilder().setWorkerId(id).build());

    assertEquals(1, seenInTheLastMinute(id), "last seen refreshed");
    lifecycle()
        .sendHeartbeat(
            WorkerHeartbeatRequest.newBuilder().setWorkerId(UUID.randomUUID().toString()).build());
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(
            () ->
                lifecycle()
                    .sendHeartbeat(
                        WorkerHeartbeatRequest.newBuilder().setWorkerId("not-a-uuid").build())));
  }

  private static long seenInTheLastMinute(String id) {
    return db.scalar(
        "SELECT count(*) FROM workers WHERE id = ?::uuid"
            + " AND last_seen_at > now() - interval '1 minute'",
        id);
  }

  @Test
  void listWorkersShowsOnlyTheTenantsRegistrationsMostRecentlySeenFirst() {
    String tenant = "tenant-" + UUID.randomUUID();
    String older = lifecycle().registerWorker(rustRegistration(tenant).build()).getWorkerId();
    String newer = lifecycle().registerWorker(rustRegistration(tenant).build()).getWorkerId();
    lifecycle().registerWorker(rustRegistration("other-" + tenant).build());
    db.execute(
        "UPDATE workers SET last_seen_at = now() - interval '1 minute' WHERE id = ?::uuid", older);

    List<WorkerInfo> workers =
        lifecycle()
            .listWorkers(ListWorkersRequest.newBuilder().setTenantId(tenant).build())
            .getWorkersList();

    assertEquals(List.of(newer, older), workers.stream().map(WorkerInfo::getWorkerId).toList());
    WorkerInfo info = workers.get(0);
    assertEquals(List.of("order-flow"), info.getWorkflowKindsList());
    assertEquals(List.of("send-email", "charge-card"), info.getTaskKindsList());
    assertEquals("host-1", info.getHostName());
    assertEquals("4242", info.getProcessId());
    assertEquals("1.0.0", info.getWorkerVersion());
    assertEquals("UNIFIED", info.getWorkerType());
    assertTrue(info.getRegisteredAtMs() > 0);
    assertTrue(info.getLastSeenAtMs() >= info.getRegisteredAtMs());
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(() -> lifecycle().listWorkers(ListWorkersRequest.getDefaultInstance())));
  }

  @Test
  void pollingNeedsNoRegistration() {
    assertFalse(
        grpc.tasks()
            .pollTask(
                PollTaskRequest.newBuilder()
                    .setWorkerId("never-registered")
                    .setTenantId("acme")
                    .setQueue("q-" + UUID.randomUUID())
                    .setTimeoutSeconds(0)
                    .build())
            .hasTask());
  }
}
