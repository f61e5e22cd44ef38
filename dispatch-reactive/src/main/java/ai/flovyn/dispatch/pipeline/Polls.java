package ai.flovyn.dispatch.pipeline;

import java.time.Duration;

/** Long-poll timeouts as the configuration caps them. */
final class Polls {
  private Polls() {}

  /** The requested timeout, at least zero and at most the configured cap. */
  static Duration cap(Duration requested, DispatchOptions options) {
    if (requested == null || requested.isNegative()) {
      return Duration.ZERO;
    }
    return requested.compareTo(options.maxPollTimeout()) > 0 ? options.maxPollTimeout() : requested;
  }
}
