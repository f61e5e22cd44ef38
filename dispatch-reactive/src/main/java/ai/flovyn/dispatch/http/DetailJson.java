package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.domain.EventPage;
import ai.flovyn.dispatch.domain.TaskAttempt;
import ai.flovyn.dispatch.domain.TaskDetail;
import ai.flovyn.dispatch.domain.TaskLogLine;
import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.domain.WorkflowDetail;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the detail routes (docs/http-api.md, "Workflow detail" and "Task"): one workflow or
 * task execution and what hangs off it, in the API's conventions ({@link ApiJson}).
 */
final class DetailJson {
  private DetailJson() {}

  /** The workflow summary's fields, then the detail's own. */
  static ObjectNode workflow(WorkflowDetail detail) {
    WorkflowDetail.Execution w = detail.execution();
    ObjectNode body = ApiJson.object();
    body.put("id", w.id().toString());
    body.put("kind", w.kind());
    body.put("workflowKind", w.kind());
    body.put("status", w.status().name());
    body.put("queue", w.queue());
    body.put("version", w.version());
    body.put("parentWorkflowExecutionId", w.parentId() == null ? null : w.parentId().toString());
    body.set("createdAt", ApiJson.time(w.createdAt()));
    body.set("updatedAt", ApiJson.time(w.updatedAt()));
    body.set("startedAt", ApiJson.time(w.startedAt()));
    body.set("completedAt", ApiJson.time(w.completedAt()));
    body.set("metadata", metadata(w.metadataJson()));
    body.put("error", w.error());
    body.put("orgId", w.tenantId());
    body.set("input", ApiJson.payload(w.input()));
    body.set("output", ApiJson.payload(w.output()));
    body.put("currentSequence", w.currentSequence());
    body.put("workerId", w.workerId());
    body.put("historyBytes", w.historyBytes());
    body.put("cancelRequested", w.cancelRequested());
    body.set("parent", detail.parent() == null ? null : parent(detail.parent()));
    body.set("children", children(detail.children()));
    body.put("childCount", detail.childCount());
    ArrayNode timers = body.putArray("timers");
    detail.timers().forEach(timer -> timers.add(timer(timer)));
    ArrayNode promises = body.putArray("promises");
    detail.promises().forEach(promise -> promises.add(promise(promise)));
    body.set("state", state(detail.state()));
    ObjectNode counts = body.putObject("taskCounts");
    for (Map.Entry<TaskStatus, Long> count : detail.taskCounts().entrySet()) {
      counts.put(count.getKey().name(), count.getValue());
    }
    return body;
  }

  private static ObjectNode parent(WorkflowDetail.Relative parent) {
    ObjectNode body = ApiJson.object();
    body.put("id", parent.id().toString());
    body.put("kind", parent.kind());
    body.put("status", parent.status().name());
    return body;
  }

  static ArrayNode children(List<WorkflowDetail.Relative> children) {
    ArrayNode array = ApiJson.array();
    for (WorkflowDetail.Relative child : children) {
      ObjectNode body = array.addObject();
      body.put("childWorkflowExecutionId", child.id().toString());
      body.put("kind", child.kind());
      body.put("status", child.status().name());
      body.set("createdAt", ApiJson.time(child.createdAt()));
      body.set("completedAt", ApiJson.time(child.completedAt()));
    }
    return array;
  }

  private static ObjectNode timer(WorkflowDetail.Timer timer) {
    ObjectNode body = ApiJson.object();
    body.put("timerId", timer.timerId());
    body.set("fireAt", ApiJson.time(timer.fireAt()));
    body.put("status", timer.status());
    body.set("firedAt", ApiJson.time(timer.firedAt()));
    return body;
  }

  private static ObjectNode promise(WorkflowDetail.Promise promise) {
    ObjectNode body = ApiJson.object();
    body.put("id", promise.id());
    body.put("name", promise.name());
    body.put("status", promise.status());
    body.set("value", ApiJson.payload(promise.value()));
    body.put("error", promise.error());
    body.set("timeoutAt", ApiJson.time(promise.timeoutAt()));
    body.set("createdAt", ApiJson.time(promise.createdAt()));
    body.set("settledAt", ApiJson.time(promise.settledAt()));
    return body;
  }

