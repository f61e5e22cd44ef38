package ai.flovyn.dispatch.poll;

import ai.flovyn.dispatch.store.WorkSignal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The long polls waiting for work, grouped by what they may claim (signal key and filter), and the
 * claims that serve them: one claim statement per group at a time, for all of its waiters at once
 * (one item each), run when a poll arrives and when a signal for the key arrives. A signal thus
 * costs one statement per group, however many polls wait, and wakes only the polls it finds work
 * for; the others keep waiting. An idle wait holds no thread and runs no query.
 *
 * <p>The claim statements run detached from the polls they serve, so a caller that goes away (its
 * deadline, a cancel, a disconnect) cannot drop a claimed item on the floor: an item claimed for a
 * poll that has gone, or that its subscriber discards, is handed back to PENDING at once and the
 * group claims again for whoever still waits.
 *
 * <p>Every poll gets at least one claim attempt, even with a timeout of zero or after {@link
 * #stop}; a claim in flight when the timeout passes still completes and is delivered.
 *
 * <p>On a busy queue the polls of a closed loop arrive one by one, each right after its worker's
 * previous outcome, so each would pay a claim statement of its own. A group whose last statement
 * filled every slot (the queue has a backlog) and whose polls arrive closer together than the
 * {@code linger} therefore holds a poll for at most the linger before claiming, so that the polls
 * arriving meanwhile share its statement. A poll never waits longer than the linger for company; a
 * group that ran dry, a slow trickle of polls and a stopping instance claim at once.
 *
 * @param <C> what a claim statement emits per item: the item and the slot of its worker
 */
final class Waiters<C> {
  /** At most this many polls are served by one claim statement ({@code LIMIT}). */
  static final int MAX_ROUND = 100;

  /**
   * How long an idle group that was busy is kept, with its pace and its backlog flag, after its
   * last poll: in a closed loop every worker may be busy between two polls, and a group forgotten
   * then would start the next poll without knowing it should linger.
   */
  static final Duration KEEP_BUSY_GROUP = Duration.ofSeconds(1);

  // the pace of arrivals is not known yet: no linger
  private static final long UNKNOWN_GAP = Long.MAX_VALUE;

  private static final Logger log = LoggerFactory.getLogger(Waiters.class);

  /**
   * How one group claims: {@code claim} runs one statement taking at most one item for each worker
   * of the list (autocommit) and emits them all; {@code slot} says which worker (list index) an
   * item is for; {@code release} undoes claims whose poll has gone.
   */
  record Claimer<C>(
      Function<List<String>, Mono<List<C>>> claim,
      ToIntFunction<C> slot,
      Function<List<C>, Mono<Void>> release) {}

  private enum State {
    WAITING,
    CLAIMING,
    DONE
  }

  private final Class<C> type;
  private final long lingerNanos;
  private final Scheduler timers;
  private final LongSupplier nanoClock;
  private final Object lock = new Object();
  // signal key -> filter -> group; guarded by lock, as is every Group and Waiter field
  private final Map<WorkSignal, Map<Object, Group>> groups = new HashMap<>();
  private boolean stopped;

  /**
   * Waiters woken by {@code signals} ({@link WorkSignal#ANY}: every group claims once); when {@code
   * stopping} completes, every wait ends (empty) after its first claim.
   */
  Waiters(Class<C> type, Flux<WorkSignal> signals, Mono<Void> stopping) {
    this(type, signals, stopping, Duration.ZERO, Schedulers.parallel(), System::nanoTime);
  }

  /**
   * Waiters as above whose busy groups hold a poll for at most {@code linger} to share a claim
   * statement with the polls arriving meanwhile (zero: never); {@code timers} runs timeouts and
   * lingers, {@code nanoClock} is the clock they are measured on (tests pass virtual time).
   */
  Waiters(
      Class<C> type,
      Flux<WorkSignal> signals,
      Mono<Void> stopping,
      Duration linger,
      Scheduler timers,
      LongSupplier nanoClock) {
    this.type = type;
    this.lingerNanos = linger.toNanos();
    this.timers = timers;
    this.nanoClock = nanoClock;
    // the registry outlives every poll: these subscriptions end with the listener and the instance
    signals.subscribe(this::wake, error -> log.error("work signals failed", error));
    stopping.subscribe(null, error -> stop(), this::stop);
  }

  /**
   * Emits the item a claim of the group ({@code key}, {@code filter}) takes for {@code workerId},
   * or completes empty once {@code timeout} has passed (after at least one claim) or errors with
   * the claim's error. {@code claimer} is used if this poll opens the group.
   */
  Mono<C> await(
      WorkSignal key, Object filter, Claimer<C> claimer, String workerId, Duration timeout) {
    return Mono.<C>create(
            sink -> register(new Waiter(key, filter, claimer, workerId, sink), timeout))
        // the poll was cancelled while the item was on its way to it: hand the item back
        .doOnDiscard(type, claimed -> handBack(key, filter, claimer, List.of(claimed)));
  }

  private void register(Waiter waiter, Duration timeout) {
    Round round;
    synchronized (lock) {
      Group group =
          groups
              .computeIfAbsent(waiter.key, key -> new LinkedHashMap<>())
              .computeIfAbsent(
                  waiter.filter, filter -> new Group(waiter.key, filter, waiter.claimer));
      waiter.group = group;
      waiter.expired = stopped || timeout.isZero();
      waiter.arrived = nanoClock.getAsLong();
      group.arrival(waiter.arrived);
      group.waiting.addLast(waiter);
      round = schedule(group);
    }
    waiter.sink.onCancel(() -> cancel(waiter));
    if (!waiter.expired) {
      Disposable timer =
          timers.schedule(() -> expire(waiter), timeout.toMillis(), TimeUnit.MILLISECONDS);
      waiter.sink.onDispose(timer);
    }
    run(round);
  }

  /** A signal: every group on its key (on every key for ANY) claims once more. */
  private void wake(WorkSignal signal) {
    List<Round> rounds = new ArrayList<>();
    synchronized (lock) {
      Collection<Map<Object, Group>> keys =
          signal == WorkSignal.ANY
              ? groups.values()
              : groups.containsKey(signal) ? List.of(groups.get(signal)) : List.of();
      for (Map<Object, Group> byFilter : keys) {
        for (Group group : byFilter.values()) {
          Round round = schedule(group);
          if (round != null) {
            rounds.add(round);
          }
        }
      }
    }
    rounds.forEach(this::run);
  }

  private void wake(WorkSignal key, Object filter) {
    Round round;
    synchronized (lock) {
      Map<Object, Group> byFilter = groups.get(key);
      Group group = byFilter == null ? null : byFilter.get(filter);
      round = group == null ? null : schedule(group);
    }
    run(round);
  }

  /**
   * Starts a round for the group's waiting polls, or, while one is in flight, asks for another
   * after it (the running statement may have looked before the work was committed); on a busy
   * group, first lingers until its oldest waiting poll has waited the linger. Under lock.
   */
  private Round schedule(Group group) {
    if (group.busy) {
      group.again = true;
      return null;
    }
    if (group.waiting.isEmpty()) {
      return null;
    }
    if (group.lingering != null) {
      if (group.waiting.size() < MAX_ROUND) {
        return null; // the linger's end starts the round
      }
      group.lingering.dispose();
      group.lingering = null;
    } else {
      long linger = lingerLeft(group);
      if (linger > 0) {
        group.lingering = timers.schedule(() -> lingered(group), linger, TimeUnit.NANOSECONDS);
        return null;
      }
    }
    return round(group);
  }

  /**
   * How long the group's next claim should wait for more polls: until its oldest poll has waited
   * the linger, when the group's last statement filled every slot and polls arrive faster than the
   * linger; else zero. Under lock.
   */
  private long lingerLeft(Group group) {
    if (lingerNanos == 0
        || stopped
        || !group.backlog
        || group.gap >= lingerNanos
        || group.waiting.size() >= MAX_ROUND) {
      return 0;
    }
    return Math.max(0, group.waiting.peekFirst().arrived + lingerNanos - nanoClock.getAsLong());
  }

  /** The linger has passed: claim for whoever waits now. */
  private void lingered(Group group) {
    Round round;
    synchronized (lock) {
      group.lingering = null;
      round = group.busy || group.waiting.isEmpty() ? null : round(group);
      forgetIfIdle(group);
    }
    run(round);
  }

  /**
   * Takes the group's oldest waiting polls (at most {@link #MAX_ROUND}) into a round. Under lock.
   */
  private Round round(Group group) {
    List<Waiter> waiters = new ArrayList<>();
    while (!group.waiting.isEmpty() && waiters.size() < MAX_ROUND) {
      Waiter waiter = group.waiting.pollFirst();
      waiter.state = State.CLAIMING;
      waiters.add(waiter);
    }
    group.busy = true;
    group.again = false;
    group.claiming = waiters;
    return new Round(group, waiters);
  }

  private void run(Round round) {
    if (round == null) {
      return;
    }
    List<String> workers = round.waiters.stream().map(waiter -> waiter.workerId).toList();
    // detached on purpose: a poll's cancellation must not cancel a statement whose rows it would
    // then never see; finish() hands each row to its poll or back to PENDING
    Mono.defer(() -> round.group.claimer.claim().apply(workers))
        .defaultIfEmpty(List.of())
        .subscribe(
            claimed -> finish(round, claimed, null), error -> finish(round, List.of(), error));
  }

  private void finish(Round round, List<C> claimed, Throwable error) {
    Group group = round.group;
    List<Runnable> outcomes = new ArrayList<>();
    List<C> unwanted = new ArrayList<>();
    Round next = null;
    synchronized (lock) {
      boolean[] served = new boolean[round.waiters.size()];
      for (C item : claimed) {
        int slot = group.claimer.slot().applyAsInt(item);
        Waiter waiter = round.waiters.get(slot);
        served[slot] = true;
        if (waiter.gone) {
          unwanted.add(item);
        } else {
          waiter.state = State.DONE;
          outcomes.add(() -> waiter.sink.success(item));
        }
      }
      List<Waiter> stillWaiting = new ArrayList<>();
      for (int i = 0; i < served.length; i++) {
        Waiter waiter = round.waiters.get(i);
        if (served[i]) {
          continue;
        }
        if (waiter.gone) {
          waiter.state = State.DONE;
        } else if (error != null) {
          waiter.state = State.DONE;
          outcomes.add(() -> waiter.sink.error(error));
        } else if (waiter.expired) {
          waiter.state = State.DONE;
          outcomes.add(waiter.sink::success);
        } else {
          waiter.state = State.WAITING;
          waiter.tried = true;
          stillWaiting.add(waiter);
        }
      }
      // back in front of polls that came later, in their order
      for (ListIterator<Waiter> it = stillWaiting.listIterator(stillWaiting.size());
          it.hasPrevious(); ) {
        group.waiting.addFirst(it.previous());
      }
      group.claiming = List.of();
      // every slot filled: the queue may hold more, and the next polls may linger to share a claim
      group.backlog = error == null && claimed.size() == round.waiters.size();
      if (unwanted.isEmpty()) {
        group.busy = false;
        // a full round may have left work behind for polls beyond MAX_ROUND
        if (claimed.size() == round.waiters.size() && error == null) {
          group.again = true;
        }
        next = group.again ? schedule(group) : null;
        forgetIfIdle(group);
      }
    }
    outcomes.forEach(Runnable::run);
    if (!unwanted.isEmpty()) {
      release(group, unwanted);
    }
    run(next);
  }

  /** Undoes claims nobody took, then lets the group claim again for whoever still waits. */
  private void release(Group group, List<C> unwanted) {
    Mono.defer(() -> group.claimer.release().apply(unwanted))
        .doFinally(
            signal -> {
              Round next;
              synchronized (lock) {
                group.busy = false;
                next = schedule(group);
                forgetIfIdle(group);
              }
              run(next);
            })
        .subscribe(
            null,
            error ->
                log.warn(
                    "could not hand back {} claimed item(s); their lease will: {}",
                    unwanted.size(),
                    error.toString()));
  }

  /** An item discarded on its way to a cancelled poll: back to PENDING, and claim again. */
  private void handBack(WorkSignal key, Object filter, Claimer<C> claimer, List<C> items) {
    Mono.defer(() -> claimer.release().apply(items))
        .doFinally(signal -> wake(key, filter))
        .subscribe(
            null,
            error ->
                log.warn(
                    "could not hand back a discarded claim; its lease will: {}", error.toString()));
  }

  private void cancel(Waiter waiter) {
    synchronized (lock) {
      if (waiter.state == State.WAITING) {
        waiter.group.waiting.remove(waiter);
        waiter.state = State.DONE;
        forgetIfIdle(waiter.group);
      } else if (waiter.state == State.CLAIMING) {
        waiter.gone = true;
      }
    }
  }

  private void expire(Waiter waiter) {
    boolean end = false;
    synchronized (lock) {
      waiter.expired = true;
      if (waiter.state == State.WAITING && waiter.tried) {
        waiter.group.waiting.remove(waiter);
        waiter.state = State.DONE;
        forgetIfIdle(waiter.group);
        end = true;
      }
    }
    if (end) {
      waiter.sink.success();
    }
  }

  /** Ends every wait as its timeout would, and every later one after its first claim. */
  private void stop() {
    List<Waiter> ended = new ArrayList<>();
    List<Round> rounds = new ArrayList<>();
    synchronized (lock) {
      stopped = true;
      for (Map<Object, Group> byFilter : groups.values()) {
        for (Group group : byFilter.values()) {
          // a stopping instance does not wait for company: claim for the lingering polls now
          if (group.lingering != null) {
            group.lingering.dispose();
            group.lingering = null;
            if (!group.busy && !group.waiting.isEmpty()) {
              rounds.add(round(group));
            }
          }
          for (Waiter waiter : group.waiting) {
            waiter.expired = true;
            if (waiter.tried) {
              waiter.state = State.DONE;
              ended.add(waiter);
            }
          }
          group.waiting.removeAll(ended);
          group.claiming.forEach(waiter -> waiter.expired = true);
        }
      }
      List<Group> all = new ArrayList<>();
      groups.values().forEach(byFilter -> all.addAll(byFilter.values()));
      all.forEach(this::forgetIfIdle);
    }
    ended.forEach(waiter -> waiter.sink.success());
    rounds.forEach(this::run);
  }

  /**
   * Forgets a group nobody waits in; one with a backlog and a linger is kept until {@link
   * #KEEP_BUSY_GROUP} after its last poll, so that its pace survives the moments when every worker
   * is busy. Under lock.
   */
  private void forgetIfIdle(Group group) {
    if (group.busy || group.lingering != null || !group.waiting.isEmpty()) {
      return;
    }
    if (group.backlog && lingerNanos > 0 && !stopped) {
      if (!group.keeping) {
        group.keeping = true;
        timers.schedule(() -> coolDown(group), KEEP_BUSY_GROUP.toNanos(), TimeUnit.NANOSECONDS);
      }
      return;
    }
    Map<Object, Group> byFilter = groups.get(group.key);
    if (byFilter != null && byFilter.get(group.filter) == group) {
      byFilter.remove(group.filter);
      if (byFilter.isEmpty()) {
        groups.remove(group.key);
      }
    }
  }

  /** A kept group's time is up: forget it unless a poll came meanwhile. */
  private void coolDown(Group group) {
    synchronized (lock) {
      group.keeping = false;
      if (nanoClock.getAsLong() - group.lastArrival >= KEEP_BUSY_GROUP.toNanos()) {
        group.backlog = false;
      }
      forgetIfIdle(group);
    }
  }

  /** How many polls wait now (in a claim or between claims), for tests and gauges. */
  int waiting() {
    synchronized (lock) {
      int count = 0;
      for (Map<Object, Group> byFilter : groups.values()) {
        for (Group group : byFilter.values()) {
          count += group.waiting.size();
        }
      }
      return count;
    }
  }

  /** Polls that claim with one statement: same signal key, same filter. */
  private final class Group {
    final WorkSignal key;
    final Object filter;
    final Claimer<C> claimer;
    final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    // the polls of the claim statement in flight
    List<Waiter> claiming = List.of();
    // a claim statement or a hand-back is in flight
    boolean busy;
    // a signal (or a new poll) arrived while busy: claim again afterwards
    boolean again;
    // the last claim statement filled every slot: the queue may have more ready
    boolean backlog;
    // the timer that ends a linger, while the group waits for more polls to claim with
    Disposable lingering;
    // an idle group with a backlog is kept a while; this timer then decides
    boolean keeping;
    // when the last poll arrived (if any has), and the smoothed time between arrivals (nanoseconds)
    boolean arrivedBefore;
    long lastArrival;
    long gap = UNKNOWN_GAP;

    Group(WorkSignal key, Object filter, Claimer<C> claimer) {
      this.key = key;
      this.filter = filter;
      this.claimer = claimer;
    }

    /** A poll arrived at {@code now}: updates the pace of arrivals (an average over ~8). */
    void arrival(long now) {
      if (arrivedBefore) {
        long since = Math.max(0, now - lastArrival);
        gap = gap == UNKNOWN_GAP ? since : gap - gap / 8 + since / 8;
      }
      arrivedBefore = true;
      lastArrival = now;
    }
  }

  /** One claim statement in flight and the polls it serves, by slot. */
  private final class Round {
    final Group group;
    final List<Waiter> waiters;

    Round(Group group, List<Waiter> waiters) {
      this.group = group;
      this.waiters = waiters;
    }
  }

  private final class Waiter {
    final WorkSignal key;
    final Object filter;
    final Claimer<C> claimer;
    final String workerId;
    final MonoSink<C> sink;
    Group group;
    State state = State.WAITING;
    // has been through a claim statement: a timeout may now end it
    boolean tried;
    // its timeout passed (or the instance stops): it ends after the claim it is in
    boolean expired;
    // its caller has gone: whatever is claimed for it goes back
    boolean gone;
    // when it arrived (the clock of nanoClock): a linger ends when the oldest has waited it out
    long arrived;

    Waiter(WorkSignal key, Object filter, Claimer<C> claimer, String workerId, MonoSink<C> sink) {
      this.key = key;
      this.filter = filter;
      this.claimer = claimer;
      this.workerId = workerId;
      this.sink = sink;
    }
  }
}
