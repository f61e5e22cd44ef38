package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.SignalWithStart;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.StartedWorkflow;
import ai.flovyn.dispatch.domain.WorkflowDetail;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Starting and signalling workflows and settling promises: each a thin mapping of the JSON body
 * onto the library call the gRPC port uses too (validation, idempotency and events are the
 * library's).
 */
final class StartSignalRoutes {
  /** Flovyn's default input when none is given. */
  private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.UTF_8);

  /*
   * The library names a bad field as the gRPC API spells it ("workflow_kind must not be empty"); a
   * client of this API sent it under its JSON name, which its 400 must name ("kind: must not be
   * empty"). Longer names first, so that idempotency_key_ttl_seconds is not read as
   * idempotency_key.
   */
  private static final Map<String, String> START_FIELDS =
      fields(
          "workflow_kind", "kind",
          "workflow_version", "version",
          "idempotency_key_ttl_seconds", "idempotencyKeyTtlSeconds",
          "idempotency_key", "idempotencyKey",
          "priority_seconds", "prioritySeconds",
          "queue", "queue",
          "metadata", "metadata",
          "input", "input");
  private static final Map<String, String> SIGNAL_FIELDS =
      fields("signal_name", "signalName", "signal_value", "signalValue");
  private static final Map<String, String> SIGNAL_WITH_START_FIELDS =
      fields(
          "workflow_id", "workflowId",
          "workflow_kind", "workflowKind",
          "workflow_version", "version",
          "signal_name", "signalName",
          "signal_value", "signalValue",
          "priority_seconds", "prioritySeconds",
          "queue", "queue",
          "metadata", "metadata",
          "input", "workflowInput");
  private static final Map<String, String> PROMISE_FIELDS =
      fields("promise_id", "promise", "value", "value", "error", "error");

  private final Dispatch dispatch;

  StartSignalRoutes(Dispatch dispatch) {
    this.dispatch = dispatch;
  }

  /**
   * {@code POST …/workflow-executions}: 201 with the new run, or 200 when the idempotency key named
   * a run that exists.
   */
  Mono<ApiResponse> trigger(ApiRequest request) {
    BodyFields body = new BodyFields(request.json());
    StartWorkflow.Builder start =
        StartWorkflow.builder(request.tenantId(), body.requiredText("kind"))
            .input(body.payload("input").orElse(EMPTY_OBJECT))
            .metadata(body.stringMap("metadata"));
    body.text("queue").ifPresent(start::queue);
    body.integer("prioritySeconds").ifPresent(start::prioritySeconds);
    body.text("version").ifPresent(start::workflowVersion);
    body.text("idempotencyKey").ifPresent(start::idempotencyKey);
    body.longInteger("idempotencyKeyTtlSeconds").ifPresent(start::idempotencyKeyTtlSeconds);
    return dispatch
        .startWorkflow(request.scope(), start.build())
        .onErrorMap(DispatchException.class, error -> named(error, START_FIELDS))
        .flatMap(started -> answerStarted(request, started));
  }

  private Mono<ApiResponse> answerStarted(ApiRequest request, StartedWorkflow started) {
    boolean existing = started.idempotencyKeyUsed() && !started.idempotencyKeyNew();
    return dispatch
        .workflowDetail(request.scope(), started.workflowExecutionId())
        .map(
            detail -> {
              ObjectNode body = ApiJson.object();
              body.put("workflowExecutionId", started.workflowExecutionId().toString());
              body.put("id", started.workflowExecutionId().toString());
              body.put("status", detail.execution().status().name());
              body.put("kind", detail.execution().kind());
              body.set("createdAt", ApiJson.time(detail.execution().createdAt()));
              body.put("idempotencyKeyUsed", started.idempotencyKeyUsed());
              body.put("idempotencyKeyNew", started.idempotencyKeyNew());
              return ApiResponse.of(existing ? 200 : 201, body);
            });
  }

  /** {@code POST …/workflow-executions/{id}/signal}: the SIGNAL_RECEIVED event's sequence. */
  Mono<ApiResponse> signal(ApiRequest request) {
    UUID id = request.uuidPath("id");
    BodyFields body = new BodyFields(request.json());
    String name = body.requiredText("signalName");
    byte[] value = body.payload("signalValue").orElse(new byte[0]);
    return dispatch
        .signalWorkflow(request.scope(), request.tenantId(), id, name, value)
        .onErrorMap(DispatchException.class, error -> named(error, SIGNAL_FIELDS))
        .map(
            result -> {
              ObjectNode answer = ApiJson.object();
              answer.put("signalEventSequence", result.sequence());
              return ApiResponse.of(200, answer);
            });
  }

  /** {@code POST …/workflow-executions/signal-with-start}. */
  Mono<ApiResponse> signalWithStart(ApiRequest request) {
    BodyFields body = new BodyFields(request.json());
    SignalWithStart.Builder call =
        SignalWithStart.builder(
                request.tenantId(),
                body.requiredText("workflowId"),
                body.requiredText("workflowKind"),
                body.requiredText("signalName"))
            .input(body.payload("workflowInput").orElse(EMPTY_OBJECT))
            .signalValue(body.payload("signalValue").orElse(new byte[0]))
            .metadata(body.stringMap("metadata"));
    body.text("queue").ifPresent(call::queue);
    body.integer("prioritySeconds").ifPresent(call::prioritySeconds);
    body.text("version").ifPresent(call::workflowVersion);
    return dispatch
        .signalWithStartWorkflow(request.scope(), call.build())
        .onErrorMap(DispatchException.class, error -> named(error, SIGNAL_WITH_START_FIELDS))
        .map(
            result -> {
              ObjectNode answer = ApiJson.object();
              answer.put("workflowExecutionId", result.workflowExecutionId().toString());
              answer.put("workflowCreated", result.workflowCreated());
              answer.put("signalEventSequence", result.sequence());
              return ApiResponse.of(result.workflowCreated() ? 201 : 200, answer);
            });
  }

  /** {@code POST …/promises/{promise}/resolve}, body {@code {value}}. */
  Mono<ApiResponse> resolve(ApiRequest request) {
    String promise = promiseId(request);
    byte[] value =
        new BodyFields(request.json())
            .payload("value")
            .orElse("null".getBytes(StandardCharsets.UTF_8));
    return settled(
        request.scope(),
        dispatch.resolvePromise(request.scope(), promise, value),
        promise,
        "resolved");
  }

  /** {@code POST …/promises/{promise}/reject}, body {@code {error}}. */
  Mono<ApiResponse> reject(ApiRequest request) {
    String promise = promiseId(request);
    String error = new BodyFields(request.json()).requiredText("error");
    return settled(
        request.scope(),
        dispatch.rejectPromise(request.scope(), promise, error),
        promise,
        "rejected");
  }

  /**
   * The answer of a settlement: done, or {@code alreadyResolved} (Flovyn's answer for a second
   * call) when the promise was settled before. The library treats settling a promise again the same
   * way as an idempotent success, indistinguishable from the first; so the promise's status is read
   * first, and a settled one is answered {@code alreadyResolved} without calling. Two calls racing
   * on a pending promise both call: the library lets one settle it, and the other is answered
   * {@code alreadyResolved} when its outcome differs (FAILED_PRECONDITION), as settled when it is
   * the same.
   */
  private Mono<ApiResponse> settled(Scope scope, Mono<Void> call, String promise, String done) {
    return settledBefore(scope, promise)
        .flatMap(
            before ->
                before
                    ? Mono.just(answer(promise, done, false))
                    : call.onErrorMap(DispatchException.class, e -> named(e, PROMISE_FIELDS))
                        .then(Mono.fromSupplier(() -> answer(promise, done, true))))
        .onErrorResume(
            DispatchException.class,
            error ->
                error.kind() == ErrorKind.FAILED_PRECONDITION
                        && String.valueOf(error.getMessage()).contains(" is already ")
                    ? Mono.just(answer(promise, done, false))
                    : Mono.error(error));
  }

  /**
   * Whether the promise is known settled: its workflow (the id's prefix) lists it as not PENDING.
   * False when the id names no workflow of the tenant or the detail does not list it (beyond
   * {@value WorkflowDetail#PROMISES_SHOWN} promises): the library call then answers for it.
   */
  private Mono<Boolean> settledBefore(Scope scope, String promise) {
    int colon = promise.indexOf(':');
    UUID workflow;
    try {
      workflow = UUID.fromString(promise.substring(0, Math.max(colon, 0)));
    } catch (IllegalArgumentException e) {
      return Mono.just(false);
    }
    return dispatch
        .workflowDetail(scope, workflow)
        .map(
            detail ->
                detail.promises().stream()
                    .anyMatch(
                        known -> known.id().equals(promise) && !"PENDING".equals(known.status())))
        .onErrorResume(
            DispatchException.class,
            error -> error.kind() == ErrorKind.NOT_FOUND ? Mono.just(false) : Mono.error(error));
  }

  private static ApiResponse answer(String promise, String done, boolean settledNow) {
    ObjectNode body = ApiJson.object();
    body.put(done, settledNow);
    body.put("alreadyResolved", !settledNow);
    body.put("promiseId", promise);
    return ApiResponse.of(200, body);
  }

  /**
   * Library field names (as the gRPC API spells them) and their JSON names, longest first, for
   * {@link #named}.
   */
  static Map<String, String> fields(String... pairs) {
    Map<String, String> names =
        new TreeMap<>(
            Comparator.comparingInt(String::length)
                .reversed()
                .thenComparing(Comparator.naturalOrder()));
    for (int i = 0; i < pairs.length; i += 2) {
      names.put(pairs[i], pairs[i + 1]);
    }
    return names;
  }

  /**
   * A library INVALID_ARGUMENT that names one of {@code names} as the 400 naming the JSON field
   * ({@code "<field>: <why>"}); any other error as it is.
   */
  static Throwable named(DispatchException error, Map<String, String> names) {
    String message = String.valueOf(error.getMessage());
    if (error.kind() != ErrorKind.INVALID_ARGUMENT) {
      return error;
    }
    for (Map.Entry<String, String> name : names.entrySet()) {
      String field = name.getKey();
      if (message.startsWith(field)
          && message.length() > field.length()
          && (message.charAt(field.length()) == ' ' || message.charAt(field.length()) == ':')) {
        String why = message.substring(field.length()).replaceFirst("^:?\\s*", "");
        return HttpProblem.badParameter(name.getValue(), why);
      }
    }
    return error;
  }

  /**
   * The promise id of the path: as PROMISE_CREATED's {@code promiseId} gives it, or {@code id:…}.
   */
  private static String promiseId(ApiRequest request) {
    String raw = request.path("promise");
    if (raw.startsWith("key:")) {
      throw HttpProblem.badParameter(
          "promise", "key: identifiers are not supported; use the promiseId of PROMISE_CREATED");
    }
    return raw.startsWith("id:") ? raw.substring(3) : raw;
  }
}
