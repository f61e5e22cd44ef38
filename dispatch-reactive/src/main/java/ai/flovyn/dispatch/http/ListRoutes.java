package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.RegisteredWorker;
import ai.flovyn.dispatch.query.ListPage;
import ai.flovyn.dispatch.query.QueueStats;
import ai.flovyn.dispatch.query.StatusCounts;
import ai.flovyn.dispatch.query.TaskSummary;
import ai.flovyn.dispatch.query.WorkflowSummary;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import reactor.core.publisher.Mono;

/** Lists and counts: workflow and task executions (filters, FQL, cursor), queues, workers. */
final class ListRoutes {
  /** A worker is online when it was heard from within this long. */
  static final Duration ONLINE = Duration.ofSeconds(60);

  private final Dispatch dispatch;
  private final Clock clock;

  private ListRoutes(Dispatch dispatch, Clock clock) {
    this.dispatch = dispatch;
    this.clock = clock;
  }

  static List<Route> routes(ApiContext context) {
    ListRoutes lists = new ListRoutes(context.dispatch(), context.clock());
    return List.of(
        Route.get(ApiRoutes.ORG + "/workflow-executions", "listWorkflows", lists::listWorkflows),
        Route.get(
            ApiRoutes.ORG + "/workflow-executions/counts", "countWorkflows", lists::countWorkflows),
        Route.get(ApiRoutes.ORG + "/task-executions", "listTasks", lists::listTasks),
        Route.get(ApiRoutes.ORG + "/task-executions/counts", "countTasks", lists::countTasks),
        Route.get(ApiRoutes.ORG + "/queues", "listQueues", lists::listQueues),
        Route.get(ApiRoutes.ORG + "/workers", "listWorkers", lists::listWorkers));
  }

  private Mono<ApiResponse> listWorkflows(ApiRequest request) {
    Instant now = clock.instant();
    return dispatch
        .listWorkflows(
            request.scope(),
            ListParams.workflowFilter(ListParams.Source.of(request), now),
            ListParams.page(request, ListParams.WORKFLOW_LIMIT))
        .flatMap(page -> ApiResponse.ok(listBody("workflows", page, ListRoutes::workflow)));
  }

  private Mono<ApiResponse> countWorkflows(ApiRequest request) {
    return dispatch
        .countWorkflows(
            request.scope(),
            ListParams.workflowFilter(ListParams.Source.of(request), clock.instant()))
        .flatMap(counts -> ApiResponse.ok(countsBody(counts)));
  }

  private Mono<ApiResponse> listTasks(ApiRequest request) {
    Instant now = clock.instant();
    return dispatch
        .listTasks(
            request.scope(),
            ListParams.taskFilter(ListParams.Source.of(request), now, request),
            ListParams.page(request, ListParams.TASK_LIMIT))
        .flatMap(page -> ApiResponse.ok(listBody("tasks", page, ListRoutes::task)));
  }

  private Mono<ApiResponse> countTasks(ApiRequest request) {
    return dispatch
        .countTasks(
            request.scope(),
            ListParams.taskFilter(ListParams.Source.of(request), clock.instant(), request))
        .flatMap(counts -> ApiResponse.ok(countsBody(counts)));
  }

  private Mono<ApiResponse> listQueues(ApiRequest request) {
    Instant now = clock.instant();
    return dispatch
        .queueStats(request.scope())
        .flatMap(
            queues -> {
              ArrayNode items = ApiJson.array();
              queues.forEach(queue -> items.add(queue(queue, now)));
              ObjectNode body = ApiJson.object();
              body.set("queues", items);
              return ApiResponse.ok(body);
            });
  }

  private Mono<ApiResponse> listWorkers(ApiRequest request) {
    Instant now = clock.instant();
    return dispatch
        .listWorkers(request.scope(), request.tenantId())
        .map(worker -> worker(worker, now))
        .collectList()
        .flatMap(
            workers -> {
              ObjectNode body = ApiJson.object();
              body.set("workers", ApiJson.array().addAll(workers));
              return ApiResponse.ok(body);
            });
  }

  private static <T> ObjectNode listBody(
      String field, ListPage<T> page, java.util.function.Function<T, ObjectNode> item) {
    ArrayNode items = ApiJson.array();
    page.items().forEach(each -> items.add(item.apply(each)));
    ObjectNode body = ApiJson.object();
    body.set(field, items);
    body.put("total", page.total());
    body.put("totalEstimated", page.totalEstimated());
    body.put("limit", page.limit());
    body.put("offset", page.offset());
    body.put("nextCursor", page.nextCursor());
    return body;
  }

