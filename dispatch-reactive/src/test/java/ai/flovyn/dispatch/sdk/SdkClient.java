package ai.flovyn.dispatch.sdk;

import ai.flovyn.dispatch.proto.GetEventsRequest;
import ai.flovyn.dispatch.proto.QueryWorkflowRequest;
import ai.flovyn.dispatch.proto.QueryWorkflowResponse;
import ai.flovyn.dispatch.proto.RejectPromiseRequest;
import ai.flovyn.dispatch.proto.ResolvePromiseRequest;
import ai.flovyn.dispatch.proto.SignalWithStartWorkflowRequest;
import ai.flovyn.dispatch.proto.SignalWithStartWorkflowResponse;
import ai.flovyn.dispatch.proto.SignalWorkflowRequest;
import ai.flovyn.dispatch.proto.StartWorkflowRequest;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowEvent;
import ai.flovyn.dispatch.proto.WorkflowQueryGrpc;
import com.google.protobuf.ByteString;
import io.grpc.Channel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The SDK's client APIs (FlovynClient and the language handles) as they call the server: start,
 * signal, signal-with-start, promise resolution (by the {@code promiseId} read from GetEvents, as
 * Rust and Python do, or as {@code <workflow id>:<name>}, as Kotlin does), queries and events.
 */
public final class SdkClient {
  private final String tenant;
  private final WorkflowDispatchGrpc.WorkflowDispatchBlockingStub dispatch;
  private final WorkflowQueryGrpc.WorkflowQueryBlockingStub query;

  public SdkClient(Channel channel, String tenant) {
    this.tenant = tenant;
    this.dispatch = WorkflowDispatchGrpc.newBlockingStub(channel);
    this.query = WorkflowQueryGrpc.newBlockingStub(channel);
  }

  private WorkflowDispatchGrpc.WorkflowDispatchBlockingStub dispatch() {
    return dispatch.withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** StartWorkflow; returns the execution id. */
  public String startWorkflow(String kind, String inputJson, String queue) {
    return dispatch()
        .startWorkflow(
            StartWorkflowRequest.newBuilder()
                .setTenantId(tenant)
                .setWorkflowKind(kind)
                .setInput(ByteString.copyFromUtf8(inputJson))
                .setQueue(queue)
                .build())
        .getWorkflowExecutionId();
  }

  /** The whole history, as GetEvents returns it. */
  public List<WorkflowEvent> events(String workflowId) {
    return dispatch()
        .getEvents(GetEventsRequest.newBuilder().setWorkflowExecutionId(workflowId).build())
        .getEventsList();
  }

  /** SignalWorkflow; returns {@code signal_event_sequence}. */
  public long signal(String workflowId, String name, String valueJson) {
    return dispatch()
        .signalWorkflow(
            SignalWorkflowRequest.newBuilder()
                .setTenantId(tenant)
                .setWorkflowExecutionId(workflowId)
                .setSignalName(name)
                .setSignalValue(ByteString.copyFromUtf8(valueJson))
                .build())
        .getSignalEventSequence();
  }

  /**
   * SignalWithStartWorkflow with the business key {@code workflowKey}, as the Rust client fills it.
   */
  public SignalWithStartWorkflowResponse signalWithStart(
      String workflowKey,
      String kind,
      String inputJson,
      String queue,
      String signalName,
      String valueJson) {
    return dispatch()
        .signalWithStartWorkflow(
            SignalWithStartWorkflowRequest.newBuilder()
                .setTenantId(tenant)
                .setWorkflowId(workflowKey)
                .setWorkflowKind(kind)
                .setWorkflowInput(ByteString.copyFromUtf8(inputJson))
                .setQueue(queue)
                .putAllMetadata(Map.of())
                .setSignalName(signalName)
                .setSignalValue(ByteString.copyFromUtf8(valueJson))
                .build());
  }

  /**
   * The {@code promiseId} of the PROMISE_CREATED named {@code name}, as the Rust and Python clients
   * find it (docs/sdk-compatibility.md, PR2); fails like them when there is none yet.
   */
  public String promiseId(String workflowId, String name) {
    return events(workflowId).stream()
        .filter(e -> e.getEventType().equals("PROMISE_CREATED"))
        .map(e -> SdkJson.object(e.getEventData()))
        .filter(data -> name.equals(SdkJson.string(data, "promiseName")))
        .map(data -> SdkJson.string(data, "promiseId"))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("Promise " + name + " not found"));
  }

  /** Rust/Python: ResolvePromise with the {@code promiseId} read from GetEvents. */
  public void resolvePromiseByLookup(String workflowId, String name, String valueJson) {
    resolvePromise(promiseId(workflowId, name), valueJson);
  }

  /** Kotlin: ResolvePromise with {@code <workflow execution id>:<promise name>}. */
  public void resolvePromiseKotlin(String workflowId, String name, String valueJson) {
    resolvePromise(workflowId + ":" + name, valueJson);
  }

  public void resolvePromise(String promiseId, String valueJson) {
    dispatch()
        .resolvePromise(
            ResolvePromiseRequest.newBuilder()
                .setPromiseId(promiseId)
                .setValue(ByteString.copyFromUtf8(valueJson))
                .build());
  }

  public void rejectPromise(String promiseId, String error) {
    dispatch()
        .rejectPromise(
            RejectPromiseRequest.newBuilder().setPromiseId(promiseId).setError(error).build());
  }

  /** QueryWorkflow with the params Python sends when there are none ({@code {}}). */
  public QueryWorkflowResponse query(String workflowId, String queryName) {
    return query
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .queryWorkflow(
            QueryWorkflowRequest.newBuilder()
                .setWorkflowExecutionId(workflowId)
                .setQueryName(queryName)
                .setParams(ByteString.copyFromUtf8("{}"))
                .build());
  }
}
