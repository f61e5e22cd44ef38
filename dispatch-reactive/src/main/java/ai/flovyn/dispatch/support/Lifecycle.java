package ai.flovyn.dispatch.support;

import ai.flovyn.dispatch.domain.DispatchException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Counts the library calls in progress and turns new ones away once closing began, so that a
 * graceful close can wait for exactly the work that was admitted.
 */
public final class Lifecycle {
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Sinks.Empty<Void> drained = Sinks.empty();

  /** Admits a call: false (and nothing counted) once closing began. */
  public boolean enter() {
    inFlight.incrementAndGet();
    if (closed.get()) {
      leave();
      return false;
    }
    return true;
  }

  /** Ends an admitted call. */
  public void leave() {
    if (inFlight.decrementAndGet() == 0 && closed.get()) {
      drained.tryEmitEmpty();
    }
  }

  /** Turns new calls away from now on; true for the first caller only. */
  public boolean close() {
    boolean first = closed.compareAndSet(false, true);
    if (inFlight.get() == 0) {
      drained.tryEmitEmpty();
    }
    return first;
  }

  public boolean isClosed() {
    return closed.get();
  }

  /** How many admitted calls have not ended. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Completes once closing began and every admitted call ended. */
  public Mono<Void> drained() {
    return drained.asMono();
  }

  /** The error a call gets after close: FAILED_PRECONDITION, retrying this instance cannot help. */
  public static DispatchException closedError(String operation) {
    return DispatchException.failedPrecondition(
        operation + " refused: this Dispatch is closed (or closing)");
  }
}
