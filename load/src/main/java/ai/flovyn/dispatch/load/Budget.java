package ai.flovyn.dispatch.load;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** Hands out request numbers until the total or the duration is used up, paced by the rps. */
final class Budget {
  private final AtomicLong issued = new AtomicLong();
  private final long total;
  private final long startNanos;
  private final long deadlineNanos;
  private final long nanosPerCall;
  private volatile boolean stopped;

  Budget(long total, long durationNanos, int rps, long startNanos) {
    this.total = total;
    this.startNanos = startNanos;
    this.deadlineNanos = durationNanos > 0 ? startNanos + durationNanos : Long.MAX_VALUE;
    this.nanosPerCall = rps > 0 ? TimeUnit.SECONDS.toNanos(1) / rps : 0;
  }

  /**
   * The next request number, once its turn under the rate limit has come, or -1 when the run is
   * over (total reached, duration elapsed, or stopped).
   */
  long next() {
    if (isOver()) {
      return -1;
    }
    long n = issued.getAndIncrement();
    if (n >= total) {
      return -1;
    }
    if (nanosPerCall > 0) {
      long due = startNanos + n * nanosPerCall;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        if (isOver()) {
          return -1;
        }
        LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)));
      }
    }
    return isOver() ? -1 : n;
  }

  void stop() {
    stopped = true;
  }

  private boolean isOver() {
    return stopped
        || Thread.currentThread().isInterrupted()
        || (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0);
  }
}
