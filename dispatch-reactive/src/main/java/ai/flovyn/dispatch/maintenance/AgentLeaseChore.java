package ai.flovyn.dispatch.maintenance;

import ai.flovyn.dispatch.agent.AgentChores;
import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * Reclaims RUNNING agents whose worker went away (lease expired, or its registered worker stopped
 * heartbeating): PENDING again, or FAILED after too many expiries (docs/agents.md, leases); one
 * batch is one transaction ({@link AgentChores#leases}).
 */
final class AgentLeaseChore implements Chore {
  private final AgentChores agents;

  AgentLeaseChore(AgentChores agents) {
    this.agents = agents;
  }

  @Override
  public String name() {
    return "agent_leases";
  }

  @Override
  public Mono<Integer> run(Instant now, int limit) {
    return agents.leases(now, limit);
  }

  @Override
  public Mono<Instant> nextDue(Instant now) {
    return agents.nextLease();
  }
}
