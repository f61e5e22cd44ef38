package ai.flovyn.dispatch.load;

import java.util.Arrays;

/** A growable list of latencies in nanoseconds with percentiles; one writer at a time. */
final class Latencies {
  private long[] values = new long[1024];
  private int size;

  synchronized void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  synchronized void addAll(Latencies other) {
    long[] theirs;
    int n;
    synchronized (other) {
      theirs = other.values;
      n = other.size;
    }
    for (int i = 0; i < n; i++) {
      add(theirs[i]);
    }
  }

  synchronized int size() {
    return size;
  }

  /** The latency in milliseconds under which {@code percent} % fall (nearest rank); NaN if none. */
  synchronized double percentileMillis(double percent) {
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(percent / 100.0 * size);
    return sorted[Math.min(Math.max(rank, 1), size) - 1] / 1e6;
  }
}
