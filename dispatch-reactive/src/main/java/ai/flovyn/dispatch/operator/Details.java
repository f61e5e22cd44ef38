package ai.flovyn.dispatch.operator;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.EventPage;
import ai.flovyn.dispatch.domain.EventPageRequest;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.TaskAttempt;
import ai.flovyn.dispatch.domain.TaskDetail;
import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.domain.WorkflowDetail;
import ai.flovyn.dispatch.store.DetailStore;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.support.Arguments;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The operator's read-only views of one workflow or task execution and what hangs off it: a few
 * set-based statements per view (never one per child, task or event), one snapshot when a view
 * reads more than one. An execution of a tenant the scope does not see is NOT_FOUND exactly like
 * one that does not exist.
 */
public final class Details {
  /** The most tasks the tasks of a workflow lists, and the most children its children list. */
  static final int LISTED = 1000;

  private static final int MAX_TYPE_LENGTH = 64;

  private Details() {}

  /** The workflow with its parent, first children, timers, promises, state and task counts. */
  public static Mono<WorkflowDetail> workflow(Transactor transactor, Scope scope, UUID id) {
    return onSnapshot(
            transactor,
            store -> store.workflow(scope.tenantId(), id).flatMap(row -> parts(store, scope, row)))
        .switchIfEmpty(workflowNotFound(id));
  }

  // one statement each, in turn on the transaction's connection
  private static Mono<WorkflowDetail> parts(DetailStore store, Scope scope, WorkflowDetail row) {
    UUID id = row.execution().id();
    Mono<List<WorkflowDetail.Relative>> children =
        present(store.children(scope.tenantId(), id, WorkflowDetail.CHILDREN_SHOWN));
    Mono<List<WorkflowDetail.Timer>> timers =
        store.timers(id, WorkflowDetail.TIMERS_SHOWN).collectList();
    Mono<List<WorkflowDetail.Promise>> promises =
        store.promises(id, WorkflowDetail.PROMISES_SHOWN).collectList();
    Mono<Map<String, byte[]>> state = entries(store.workflowState(scope.tenantId(), id));
    Mono<Map<TaskStatus, Long>> counts = taskCounts(store.taskCounts(id));
    return children.flatMap(
        shownChildren ->
            timers.flatMap(
                shownTimers ->
                    promises.flatMap(
                        shownPromises ->
                            state.flatMap(
                                values ->
                                    counts.map(
                                        taskCounts ->
                                            new WorkflowDetail(
                                                row.execution(),
                                                row.parent(),
                                                shownChildren,
                                                row.childCount(),
                                                shownTimers,
                                                shownPromises,
                                                values,
                                                taskCounts))))));
  }

  /** A page of the workflow's history (see {@link EventPageRequest}). */
  public static Mono<EventPage> events(
      Transactor transactor, Scope scope, UUID id, EventPageRequest request) {
    EventPageRequest valid = valid(request);
    String[] types = valid.types().toArray(String[]::new);
    // one more than asked: whether more may follow is known without a second statement
    return transactor
        .read(
            tx ->
                tx.details()
                    .events(
                        scope.tenantId(),
                        id,
                        valid.sinceSequence(),
                        types,
                        valid.failedOnly(),
                        valid.limit() + 1))
        .collectList()
        .flatMap(
            rows -> rows.isEmpty() ? workflowNotFound(id) : Mono.just(page(rows, valid.limit())));
  }

  private static EventPage page(List<Optional<EventPage.Event>> rows, int limit) {
    List<EventPage.Event> events = rows.stream().flatMap(Optional::stream).toList();
    if (events.size() <= limit) {
      return new EventPage(events, null);
    }
    List<EventPage.Event> shown = events.subList(0, limit);
    return new EventPage(List.copyOf(shown), shown.get(limit - 1).sequence());
  }

  private static EventPageRequest valid(EventPageRequest request) {
    Arguments.present("request", request);
    if (request.sinceSequence() < 0) {
      throw DispatchException.invalidArgument("since_sequence must not be negative");
    }
    if (request.limit() < 1 || request.limit() > EventPageRequest.MAX_LIMIT) {
      throw DispatchException.invalidArgument(
          "limit must be between 1 and " + EventPageRequest.MAX_LIMIT);
    }
    if (request.types().size() > EventPageRequest.MAX_TYPES) {
      throw DispatchException.invalidArgument(
          "types must name at most " + EventPageRequest.MAX_TYPES + " event types");
    }
    for (String type : request.types()) {
      Arguments.present("types[]", type);
      if (type.isEmpty() || type.length() > MAX_TYPE_LENGTH) {
        throw DispatchException.invalidArgument(
            "types[] must be 1 to " + MAX_TYPE_LENGTH + " characters");
      }
    }
    return request;
  }

