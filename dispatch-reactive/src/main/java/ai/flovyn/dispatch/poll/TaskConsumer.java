package ai.flovyn.dispatch.poll;

import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.TaskSubscription;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * The worker-side stream behind {@link Dispatch#tasks}: one long poll at a time while the
 * subscriber has demand, and no task lost to a cancel.
 */
public final class TaskConsumer {
  private static final Logger log = LoggerFactory.getLogger(TaskConsumer.class);

  /** What the stream needs of the library: one long poll, the hand-back of an unwanted task. */
  public interface Claims {
    /** Claims one task for {@code subscription}, long-polling once; empty on timeout. */
    Mono<ClaimedTask> claimOnce(Scope scope, TaskSubscription subscription);

    /** Puts a task nobody received back to PENDING, if it is still the claim it describes. */
    Mono<Void> handBack(String tenantId, ClaimedTask task, String workerId);

    /** Whether the library is closing: the stream then completes. */
    boolean isClosed();
  }

  private final Claims dispatch;
  private final TaskSubscription subscription;
  private final FluxSink<ClaimedTask> sink;
  private final AtomicBoolean polling = new AtomicBoolean();

  private final Scope scope;

  private TaskConsumer(
      Claims dispatch, Scope scope, TaskSubscription subscription, FluxSink<ClaimedTask> sink) {
    this.dispatch = dispatch;
    this.scope = scope;
    this.subscription = subscription;
    this.sink = sink;
  }

  public static Flux<ClaimedTask> consume(
      Claims dispatch, Scope scope, TaskSubscription subscription) {
    return Flux.<ClaimedTask>create(
            sink -> {
              TaskConsumer consumer = new TaskConsumer(dispatch, scope, subscription, sink);
              sink.onRequest(demand -> consumer.next());
            })
        // a claimed task Reactor drops because the subscriber cancelled goes back to PENDING
        .doOnDiscard(ClaimedTask.class, task -> handBack(dispatch, subscription, task));
  }

  /** Starts a poll when the subscriber wants a task and none is running. */
  private void next() {
    if (sink.isCancelled() || sink.requestedFromDownstream() == 0) {
      return;
    }
    if (dispatch.isClosed()) {
      sink.complete();
      return;
    }
    if (!polling.compareAndSet(false, true)) {
      return;
    }
    // Subscribed on its own on purpose: the subscriber's cancel must not cut a claim that is
    // running (its task would stay RUNNING with no worker); the claim finishes and its task is
    // handed back. The multi-claim hand-off plugs in here: claim up to requestedFromDownstream()
    // tasks in one statement instead of one per poll.
    dispatch.claimOnce(scope, subscription).subscribe(this::deliver, this::failed, this::pollEnded);
  }

  private void deliver(ClaimedTask task) {
    if (sink.isCancelled()) {
      handBack(dispatch, subscription, task);
    } else {
      sink.next(task);
    }
  }

  private void failed(Throwable error) {
    polling.set(false);
    if (dispatch.isClosed()) {
      sink.complete();
    } else {
      sink.error(error);
    }
  }

  private void pollEnded() {
    polling.set(false);
    next();
  }

  private static void handBack(Claims dispatch, TaskSubscription subscription, ClaimedTask task) {
    dispatch
        .handBack(subscription.tenantId(), task, subscription.workerId())
        .subscribe(
            null,
            error ->
                log.warn(
                    "task {} claimed after its subscriber cancelled could not be handed back; its"
                        + " lease will release it: {}",
                    task.id(),
                    error.toString()));
  }
}
