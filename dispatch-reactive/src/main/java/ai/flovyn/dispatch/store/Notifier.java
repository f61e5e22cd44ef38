package ai.flovyn.dispatch.store;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Collects the work announcements of one unit of work; the {@link Transactor} sends them through
 * its {@link Announcer} only after the transaction has committed, so a poller is never woken for
 * work it cannot see yet.
 */
public final class Notifier {
  /** The LISTEN/NOTIFY channel every server instance listens on. */
  public static final String CHANNEL = "dispatch_work";

  private final Set<String> payloads = new LinkedHashSet<>();

  Notifier() {}

  /** Announces the payloads (see {@link WorkSignal#payload}) once the transaction commits. */
  public Mono<Void> notify(Collection<String> announcements) {
    return Mono.fromRunnable(() -> payloads.addAll(announcements));
  }

  Set<String> payloads() {
    return payloads;
  }
}
