package ai.flovyn.dispatch.workflow;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.QueryResult;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.WorkflowStore;
import ai.flovyn.dispatch.support.Limits;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Answers QueryWorkflow from what is stored (docs/sdk-compatibility.md, Q1-Q5): no SDK routes a
 * query to a worker. Built-in names come first ({@code __state}, {@code __status}, {@code
 * __result}, and the aliases {@code getStatus}, {@code getResult}, {@code getError}), then the
 * workflow's state keys (the fold of its SetState / ClearState commands). No side effects.
 */
public final class Queries {
  private final Transactor transactor;

  public Queries(Transactor transactor) {
    this.transactor = transactor;
  }

  /**
   * Emits the answer, an unknown name answering with {@code error}; errors with NOT_FOUND for an
   * unknown workflow (also one of another tenant than the scope's).
   */
  public Mono<QueryResult> query(Scope scope, UUID workflowId, String name) {
    return Mono.fromRunnable(() -> Limits.requireName("query_name", name))
        .then(
            transactor.inTransaction(
                tx ->
                    tx.workflows()
                        .summary(scope.tenantId(), workflowId)
                        .switchIfEmpty(
                            Mono.error(
                                () ->
                                    DispatchException.notFound(
                                        "workflow " + workflowId + " not found")))
                        .flatMap(
                            workflow ->
                                tx.commandRows()
                                    .state(workflowId)
                                    .collectList()
                                    .map(state -> answer(workflow, state, name)))));
  }

  static QueryResult answer(
      WorkflowStore.Summary workflow, List<Map.Entry<String, byte[]>> state, String name) {
    switch (name) {
      case "__state":
        return json(stateObject(state));
      case "__status", "getStatus":
        return json(EventData.quote(workflow.status().name()));
      case "__result", "getResult":
        return new QueryResult(
            workflow.status() == WorkflowStatus.COMPLETED && workflow.output() != null
                ? asJson(workflow.output())
                : "null".getBytes(StandardCharsets.UTF_8),
            null);
      case "getError":
        return json(workflow.error() == null ? "null" : EventData.quote(workflow.error()));
      default:
        for (Map.Entry<String, byte[]> entry : state) {
          if (entry.getKey().equals(name)) {
            return new QueryResult(asJson(entry.getValue()), null);
          }
        }
        return new QueryResult(new byte[0], "unknown query: " + Limits.shown(name));
    }
  }

  private static String stateObject(List<Map.Entry<String, byte[]>> state) {
    EventData object = EventData.object();
    for (Map.Entry<String, byte[]> entry : state) {
      object.payload(entry.getKey(), entry.getValue());
    }
    return object.json();
  }

  // A stored value is the SDK's JSON; anything else is answered as a JSON string of its base64.
  private static byte[] asJson(byte[] value) {
    if (value.length == 0) {
      return "null".getBytes(StandardCharsets.UTF_8);
    }
    if (EventData.isJson(value)) {
      return value;
    }
    return EventData.quote(java.util.Base64.getEncoder().encodeToString(value))
        .getBytes(StandardCharsets.UTF_8);
  }

  private static QueryResult json(String text) {
    return new QueryResult(text.getBytes(StandardCharsets.UTF_8), null);
  }
}
