package ai.flovyn.dispatch.maintenance;

import java.time.Instant;
import reactor.core.publisher.Mono;

/** One kind of time-driven work a {@link MaintenanceService} repeats. */
interface Chore {
  /** The chore's name in logs and metric tags. */
  String name();

  /** Handles at most {@code limit} items due at {@code now}; emits how many it handled. */
  Mono<Integer> run(Instant now, int limit);

  /**
   * When the earliest item not yet handled falls due (at or before {@code now}: it is due at once);
   * empty when none is known.
   */
  Mono<Instant> nextDue(Instant now);
}