  /** The workflow's first tasks, oldest first, each with its attempts; no payloads. */
  public static Mono<List<TaskDetail>> workflowTasks(Transactor transactor, Scope scope, UUID id) {
    return onSnapshot(
            transactor,
            store ->
                found(store.workflowTasks(scope.tenantId(), id, LISTED))
                    .flatMap(tasks -> withAttempts(store, tasks)))
        .switchIfEmpty(workflowNotFound(id));
  }

  private static Mono<List<TaskDetail>> withAttempts(DetailStore store, List<TaskDetail> tasks) {
    UUID[] ids = tasks.stream().map(TaskDetail::id).toArray(UUID[]::new);
    return store
        .attempts(ids)
        .collect(
            Collectors.groupingBy(
                Map.Entry::getKey, Collectors.mapping(Map.Entry::getValue, Collectors.toList())))
        .map(
            byTask ->
                tasks.stream()
                    .map(task -> task.withAttempts(byTask.getOrDefault(task.id(), List.of())))
                    .toList());
  }

  /** The workflow's first children, oldest first. */
  public static Mono<List<WorkflowDetail.Relative>> children(
      Transactor transactor, Scope scope, UUID id) {
    return found(transactor.read(tx -> tx.details().children(scope.tenantId(), id, LISTED)))
        .switchIfEmpty(workflowNotFound(id));
  }

  /** The workflow's state keys and values, by key. */
  public static Mono<Map<String, byte[]>> workflowState(
      Transactor transactor, Scope scope, UUID id) {
    return entries(transactor.read(tx -> tx.details().workflowState(scope.tenantId(), id)))
        .switchIfEmpty(workflowNotFound(id));
  }

  /** The task with its payloads and attempts. */
  public static Mono<TaskDetail> task(Transactor transactor, Scope scope, UUID id) {
    return onSnapshot(
            transactor,
            store ->
                store
                    .task(scope.tenantId(), id)
                    .flatMap(task -> withAttempts(store, List.of(task)).map(tasks -> tasks.get(0))))
        .switchIfEmpty(taskNotFound(id));
  }

  /** The task's attempts, oldest first. */
  public static Mono<List<TaskAttempt>> taskAttempts(Transactor transactor, Scope scope, UUID id) {
    return onSnapshot(
            transactor,
            store ->
                store
                    .taskExists(scope.tenantId(), id)
                    .flatMap(
                        task ->
                            store
                                .attempts(new UUID[] {task})
                                .map(Map.Entry::getValue)
                                .collectList()))
        .switchIfEmpty(taskNotFound(id));
  }

  /** The task's state keys and values, by key. */
  public static Mono<Map<String, byte[]>> taskState(Transactor transactor, Scope scope, UUID id) {
    return entries(transactor.read(tx -> tx.details().taskState(scope.tenantId(), id)))
        .switchIfEmpty(taskNotFound(id));
  }

  // the reads in one transaction, after the snapshot that makes them agree with each other
  private static <T> Mono<T> onSnapshot(
      Transactor transactor, Function<DetailStore, Mono<T>> reads) {
    return transactor.inTransaction(
        tx -> {
          DetailStore store = tx.details();
          return store.snapshot().then(reads.apply(store));
        });
  }

  // a LEFT JOIN's rows: none means no such execution, a lone empty Optional an empty list
  private static <T> Mono<List<T>> present(Flux<Optional<T>> rows) {
    return rows.collectList().map(list -> list.stream().flatMap(Optional::stream).toList());
  }

  // the same, but empty (no such execution) when there is no row at all
  private static <T> Mono<List<T>> found(Flux<Optional<T>> rows) {
    return rows.collectList()
        .filter(list -> !list.isEmpty())
        .map(list -> list.stream().flatMap(Optional::stream).toList());
  }

  // the same for key/value rows; empty (no such execution) when there is no row at all
  private static Mono<Map<String, byte[]>> entries(Flux<Optional<Map.Entry<String, byte[]>>> rows) {
    return rows.collectList()
        .filter(list -> !list.isEmpty())
        .map(
            list -> {
              Map<String, byte[]> values = new LinkedHashMap<>();
              list.stream()
                  .flatMap(Optional::stream)
                  .forEach(entry -> values.put(entry.getKey(), entry.getValue()));
              return Collections.unmodifiableMap(values);
            });
  }

  // every status present, in life-cycle order
  private static Mono<Map<TaskStatus, Long>> taskCounts(Flux<Map.Entry<TaskStatus, Long>> rows) {
    return rows.collectList()
        .map(
            list -> {
              Map<TaskStatus, Long> counts = new EnumMap<>(TaskStatus.class);
              for (TaskStatus status : TaskStatus.values()) {
                counts.put(status, 0L);
              }
              list.forEach(entry -> counts.put(entry.getKey(), entry.getValue()));
              return Collections.unmodifiableMap(counts);
            });
  }

  private static <T> Mono<T> workflowNotFound(UUID id) {
    return Mono.error(() -> DispatchException.notFound("workflow " + id + " not found"));
  }

  private static <T> Mono<T> taskNotFound(UUID id) {
    return Mono.error(() -> DispatchException.notFound("task " + id + " not found"));
  }
}
