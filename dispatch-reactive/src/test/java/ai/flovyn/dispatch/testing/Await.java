package ai.flovyn.dispatch.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/** Bounded waits on a condition, for tests that must observe a state before acting. */
public final class Await {
  private Await() {}

  /** Waits (at most 30 s) until the condition holds, checking every 20 ms. */
  public static void until(BooleanSupplier condition, String what) throws InterruptedException {
    until(condition, what, Duration.ofSeconds(30), Duration.ofMillis(20));
  }

  /**
   * Waits at most {@code limit} until the condition holds, checking every {@code every}: for
   * conditions that take a process start to come true, and are costly to check.
   */
  public static void until(BooleanSupplier condition, String what, Duration limit, Duration every)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(every.toMillis());
    }
  }

  /** Waits until the value has not changed for half a second (at most 30 s); returns it. */
  public static int stable(IntSupplier value) throws InterruptedException {
    int[] last = {value.getAsInt()};
    long[] since = {System.nanoTime()};
    until(
        () -> {
          int now = value.getAsInt();
          if (now != last[0]) {
            last[0] = now;
            since[0] = System.nanoTime();
          }
          return System.nanoTime() - since[0] >= TimeUnit.MILLISECONDS.toNanos(500);
        },
        "a stable value");
    return last[0];
  }
}
