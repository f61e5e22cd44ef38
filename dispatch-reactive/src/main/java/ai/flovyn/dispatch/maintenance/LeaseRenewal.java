package ai.flovyn.dispatch.maintenance;

import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.support.Limits;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import reactor.core.publisher.Mono;

/**
 * Keeps the leases of long tasks alive while their workers show signs of life
 * (docs/sdk-compatibility.md, T2, T4): no SDK sends task heartbeats, so a RUNNING task without
 * {@code timeout_ms} is renewed whenever its worker polls or heartbeats, or the task itself logs or
 * streams. Signs of life are only remembered in memory; every flush renews all the tasks they
 * concern with one statement, so a dead worker's task fails one lease after the last flush that saw
 * it. The same statement marks the registrations whose id polled as seen, so that ListWorkers shows
 * FFI and NAPI workers (which poll under their registration id and never heartbeat) as alive. The
 * flushes are a maintenance chore ({@link LeaseRenewalChore}).
 */
public final class LeaseRenewal {
  private static final Duration MAX_FLUSH_INTERVAL = Duration.ofSeconds(5);

  // a bound on memory between two flushes; beyond it signs of life are ignored until the flush
  private static final int MAX_REMEMBERED = 100_000;

  private final Transactor transactor;
  private final Duration lease;
  private final Counter renewed;
  private final AtomicReference<Seen> seen = new AtomicReference<>(new Seen());

  public LeaseRenewal(Transactor transactor, Duration lease, MeterRegistry registry) {
    this.transactor = transactor;
    this.lease = lease;
    this.renewed =
        Counter.builder("dispatch_task_leases_renewed")
            .description("task leases renewed because their worker showed signs of life")
            .register(registry);
  }

  /** How often signs of life are written: a third of the lease, at least every 5 s. */
  public Duration flushInterval() {
    Duration third = lease.dividedBy(3);
    return third.compareTo(MAX_FLUSH_INTERVAL) > 0 ? MAX_FLUSH_INTERVAL : third;
  }

  /**
   * A worker id (as it polls, or a registration's id or name) of {@code tenant} is alive now; its
   * tasks and registration of other tenants are not ('' or null: any tenant, for an unrestricted
   * caller).
   */
  public void workerSeen(String tenant, String workerId) {
    // ids are remembered before their poll is validated: one PostgreSQL cannot store (NUL) would
    // fail the whole renewal statement for every tenant
    if (workerId != null
        && !workerId.isEmpty()
        && workerId.length() <= Limits.MAX_NAME
        && workerId.indexOf('\0') < 0) {
      Seen current = seen.get();
      if (current.size() < MAX_REMEMBERED) {
        current.workers.add(new Key<>(anyWhenNull(tenant), workerId));
      }
    }
  }

  /**
   * A task showed a sign of life of its own (a log line, streamed data), given by a caller of
   * {@code tenant} (null: any tenant): another tenant's task with that id is not renewed.
   */
  public void taskSeen(String tenant, UUID taskId) {
    Seen current = seen.get();
    if (current.size() < MAX_REMEMBERED) {
      current.tasks.add(new Key<>(anyWhenNull(tenant), taskId));
    }
  }

  private static String anyWhenNull(String tenant) {
    return tenant == null ? "" : tenant;
  }

  /**
   * Renews the leases of what was seen since the last flush; emits how many it renewed. What a
   * failed flush had seen is forgotten: the next sign of life counts.
   */
  public Mono<Long> flush() {
    // a sign recorded into the old set while it is swapped out may be missed; the next one counts
    Seen flushed = seen.getAndSet(new Seen());
    if (flushed.size() == 0) {
      return Mono.just(0L);
    }
    List<Key<String>> workers = List.copyOf(flushed.workers);
    List<Key<UUID>> tasks = List.copyOf(flushed.tasks);
    return transactor
        .autocommit(
            tx ->
                tx.leases()
                    .renew(
                        workers.stream().map(Key::id).toArray(String[]::new),
                        tasks.stream().map(Key::id).toArray(UUID[]::new),
                        lease.toMillis(),
                        registrationIds(workers),
                        workers.stream().map(Key::tenant).toArray(String[]::new),
                        tasks.stream().map(Key::tenant).toArray(String[]::new),
                        registrationTenants(workers)))
        .doOnNext(renewed::increment);
  }

  /** The worker ids that may be registration ids (canonical UUIDs). */
  private static UUID[] registrationIds(List<Key<String>> workers) {
    return workers.stream()
        .filter(worker -> parseUuid(worker.id()).findAny().isPresent())
        .flatMap(worker -> parseUuid(worker.id()))
        .toArray(UUID[]::new);
  }

  /** The tenants of {@link #registrationIds}, index for index. */
  private static String[] registrationTenants(List<Key<String>> workers) {
    return workers.stream()
        .filter(worker -> parseUuid(worker.id()).findAny().isPresent())
        .map(Key::tenant)
        .toArray(String[]::new);
  }

  private static Stream<UUID> parseUuid(String value) {
    if (value.length() != 36) {
      return Stream.empty();
    }
    try {
      return Stream.of(UUID.fromString(value));
    } catch (IllegalArgumentException e) {
      return Stream.empty();
    }
  }

  /** An id seen alive, with the tenant whose rows it may renew ('' for any). */
  record Key<T>(String tenant, T id) {}

  /** What was seen since the last flush. */
  private static final class Seen {
    final Set<Key<String>> workers = ConcurrentHashMap.newKeySet();
    final Set<Key<UUID>> tasks = ConcurrentHashMap.newKeySet();

    int size() {
      return workers.size() + tasks.size();
    }
  }
}
