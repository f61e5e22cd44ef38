package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.proto.QueryWorkflowRequest;
import ai.flovyn.dispatch.proto.QueryWorkflowResponse;
import ai.flovyn.dispatch.proto.ReactorWorkflowQueryGrpc;
import com.google.protobuf.ByteString;
import reactor.core.publisher.Mono;

/** The flovyn.v1.WorkflowQuery service: queries answered from the workflow's stored state. */
public final class WorkflowQueryService extends ReactorWorkflowQueryGrpc.WorkflowQueryImplBase {
  private final Dispatch dispatch;

  public WorkflowQueryService(Dispatch dispatch) {
    this.dispatch = dispatch;
  }

  @Override
  public Mono<QueryWorkflowResponse> queryWorkflow(QueryWorkflowRequest request) {
    Scope scope = Callers.scope();
    return Mono.fromCallable(
            () -> ProtoMapping.uuid("workflow_execution_id", request.getWorkflowExecutionId()))
        .flatMap(id -> dispatch.queryWorkflow(scope, id, request.getQueryName()))
        .map(
            answer -> {
              QueryWorkflowResponse.Builder response =
                  QueryWorkflowResponse.newBuilder()
                      .setResult(ByteString.copyFrom(answer.result()));
              if (answer.error() != null) {
                response.setError(answer.error());
              }
              return response.build();
            });
  }

  @Override
  protected Throwable onErrorMap(Throwable throwable) {
    return StatusMapping.toStatusException(throwable);
  }
}
