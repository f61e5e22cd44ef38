package ai.flovyn.dispatch.load;

import ai.flovyn.dispatch.load.CallOutcome.Ack;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** The statistics of one worker (no locking), merged into one at the end of a run. */
final class Tally {
  /** Distinct error texts kept; the rest are counted under one key so memory stays bounded. */
  static final int MAX_DISTINCT_ERRORS = 1000;

  static final String OTHER_ERRORS = "(other errors)";

  long count;
  long tasks;
  long acks;
  long[] okLatencies = new long[1024];
  int okCount;
  final Map<String, Long> statuses = new HashMap<>();
  final Map<String, Long> errors = new HashMap<>();
  final Map<String, Long> ackCodes = new HashMap<>();

  void record(CallOutcome outcome) {
    count++;
    tasks += outcome.tasks();
    statuses.merge(outcome.statusName(), 1L, Long::sum);
    if (outcome.ok()) {
      if (okCount == okLatencies.length) {
        okLatencies = Arrays.copyOf(okLatencies, okCount * 2);
      }
      okLatencies[okCount++] = outcome.latencyNanos();
    } else {
      error(outcome.error(), 1);
    }
    for (Ack ack : outcome.acks()) {
      acks++;
      String name = StatusNames.of(ack.code());
      ackCodes.merge(name, 1L, Long::sum);
      if (ack.code() != 0) {
        error("ack error: code = " + name + " desc = " + ack.message(), 1);
      }
    }
  }

  void merge(Tally other) {
    count += other.count;
    tasks += other.tasks;
    acks += other.acks;
    if (okCount + other.okCount > okLatencies.length) {
      okLatencies = Arrays.copyOf(okLatencies, okCount + other.okCount);
    }
    System.arraycopy(other.okLatencies, 0, okLatencies, okCount, other.okCount);
    okCount += other.okCount;
    other.statuses.forEach((k, v) -> statuses.merge(k, v, Long::sum));
    other.errors.forEach((k, v) -> error(k, v));
    other.ackCodes.forEach((k, v) -> ackCodes.merge(k, v, Long::sum));
  }

  private void error(String text, long times) {
    String key =
        errors.containsKey(text) || errors.size() < MAX_DISTINCT_ERRORS ? text : OTHER_ERRORS;
    errors.merge(key, times, Long::sum);
  }
}
