package ai.flovyn.dispatch.maintenance;

import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * Writes the signs of life {@link LeaseRenewal} remembered: one statement renews every task lease
 * and registration they concern. It has no due instant: it runs every flush interval, the longest
 * sleep of its service, which also waits that long after a failed flush.
 */
public final class LeaseRenewalChore implements Chore {
  private final LeaseRenewal leases;

  public LeaseRenewalChore(LeaseRenewal leases) {
    this.leases = leases;
  }

  @Override
  public String name() {
    return "lease_renewal";
  }

  /**
   * Flushes everything remembered, whatever {@code limit} (memory is bounded where signs are
   * remembered); emits how many leases it renewed.
   */
  @Override
  public Mono<Integer> run(Instant now, int limit) {
    return leases.flush().map(renewed -> (int) Math.min(renewed, Integer.MAX_VALUE));
  }

  @Override
  public Mono<Instant> nextDue(Instant now) {
    return Mono.empty();
  }
}
