package ai.flovyn.dispatch.maintenance;

import ai.flovyn.dispatch.agent.AgentChores;
import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * Fails agent tasks whose deadline passed (FAILED, "timed out") and wakes their agents, which
 * re-evaluate what they wait for; one batch is one transaction ({@link AgentChores#taskDeadlines}).
 */
final class AgentTaskDeadlineChore implements Chore {
  private final AgentChores agents;

  AgentTaskDeadlineChore(AgentChores agents) {
    this.agents = agents;
  }

  @Override
  public String name() {
    return "agent_task_deadlines";
  }

  @Override
  public Mono<Integer> run(Instant now, int limit) {
    return agents.taskDeadlines(now, limit);
  }

  @Override
  public Mono<Instant> nextDue(Instant now) {
    return agents.nextTaskDeadline();
  }
}
