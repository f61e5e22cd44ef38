package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.RegisteredWorker;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.WorkerRegistration;
import ai.flovyn.dispatch.proto.AgentCapability;
import ai.flovyn.dispatch.proto.ListWorkersRequest;
import ai.flovyn.dispatch.proto.ListWorkersResponse;
import ai.flovyn.dispatch.proto.ReactorWorkerLifecycleGrpc;
import ai.flovyn.dispatch.proto.TaskCapability;
import ai.flovyn.dispatch.proto.WorkerHeartbeatRequest;
import ai.flovyn.dispatch.proto.WorkerInfo;
import ai.flovyn.dispatch.proto.WorkerRegistrationRequest;
import ai.flovyn.dispatch.proto.WorkerRegistrationResponse;
import ai.flovyn.dispatch.proto.WorkflowCapability;
import com.google.protobuf.Empty;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * The flovyn.v1.WorkerLifecycle service: every well-formed registration succeeds with a fresh
 * worker id and no conflicts (docs/sdk-compatibility.md, L1-L6), heartbeats always answer OK, and
 * ListWorkers shows an operator the registrations of a tenant.
 */
public final class WorkerLifecycleService
    extends ReactorWorkerLifecycleGrpc.WorkerLifecycleImplBase {
  private final Dispatch dispatch;

  public WorkerLifecycleService(Dispatch dispatch) {
    this.dispatch = dispatch;
  }

  @Override
  public Mono<WorkerRegistrationResponse> registerWorker(WorkerRegistrationRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> toRegistration(request))
        .flatMap(registration -> dispatch.registerWorker(scope, registration))
        .map(
            id ->
                WorkerRegistrationResponse.newBuilder()
                    .setWorkerId(id.toString())
                    .setSuccess(true)
                    .build());
  }

  @Override
  public Mono<Empty> sendHeartbeat(WorkerHeartbeatRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> ProtoMapping.uuid("worker_id", request.getWorkerId()))
        .flatMap(
            id ->
                dispatch.workerHeartbeat(
                    scope, id, request.getWorkflowKindsList(), request.getTaskKindsList()))
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<ListWorkersResponse> listWorkers(ListWorkersRequest request) {
    return dispatch
        .listWorkers(Callers.scope(), request.getTenantId())
        .map(WorkerLifecycleService::toInfo)
        .collectList()
        .map(workers -> ListWorkersResponse.newBuilder().addAllWorkers(workers).build());
  }

  private static WorkerRegistration toRegistration(WorkerRegistrationRequest request) {
    Map<String, Integer> timeouts = new LinkedHashMap<>();
    for (TaskCapability task : request.getTasksList()) {
      if (task.hasTimeoutSeconds()) {
        timeouts.put(task.getKind(), task.getTimeoutSeconds());
      }
    }
    return new WorkerRegistration(
        request.getTenantId(),
        request.getWorkerName(),
        request.getWorkerVersion(),
        request.getWorkerType(),
        request.getHostName(),
        request.getProcessId(),
        request.hasTeamId() ? request.getTeamId() : null,
        request.getWorkflowsList().stream().map(WorkflowCapability::getKind).toList(),
        request.getTasksList().stream().map(TaskCapability::getKind).toList(),
        timeouts,
        request.getAgentsList().stream().map(AgentCapability::getKind).toList());
  }

  private static WorkerInfo toInfo(RegisteredWorker worker) {
    return WorkerInfo.newBuilder()
        .setWorkerId(worker.id().toString())
        .setWorkerName(worker.workerName())
        .setWorkerVersion(worker.workerVersion())
        .setWorkerType(worker.workerType())
        .setHostName(worker.hostName())
        .setProcessId(worker.processId())
        .addAllWorkflowKinds(worker.workflowKinds())
        .addAllTaskKinds(worker.taskKinds())
        .setRegisteredAtMs(millis(worker.registeredAt()))
        .setLastSeenAtMs(millis(worker.lastSeenAt()))
        .build();
  }

  private static long millis(Instant instant) {
    return instant.toEpochMilli();
  }

  @Override
  protected Throwable onErrorMap(Throwable throwable) {
    return StatusMapping.toStatusException(throwable);
  }
}
