package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.EventPageRequest;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/** One workflow or task execution and what hangs off it: history, tasks, children, state, logs. */
final class DetailRoutes {
  // events per page when limit is not given: the most, so that one page is the whole history of
  // most workflows (an SDK's handle.result() reads GET …/events without parameters)
  static final int DEFAULT_EVENTS = EventPageRequest.MAX_LIMIT;

  static final int DEFAULT_LOGS = 50;
  static final int MAX_LOGS = 1000;
  private static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z0-9_]{1,64}");

  private final Dispatch dispatch;

  private DetailRoutes(Dispatch dispatch) {
    this.dispatch = dispatch;
  }

  static List<Route> routes(ApiContext context) {
    DetailRoutes routes = new DetailRoutes(context.dispatch());
    return List.of(
        Route.get(ApiRoutes.ORG + "/workflow-executions/{id}", "getWorkflow", routes::workflow),
        Route.get(
            ApiRoutes.ORG + "/workflow-executions/{id}/events",
            "getWorkflowEvents",
            routes::events),
        Route.get(
            ApiRoutes.ORG + "/workflow-executions/{id}/tasks",
            "listWorkflowTasks",
            routes::workflowTasks),
        Route.get(
            ApiRoutes.ORG + "/workflow-executions/{id}/children",
            "listWorkflowChildren",
            routes::children),
        Route.get(
            ApiRoutes.ORG + "/workflow-executions/{id}/state",
            "getWorkflowState",
            routes::workflowState),
        Route.get(ApiRoutes.ORG + "/task-executions/{id}", "getTask", routes::task),
        Route.get(
            ApiRoutes.ORG + "/task-executions/{id}/attempts", "listTaskAttempts", routes::attempts),
        Route.get(ApiRoutes.ORG + "/task-executions/{id}/logs", "listTaskLogs", routes::logs),
        Route.get(
            ApiRoutes.ORG + "/task-executions/{id}/state", "getTaskState", routes::taskState));
  }

  private Mono<ApiResponse> workflow(ApiRequest request) {
    UUID id = request.uuidPath("id");
    return dispatch
        .workflowDetail(request.scope(), id)
        .map(DetailJson::workflow)
        .flatMap(ApiResponse::ok);
  }

  private Mono<ApiResponse> events(ApiRequest request) {
    UUID id = request.uuidPath("id");
    EventPageRequest page =
        new EventPageRequest(
            request.intQuery("sinceSequence", 0, 0, Integer.MAX_VALUE),
            request.intQuery("limit", DEFAULT_EVENTS, 1, EventPageRequest.MAX_LIMIT),
            types(request),
            request.boolQuery("failedOnly", false));
    return dispatch
        .eventPage(request.scope(), id, page)
        .map(DetailJson::events)
        .flatMap(ApiResponse::ok);
  }

  private static List<String> types(ApiRequest request) {
    List<String> types = request.queryAll("type");
    if (types.size() > EventPageRequest.MAX_TYPES) {
      throw HttpProblem.badParameter(
          "type", "at most " + EventPageRequest.MAX_TYPES + " event types");
    }
    for (String type : types) {
      if (!EVENT_TYPE.matcher(type).matches()) {
        throw HttpProblem.badParameter(
            "type",
            "an event type is 1 to 64 letters, digits or '_', got '"
                + ApiJson.shown(type, 64)
                + "'");
      }
    }
    return types.stream().map(type -> type.toUpperCase(Locale.ROOT)).distinct().toList();
  }

  private Mono<ApiResponse> workflowTasks(ApiRequest request) {
    UUID id = request.uuidPath("id");
    return dispatch
        .workflowTasks(request.scope(), id)
        .map(
            tasks -> {
              ObjectNode body = ApiJson.object();
              ArrayNode array = body.putArray("tasks");
              tasks.forEach(task -> array.add(DetailJson.task(task, false)));
              return body;
            })
        .flatMap(ApiResponse::ok);
  }

  private Mono<ApiResponse> children(ApiRequest request) {
    UUID id = request.uuidPath("id");
    return dispatch
        .children(request.scope(), id)
        .map(
            children -> {
              ObjectNode body = ApiJson.object();
              body.set("children", DetailJson.children(children));
              return body;
            })
        .flatMap(ApiResponse::ok);
  }

  private Mono<ApiResponse> workflowState(ApiRequest request) {
    UUID id = request.uuidPath("id");
    return dispatch
        .workflowState(request.scope(), id)
        .map(DetailRoutes::state)
        .flatMap(ApiResponse::ok);
  }

  private Mono<ApiResponse> task(ApiRequest request) {
    UUID id = request.uuidPath("id");
    return dispatch
        .taskDetail(request.scope(), id)
        .map(task -> DetailJson.task(task, true))
        .flatMap(ApiResponse::ok);
  }

  private Mono<ApiResponse> attempts(ApiRequest request) {
    UUID id = request.uuidPath("id");
    return dispatch
        .taskAttempts(request.scope(), id)
        .map(
            attempts -> {
              ObjectNode body = ApiJson.object();
              body.set("attempts", DetailJson.attempts(attempts));
              return body;
            })
        .flatMap(ApiResponse::ok);
  }

  private Mono<ApiResponse> logs(ApiRequest request) {
    UUID id = request.uuidPath("id");
    long after = after(request);
    int limit = request.intQuery("limit", DEFAULT_LOGS, 1, MAX_LOGS);
    return dispatch
        .taskLogs(request.scope(), id, after, limit)
        .map(lines -> DetailJson.logs(lines, limit))
        .flatMap(ApiResponse::ok);
  }

  private static long after(ApiRequest request) {
    Optional<String> raw = request.query("after");
    if (raw.isEmpty()) {
      return 0;
    }
    try {
      long value = Long.parseLong(raw.get().trim());
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw HttpProblem.badParameter(
        "after",
        "must be a log id (a whole number, 0 or more), got '" + ApiJson.shown(raw.get(), 32) + "'");
  }

  private Mono<ApiResponse> taskState(ApiRequest request) {
    UUID id = request.uuidPath("id");
    return dispatch
        .taskStateValues(request.scope(), id)
        .map(DetailRoutes::state)
        .flatMap(ApiResponse::ok);
  }

  private static ObjectNode state(java.util.Map<String, byte[]> values) {
    ObjectNode body = ApiJson.object();
    body.set("state", DetailJson.state(values));
    return body;
  }
}