  private static ObjectNode countsBody(StatusCounts counts) {
    ObjectNode byStatus = ApiJson.object();
    counts.counts().forEach(byStatus::put);
    ObjectNode body = ApiJson.object();
    body.set("counts", byStatus);
    body.put("total", counts.total());
    body.put("estimated", counts.estimated());
    return body;
  }

  static ObjectNode workflow(WorkflowSummary workflow) {
    ObjectNode json = ApiJson.object();
    json.put("id", workflow.id().toString());
    json.put("kind", workflow.kind());
    json.put("workflowKind", workflow.kind());
    json.put("status", workflow.status().name());
    json.put("queue", workflow.queue());
    json.put("version", workflow.version());
    json.put("parentWorkflowExecutionId", text(workflow.parentId()));
    json.set("createdAt", ApiJson.time(workflow.createdAt()));
    json.set("updatedAt", ApiJson.time(workflow.updatedAt()));
    json.set("startedAt", ApiJson.time(workflow.startedAt()));
    json.set("completedAt", ApiJson.time(workflow.completedAt()));
    json.set("metadata", metadata(workflow.metadataJson()));
    json.put("error", workflow.error());
    return json;
  }

  static ObjectNode task(TaskSummary task) {
    ObjectNode json = ApiJson.object();
    json.put("id", task.id().toString());
    json.put("kind", task.kind());
    json.put("status", task.status().name());
    json.put("queue", task.queue());
    json.put("workflowExecutionId", text(task.workflowId()));
    json.put("executionCount", task.executionCount());
    json.put("maxRetries", task.maxRetries());
    json.put("progress", task.progress());
    json.put("progressDetails", task.progressDetails());
    json.put("error", task.error());
    json.put("workerId", task.workerId());
    json.set("createdAt", ApiJson.time(task.createdAt()));
    json.set("startedAt", ApiJson.time(task.startedAt()));
    json.set("completedAt", ApiJson.time(task.completedAt()));
    json.set("updatedAt", ApiJson.time(task.updatedAt()));
    json.set("metadata", metadata(task.metadataJson()));
    return json;
  }

  private static ObjectNode queue(QueueStats queue, Instant now) {
    ObjectNode json = ApiJson.object();
    json.put("queue", queue.queue());
    json.set("workflows", counts(queue.workflows()));
    json.set("tasks", counts(queue.tasks()));
    json.set("oldestPendingWorkflowAt", ApiJson.time(queue.oldestPendingWorkflowAt()));
    json.set("oldestPendingTaskAt", ApiJson.time(queue.oldestPendingTaskAt()));
    Instant oldest = queue.oldestPendingAt();
    if (oldest == null) {
      json.putNull("oldestPendingAgeSeconds");
    } else {
      json.put("oldestPendingAgeSeconds", Math.max(0, Duration.between(oldest, now).toSeconds()));
    }
    return json;
  }

  private static ObjectNode counts(Map<String, Long> counts) {
    ObjectNode json = ApiJson.object();
    counts.forEach(json::put);
    return json;
  }

  private static ObjectNode worker(RegisteredWorker worker, Instant now) {
    ObjectNode json = ApiJson.object();
    json.put("id", worker.id().toString());
    json.put("name", worker.workerName());
    json.put("type", worker.workerType());
    json.put("version", worker.workerVersion());
    json.put("hostName", worker.hostName());
    json.put("processId", worker.processId());
    ArrayNode workflowKinds = ApiJson.array();
    worker.workflowKinds().forEach(workflowKinds::add);
    json.set("workflowKinds", workflowKinds);
    ArrayNode taskKinds = ApiJson.array();
    worker.taskKinds().forEach(taskKinds::add);
    json.set("taskKinds", taskKinds);
    json.set("registeredAt", ApiJson.time(worker.registeredAt()));
    json.set("lastHeartbeatAt", ApiJson.time(worker.lastSeenAt()));
    json.put(
        "online", worker.lastSeenAt() != null && worker.lastSeenAt().isAfter(now.minus(ONLINE)));
    return json;
  }

  private static String text(UUID id) {
    return id == null ? null : id.toString();
  }

  private static com.fasterxml.jackson.databind.JsonNode metadata(String json) {
    return json == null ? ApiJson.object() : ApiJson.payload(json.getBytes(StandardCharsets.UTF_8));
  }
}
