package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.EventPage;
import ai.flovyn.dispatch.domain.EventPageRequest;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.TaskData;
import ai.flovyn.dispatch.history.EventType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Server-Sent Events: a workflow's progress (its history, then each new event, with its tasks' live
 * data) and a task's live data, in the shape Flovyn's streams have.
 */
final class StreamRoutes {
  /**
   * How often a workflow stream re-reads the history without a signal. Every wake-up and every
   * scheduled task of the tenant is announced, and the stream re-reads on each; but a batch that
   * only appends events (a state change, a completion without a parent) announces nothing, and
   * another instance's announcements reach this one only through PostgreSQL. One short indexed read
   * per second per open stream bounds the delay of those.
   */
  static final Duration BACKSTOP = Duration.ofSeconds(1);

  // the events that end a workflow's log: the stream closes after them
  private static final Set<String> TERMINAL =
      Set.of(
          EventType.WORKFLOW_COMPLETED.name(),
          EventType.WORKFLOW_EXECUTION_FAILED.name(),
          EventType.WORKFLOW_CANCELLED.name());
  private static final List<String> DATA_EVENTS =
      List.of("data", "token", "progress", "data", "error");

  private final Dispatch dispatch;

  private StreamRoutes(Dispatch dispatch) {
    this.dispatch = dispatch;
  }

  static List<Route> routes(ApiContext context) {
    StreamRoutes streams = new StreamRoutes(context.dispatch());
    return List.of(
        Route.get(
            ApiRoutes.ORG + "/workflow-executions/{id}/stream",
            "streamWorkflow",
            streams::workflow),
        Route.get(ApiRoutes.ORG + "/task-executions/{id}/stream", "streamTask", streams::task));
  }

  /**
   * The workflow's stored events after {@code Last-Event-ID} (all of them without it), then each
   * new one as it is appended; ends after the event that finishes the workflow. A 404 before the
   * stream opens for an unknown workflow or another tenant's.
   */
  Mono<ApiResponse> workflow(ApiRequest request) {
    UUID id = request.uuidPath("id");
    int after = lastEventId(request);
    Scope scope = request.scope();
    if (after > 0) {
      // A client resuming after the event that finished the workflow is owed nothing more, and no
      // finishing event would come to end its stream: read the status first (the status and the
      // workflow's last event are written in one transaction), and answer a finished workflow with
      // what is stored after Last-Event-ID only.
      return dispatch
          .workflowDetail(scope, id)
          .flatMap(
              detail ->
                  detail.execution().status().isTerminal()
                      ? ApiResponse.stream(after(scope, id, after).map(StreamRoutes::event))
                      : live(request, id, after));
    }
    return live(request, id, after);
  }

  /** The history after {@code after}, then each new event, until the one finishing the workflow. */
  private Mono<ApiResponse> live(ApiRequest request, UUID id, int after) {
    Scope scope = request.scope();
    AtomicInteger last = new AtomicInteger(after);
    return dispatch
        .eventPage(scope, id, page(after))
        .map(
            first -> {
              Flux<EventPage.Event> events =
                  Flux.concat(
                          Flux.fromIterable(first.events()),
                          first.nextSequence() == null
                              ? Flux.empty()
                              : after(scope, id, first.nextSequence()))
                      .concatWith(
                          Flux.merge(
                                  dispatch.workSignals(scope, request.tenantId()),
                                  Flux.interval(BACKSTOP))
                              .onBackpressureLatest()
                              .concatMap(tick -> after(scope, id, last.get()), 1))
                      .filter(event -> event.sequence() > last.get())
                      .doOnNext(event -> last.set(event.sequence()))
                      .takeUntil(event -> TERMINAL.contains(event.eventType()));
              // the task data ends with the history, which ends with the workflow
              Sinks.Empty<Void> ended = Sinks.empty();
              Flux<ApiResponse.SseEvent> history =
                  events.map(StreamRoutes::event).doFinally(signal -> ended.tryEmitEmpty());
              Flux<ApiResponse.SseEvent> taskData =
                  dispatch
                      .openWorkflowTaskData(scope, id)
                      .flatMapMany(feed -> feed)
                      .map(StreamRoutes::taskEvent)
                      .onErrorResume(error -> Flux.empty());
              return Flux.merge(history, taskData.takeUntilOther(ended.asMono()));
            })
        .flatMap(ApiResponse::stream);
  }

  /** Every event after {@code sequence}, page by page. */
  private Flux<EventPage.Event> after(Scope scope, UUID id, int sequence) {
    return dispatch
        .eventPage(scope, id, page(sequence))
        .expand(
            page ->
                page.nextSequence() == null
                    ? Mono.empty()
                    : dispatch.eventPage(scope, id, page(page.nextSequence())))
        .concatMapIterable(EventPage::events);
  }

  private static EventPageRequest page(int after) {
    return new EventPageRequest(after, EventPageRequest.MAX_LIMIT, List.of(), false);
  }

  /** A task's live data, as it streams; a 404 before the stream for an unknown task. */
  Mono<ApiResponse> task(ApiRequest request) {
    UUID id = request.uuidPath("id");
    return dispatch
        .openTaskData(request.scope(), id)
        .flatMap(feed -> ApiResponse.stream(feed.map(StreamRoutes::taskEvent)));
  }

  private static int lastEventId(ApiRequest request) {
    String raw = request.headers().get("Last-Event-ID");
    if (raw == null || raw.isBlank()) {
      return 0;
    }
    try {
      int value = Integer.parseInt(raw.trim());
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw HttpProblem.badParameter(
        "Last-Event-ID", "must be an event sequence, got '" + ApiJson.shown(raw, 32) + "'");
  }

  /** A history event as Flovyn's state event: {@code event: data}, {@code {"type":"Event",…}}. */
  static ApiResponse.SseEvent event(EventPage.Event event) {
    ObjectNode json = ApiJson.object();
    json.put("type", "Event");
    json.put("event", event.eventType());
    try {
      json.set("data", ApiJson.MAPPER.readTree(event.data()));
    } catch (JsonProcessingException e) {
      json.put("data", event.data());
    }
    json.put("sequence", event.sequence());
    json.put("timestampMs", event.timestamp().toEpochMilli());
    return new ApiResponse.SseEvent("data", String.valueOf(event.sequence()), json.toString());
  }

  /** Live task data under the event name of its type: token, progress, data or error. */
  static ApiResponse.SseEvent taskEvent(TaskData data) {
    String name =
        data.type() >= 0 && data.type() < DATA_EVENTS.size()
            ? DATA_EVENTS.get(data.type())
            : "data";
    return new ApiResponse.SseEvent(name, null, TaskDataSse.event(data).data());
  }
}
