package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.proto.CommandBatch;
import ai.flovyn.dispatch.proto.CommandBatchAck;
import ai.flovyn.dispatch.proto.GetEventsRequest;
import ai.flovyn.dispatch.proto.GetEventsResponse;
import ai.flovyn.dispatch.proto.GetVisualWorkflowDefinitionByIdRequest;
import ai.flovyn.dispatch.proto.GetVisualWorkflowDefinitionByIdResponse;
import ai.flovyn.dispatch.proto.PollRequest;
import ai.flovyn.dispatch.proto.PollResponse;
import ai.flovyn.dispatch.proto.ReactorWorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.RejectPromiseRequest;
import ai.flovyn.dispatch.proto.ReportExecutionSpansRequest;
import ai.flovyn.dispatch.proto.ReportExecutionSpansResponse;
import ai.flovyn.dispatch.proto.ResolvePromiseRequest;
import ai.flovyn.dispatch.proto.SignalWithStartWorkflowRequest;
import ai.flovyn.dispatch.proto.SignalWithStartWorkflowResponse;
import ai.flovyn.dispatch.proto.SignalWorkflowRequest;
import ai.flovyn.dispatch.proto.SignalWorkflowResponse;
import ai.flovyn.dispatch.proto.StartChildWorkflowRequest;
import ai.flovyn.dispatch.proto.StartChildWorkflowResponse;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.StartWorkflowResponse;
import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.SubscriptionRequest;
import ai.flovyn.dispatch.proto.WorkAvailableEvent;
import ai.flovyn.dispatch.proto.WorkflowEvent;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.salesforce.reactorgrpc.stub.ReactorCallOptions;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The flovyn.v1.WorkflowDispatch service: a thin adapter from protobuf to the pipeline. */
public final class WorkflowDispatchService
    extends ReactorWorkflowDispatchGrpc.WorkflowDispatchImplBase {
  /** Batches of one stream applied at once. */
  static final int STREAM_IN_FLIGHT = 8;

  private final Dispatch dispatch;
  private final ExecutionSpans spans;
  private final Clock clock;

  public WorkflowDispatchService(Dispatch dispatch, MeterRegistry registry) {
    this(dispatch, new ExecutionSpans(registry));
  }

  WorkflowDispatchService(Dispatch dispatch, ExecutionSpans spans) {
    this.dispatch = dispatch;
    this.spans = spans;
    this.clock = dispatch.clock();
  }

  @Override
  public Mono<PollResponse> pollWorkflow(PollRequest request) {
    return dispatch
        .pollWorkflow(
            Callers.scope(),
            request.getTenantId(),
            request.getQueue(),
            request.getWorkflowCapabilitiesList(),
            request.hasWorkerPoolId() ? request.getWorkerPoolId() : null,
            request.getWorkerId(),
            Duration.ofSeconds(Math.max(0, request.getTimeoutSeconds())))
        .doOnNext(workflow -> spans.handedOut(workflow.id(), workflow.traceparent()))
        .map(ProtoMapping::toPollResponse)
        .defaultIfEmpty(PollResponse.getDefaultInstance())
        .as(TraceContext::traced);
  }

  @Override
  public Flux<WorkAvailableEvent> subscribeToNotifications(SubscriptionRequest request) {
    Scope scope = Callers.scope();
    if (request.getTenantId().isEmpty() || request.getQueue().isEmpty()) {
      return Flux.error(DispatchException.invalidArgument("tenant_id and queue must not be empty"));
    }
    return dispatch
        .workSignals(scope, request.getTenantId(), request.getQueue())
        .map(
            signal ->
                WorkAvailableEvent.newBuilder()
                    .setTenantId(request.getTenantId())
                    .setQueue(request.getQueue())
                    .setTimestampMs(clock.millis())
                    .build());
  }

  @Override
  public Mono<StartWorkflowResponse> startWorkflow(StartWorkflowRequest request) {
    Scope scope = Callers.scope();
    String traceparent = TraceContext.current();
    return Mono.fromCallable(() -> ProtoMapping.toStart(request, traceparent))
        .flatMap(start -> dispatch.startWorkflow(scope, start))
        .map(
            started ->
                StartWorkflowResponse.newBuilder()
                    .setWorkflowExecutionId(started.workflowExecutionId().toString())
                    .setIdempotencyKeyUsed(started.idempotencyKeyUsed())
                    .setIdempotencyKeyNew(started.idempotencyKeyNew())
                    .build())
        .as(TraceContext::traced);
  }

  @Override
  public Mono<Empty> resolvePromise(ResolvePromiseRequest request) {
    return dispatch
        .resolvePromise(Callers.scope(), request.getPromiseId(), request.getValue().toByteArray())
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<Empty> rejectPromise(RejectPromiseRequest request) {
    return dispatch
        .rejectPromise(Callers.scope(), request.getPromiseId(), request.getError())
        .thenReturn(Empty.getDefaultInstance());
  }

  @Override
  public Mono<GetEventsResponse> getEvents(GetEventsRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(
            () -> ProtoMapping.uuid("workflow_execution_id", request.getWorkflowExecutionId()))
        .flatMapMany(id -> dispatch.events(scope, id))
        .map(
            event ->
                WorkflowEvent.newBuilder()
                    .setSequenceNumber(event.sequenceNumber())
                    .setEventType(event.eventType())
                    .setEventData(ByteString.copyFromUtf8(event.eventData()))
                    .build())
        .collectList()
        .map(events -> GetEventsResponse.newBuilder().addAllEvents(events).build());
  }

  @Override
  public Mono<Empty> submitWorkflowCommands(SubmitWorkflowCommandsRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(() -> ProtoMapping.toBatch(request))
        .flatMap(batch -> dispatch.submitCommands(scope, batch))
        .thenReturn(Empty.getDefaultInstance())
        .as(TraceContext::traced);
  }

  @Override
  public Flux<CommandBatchAck> streamWorkflowCommands(Flux<CommandBatch> batches) {
    // at most STREAM_IN_FLIGHT batches of one stream are applied at once; the stream requests no
    // more from the transport until one is acked, so a slow database slows the client down
    // the caller's scope is read once, on the call's thread: batches arrive on other threads
    Scope scope = Callers.scope();
    return DrainingStream.serve(
            batches,
            dispatch.stopping(),
            STREAM_IN_FLIGHT,
            batch -> applyAndAck(scope, batch),
            this::refuse)
        .as(TraceContext::traced);
  }

  private Mono<CommandBatchAck> applyAndAck(Scope scope, CommandBatch batch) {
    Optional<String> unreadable = UnreadableRequests.unreadable(batch);
    if (unreadable.isPresent()) {
      return Mono.just(
          ack(batch.getRequestId(), Status.INVALID_ARGUMENT.withDescription(unreadable.get())));
    }
    return Mono.fromCallable(() -> ProtoMapping.toBatch(batch.getBatch()))
        .flatMap(commands -> dispatch.submitCommands(scope, commands))
        .map(result -> ack(batch.getRequestId(), Status.OK))
        .onErrorResume(
            error ->
                Mono.just(
                    ack(batch.getRequestId(), StatusMapping.toStatusException(error).getStatus())));
  }

  // a graceful stop has begun: the batch is not applied, the client may send it elsewhere
  private CommandBatchAck refuse(CommandBatch batch) {
    return ack(batch.getRequestId(), Status.UNAVAILABLE.withDescription("server shutting down"));
  }

  private static CommandBatchAck ack(String requestId, Status status) {
    return CommandBatchAck.newBuilder()
        .setRequestId(requestId)
        .setCode(status.getCode().value())
        .setMessage(status.getDescription() == null ? "" : status.getDescription())
        .build();
  }

  @Override
  public Mono<SignalWorkflowResponse> signalWorkflow(SignalWorkflowRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(
            () -> ProtoMapping.uuid("workflow_execution_id", request.getWorkflowExecutionId()))
        .flatMap(
            id ->
                dispatch.signalWorkflow(
                    scope,
                    request.getTenantId(),
                    id,
                    request.getSignalName(),
                    request.getSignalValue().toByteArray()))
        .map(
            signal ->
                SignalWorkflowResponse.newBuilder()
                    .setSignalEventSequence(signal.sequence())
                    .build())
        .as(TraceContext::traced);
  }

  @Override
  public Mono<SignalWithStartWorkflowResponse> signalWithStartWorkflow(
      SignalWithStartWorkflowRequest request) {
    Scope scope = Callers.scope();
    String traceparent = TraceContext.current();
    return Mono.fromCallable(() -> ProtoMapping.toSignalWithStart(request, traceparent))
        .flatMap(signal -> dispatch.signalWithStartWorkflow(scope, signal))
        .map(
            signal ->
                SignalWithStartWorkflowResponse.newBuilder()
                    .setWorkflowExecutionId(signal.workflowExecutionId().toString())
                    .setWorkflowCreated(signal.workflowCreated())
                    .setSignalEventSequence(signal.sequence())
                    .build());
  }

  @Override
  public Mono<StartChildWorkflowResponse> startChildWorkflow(StartChildWorkflowRequest request) {
    Scope scope = Callers.scope();
    String traceparent = TraceContext.current();
    return Mono.fromCallable(() -> ProtoMapping.toStartChild(request, traceparent))
        .flatMap(child -> dispatch.startChildWorkflow(scope, child))
        .map(
            id ->
                StartChildWorkflowResponse.newBuilder()
                    .setChildWorkflowExecutionId(id.toString())
                    .build())
        .as(TraceContext::traced);
  }

  @Override
  public Mono<ReportExecutionSpansResponse> reportExecutionSpans(
      ReportExecutionSpansRequest request) {
    Scope scope = Callers.scope();
    return Mono.defer(() -> spans.report(scope, request));
  }

  // This server keeps no visual workflow definitions (docs/sdk-compatibility.md, VD1).
  @Override
  public Mono<GetVisualWorkflowDefinitionByIdResponse> getVisualWorkflowDefinitionById(
      GetVisualWorkflowDefinitionByIdRequest request) {
    return Mono.error(
        DispatchException.notFound(
            "workflow definition '"
                + ProtoMapping.shown(request.getWorkflowDefinitionId())
                + "' not found: this server has no visual workflow definitions"));
  }

  @Override
  protected CallOptions getCallOptions(int methodId) {
    // inbound prefetch of the stream: bounded memory per stream however fast the client sends
    return methodId == ReactorWorkflowDispatchGrpc.METHODID_STREAM_WORKFLOW_COMMANDS
        ? CallOptions.DEFAULT
            .withOption(ReactorCallOptions.CALL_OPTIONS_PREFETCH, 2 * STREAM_IN_FLIGHT)
            .withOption(ReactorCallOptions.CALL_OPTIONS_LOW_TIDE, STREAM_IN_FLIGHT)
        : null;
  }

  @Override
  protected Throwable onErrorMap(Throwable throwable) {
    return StatusMapping.toStatusException(throwable);
  }
}
