package ai.flovyn.dispatch.maintenance;

import ai.flovyn.dispatch.agent.AgentChores;
import java.time.Instant;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * The time-driven chores of durable agents ({@link AgentChores}) as maintenance services run them:
 * agent task deadlines and the leases of RUNNING agents.
 */
final class AgentChore implements Chore {
  private final String name;
  private final BiFunction<Instant, Integer, Mono<Integer>> work;
  private final Supplier<Mono<Instant>> next;

  private AgentChore(
      String name, BiFunction<Instant, Integer, Mono<Integer>> work, Supplier<Mono<Instant>> next) {
    this.name = name;
    this.work = work;
    this.next = next;
  }

  /** Fails agent tasks whose deadline passed ("timed out") and wakes their agents. */
  static Chore deadlines(AgentChores agents) {
    return new AgentChore("agent_task_deadlines", agents::taskDeadlines, agents::nextTaskDeadline);
  }

  /** Reclaims RUNNING agents whose worker went away (docs/agents.md, leases). */
  static Chore leases(AgentChores agents) {
    return new AgentChore("agent_leases", agents::leases, agents::nextLease);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Mono<Integer> run(Instant now, int limit) {
    return work.apply(now, limit);
  }

  @Override
  public Mono<Instant> nextDue(Instant now) {
    return next.get();
  }
}
