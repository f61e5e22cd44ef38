package ai.flovyn.dispatch.task;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.TaskData;
import ai.flovyn.dispatch.maintenance.LeaseRenewal;
import ai.flovyn.dispatch.store.Transactor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * Hands live task data (docs/sdk-compatibility.md, ST1-ST3) from the worker that streams it to the
 * subscribers of its task or workflow, within this server instance only. Nothing is stored, nothing
 * is ordered or deduplicated, and publishing never waits: each subscriber has a bounded buffer
 * ({@value #BUFFER} events, {@value #MAX_BUFFERED_CHARS} payload characters), and events that do
 * not fit are dropped for that subscriber alone and counted. A subscriber limited to one tenant
 * receives only what callers of that tenant (or unrestricted ones) publish: nobody can feed another
 * tenant's followers.
 */
public final class TaskDataHub {
  static final int BUFFER = 256;
  static final int MAX_PAYLOAD = 256 * 1024;
  static final long MAX_BUFFERED_CHARS = 4L * 1024 * 1024;

  private final Transactor transactor;
  private final LeaseRenewal leases;
  private final Map<UUID, Set<Subscriber>> byTask = new ConcurrentHashMap<>();
  private final Map<UUID, Set<Subscriber>> byWorkflow = new ConcurrentHashMap<>();
  private final AtomicInteger subscribers = new AtomicInteger();
  private final Counter published;
  private final Counter dropped;

  public TaskDataHub(Transactor transactor, LeaseRenewal leases, MeterRegistry registry) {
    this.transactor = transactor;
    this.leases = leases;
    this.published =
        Counter.builder("dispatch_task_data_published")
            .description("StreamTaskData events accepted")
            .register(registry);
    this.dropped =
        Counter.builder("dispatch_task_data_dropped")
            .description("task data events a slow subscriber lost (its buffer was full)")
            .register(registry);
    Gauge.builder("dispatch_task_data_subscribers", subscribers, AtomicInteger::get)
        .description("open SubscribeTaskData streams of this instance")
        .register(registry);
  }

  /**
   * Offers the event to the current subscribers of its task and workflow, without waiting on any;
   * counts as a sign of life of the task. Errors with INVALID_ARGUMENT for an oversized payload.
   * Like a task nobody follows, another tenant's is accepted and reaches nobody.
   */
  public void publish(Scope scope, TaskData data) {
    if (data.payload().length() > MAX_PAYLOAD) {
      throw DispatchException.invalidArgument(
          "payload must be at most " + MAX_PAYLOAD + " characters, got " + data.payload().length());
    }
    leases.taskSeen(scope.tenantId(), data.taskExecutionId());
    published.increment();
    String tenant = scope.tenantId();
    offer(byTask.get(data.taskExecutionId()), tenant, data);
    if (data.workflowExecutionId() != null) {
      offer(byWorkflow.get(data.workflowExecutionId()), tenant, data);
    }
  }

  /**
   * Emits, once the task is known to exist, its feed: following starts when the feed is subscribed
   * and ends when it is cancelled. Errors with NOT_FOUND when the task does not exist (in the
   * scope).
   */
  public Mono<Flux<TaskData>> openTask(Scope scope, UUID taskId) {
    return transactor
        .autocommit(tx -> tx.taskLifecycle().state(scope.tenantId(), taskId))
        .switchIfEmpty(
            Mono.error(() -> DispatchException.notFound("task " + taskId + " not found")))
        .thenReturn(follow(byTask, taskId, scope.tenantId()));
  }

  /** Like {@link #openTask(Scope, UUID)} for every task of a workflow. */
  public Mono<Flux<TaskData>> openWorkflow(Scope scope, UUID workflowId) {
    return transactor
        .autocommit(tx -> tx.workflows().tenantQueueTrace(scope.tenantId(), workflowId))
        .switchIfEmpty(
            Mono.error(() -> DispatchException.notFound("workflow " + workflowId + " not found")))
        .thenReturn(follow(byWorkflow, workflowId, scope.tenantId()));
  }

  // a publisher limited to one tenant reaches only that tenant's subscribers and unrestricted ones
  private static void offer(Set<Subscriber> targets, String publisherTenant, TaskData data) {
    if (targets != null) {
      targets.stream()
          .filter(
              subscriber ->
                  publisherTenant == null
                      || subscriber.tenant == null
                      || publisherTenant.equals(subscriber.tenant))
          .forEach(subscriber -> subscriber.offer(data));
    }
  }

  private Flux<TaskData> follow(Map<UUID, Set<Subscriber>> index, UUID key, String tenant) {
    return Flux.defer(
        () -> {
          Subscriber subscriber = new Subscriber(tenant);
          index.compute(key, (k, set) -> add(set, subscriber));
          subscribers.incrementAndGet();
          return subscriber
              .events()
              .doFinally(
                  signal -> {
                    index.computeIfPresent(key, (k, set) -> remove(set, subscriber));
                    subscribers.decrementAndGet();
                  });
        });
  }

  private static Set<Subscriber> add(Set<Subscriber> set, Subscriber subscriber) {
    Set<Subscriber> result = set == null ? ConcurrentHashMap.newKeySet() : set;
    result.add(subscriber);
    return result;
  }

  private static Set<Subscriber> remove(Set<Subscriber> set, Subscriber subscriber) {
    set.remove(subscriber);
    return set.isEmpty() ? null : set;
  }

  /** One subscription's bounded buffer. */
  private final class Subscriber {
    // the tenant the subscriber is limited to, null when unrestricted
    private final String tenant;
    private final Sinks.Many<TaskData> sink =
        Sinks.many().unicast().onBackpressureBuffer(Queues.<TaskData>get(BUFFER).get());
    private final AtomicLong bufferedChars = new AtomicLong();

    Subscriber(String tenant) {
      this.tenant = tenant;
    }

    // publishers of different tasks of one workflow may offer at once; the sink needs one at a time
    synchronized void offer(TaskData data) {
      long size = data.payload().length();
      if (bufferedChars.get() + size > MAX_BUFFERED_CHARS) {
        dropped.increment();
        return;
      }
      bufferedChars.addAndGet(size);
      Sinks.EmitResult result = sink.tryEmitNext(data);
      if (result.isFailure()) {
        bufferedChars.addAndGet(-size);
        if (result == Sinks.EmitResult.FAIL_OVERFLOW) {
          dropped.increment();
        }
      }
    }

    Flux<TaskData> events() {
      return sink.asFlux().doOnNext(data -> bufferedChars.addAndGet(-data.payload().length()));
    }
  }
}