  /** State keys and their values as embedded JSON. */
  static ObjectNode state(Map<String, byte[]> state) {
    ObjectNode body = ApiJson.object();
    state.forEach((key, value) -> body.set(key, ApiJson.payload(value)));
    return body;
  }

  /** {@code {events, nextSequence}}. */
  static ObjectNode events(EventPage page) {
    ObjectNode body = ApiJson.object();
    ArrayNode events = body.putArray("events");
    for (EventPage.Event event : page.events()) {
      ObjectNode each = events.addObject();
      each.put("sequence", event.sequence());
      each.put("eventType", event.eventType());
      each.set("timestamp", ApiJson.time(event.timestamp()));
      each.set("data", eventData(event.data()));
    }
    if (page.nextSequence() == null) {
      body.putNull("nextSequence");
    } else {
      body.put("nextSequence", page.nextSequence());
    }
    return body;
  }

  // stored as JSON text the server wrote; text that is not JSON is shown as a string, never lost
  private static JsonNode eventData(String data) {
    try {
      return ApiJson.MAPPER.readTree(data);
    } catch (JsonProcessingException e) {
      return ApiJson.MAPPER.getNodeFactory().textNode(data);
    }
  }

  /** A task; {@code payloads} adds input and output (the single task only). */
  static ObjectNode task(TaskDetail task, boolean payloads) {
    ObjectNode body = ApiJson.object();
    body.put("id", task.id().toString());
    body.put("kind", task.kind());
    body.put("status", task.status().name());
    body.put("queue", task.queue());
    body.put(
        "workflowExecutionId",
        task.workflowExecutionId() == null ? null : task.workflowExecutionId().toString());
    body.put("executionCount", task.executionCount());
    body.put("maxRetries", task.maxRetries());
    body.put("progress", task.progress());
    body.put("progressDetails", task.progressDetails());
    if (payloads) {
      body.set("input", ApiJson.payload(task.input()));
      body.set("output", ApiJson.payload(task.output()));
    }
    body.put("error", task.error());
    body.put("workerId", task.workerId());
    body.set("createdAt", ApiJson.time(task.createdAt()));
    body.set("startedAt", ApiJson.time(task.startedAt()));
    body.set("completedAt", ApiJson.time(task.completedAt()));
    body.set("updatedAt", ApiJson.time(task.updatedAt()));
    body.set("metadata", metadata(task.metadataJson()));
    body.set("attempts", attempts(task.attempts()));
    return body;
  }

  static ArrayNode attempts(List<TaskAttempt> attempts) {
    ArrayNode array = ApiJson.array();
    for (TaskAttempt attempt : attempts) {
      ObjectNode body = array.addObject();
      body.put("attempt", attempt.attempt());
      body.put("status", attempt.status());
      body.set("startedAt", ApiJson.time(attempt.startedAt()));
      body.set("finishedAt", ApiJson.time(attempt.finishedAt()));
      Duration duration = attempt.duration();
      if (duration == null) {
        body.putNull("durationMs");
      } else {
        body.put("durationMs", duration.toMillis());
      }
      body.put("workerId", attempt.workerId());
      body.put("error", attempt.error());
    }
    return array;
  }

  /** {@code {logs, nextAfter}}; {@code nextAfter} when the page is full (more may follow). */
  static ObjectNode logs(List<TaskLogLine> lines, int limit) {
    ObjectNode body = ApiJson.object();
    ArrayNode logs = body.putArray("logs");
    for (TaskLogLine line : lines) {
      ObjectNode each = logs.addObject();
      each.put("id", line.id());
      each.put("level", line.level());
      each.put("message", line.message());
      each.set("timestamp", ApiJson.time(line.loggedAt()));
    }
    if (lines.size() < limit || lines.isEmpty()) {
      body.putNull("nextAfter");
    } else {
      body.put("nextAfter", lines.get(lines.size() - 1).id());
    }
    return body;
  }

  // a jsonb column's text: always an object, but never fail a read over it
  private static JsonNode metadata(String json) {
    if (json == null) {
      return ApiJson.object();
    }
    try {
      return ApiJson.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return ApiJson.object();
    }
  }
}
