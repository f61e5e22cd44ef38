package ai.flovyn.dispatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.domain.AgentExecution;
import ai.flovyn.dispatch.domain.AgentStatus;
import ai.flovyn.dispatch.domain.AgentTaskResult;
import ai.flovyn.dispatch.domain.AgentWait;
import ai.flovyn.dispatch.domain.ClaimedTask;
import ai.flovyn.dispatch.domain.ScheduleAgentTask;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartAgent;
import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The suspend race of docs/agents.md: the worker reads (task results, signals), then something that
 * satisfies its wait happens, then it calls SuspendAgent; or both race. However they interleave,
 * the agent never stays WAITING with its condition met: it ends PENDING. Many agents at once, each
 * race on parallel threads.
 */
class SuspendRaceIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int AGENTS = 40;
  private static final String TENANT = "race-tenant";
  private static final Scope SCOPE = Scope.tenant(TENANT);

  private static TestDatabase db;
  private static Dispatch dispatch;

  @BeforeAll
  static void start() {
    db = TestDatabase.create();
    dispatch = Dispatch.builder(db.connectionFactory()).build();
  }

  @AfterAll
  static void stop() {
    dispatch.close();
    db.close();
  }

  /** A claimed (RUNNING) agent on its own queue. */
  private static UUID claimedAgent(String queue) {
    UUID id =
        dispatch
            .createAgent(SCOPE, StartAgent.builder(TENANT, "racer").queue(queue).build())
            .block(WAIT)
            .id();
    AgentExecution claimed =
        dispatch
            .pollAgent(SCOPE, TENANT, queue, List.of("racer"), null, "w", Duration.ZERO)
            .block(WAIT);
    assertEquals(id, claimed.id());
    return id;
  }

  @Test
  void aTaskFinishingAroundSuspendNeverLeavesTheAgentWaiting() {
    List<Mono<UUID>> races = new ArrayList<>();
    for (int i = 0; i < AGENTS; i++) {
      String queue = "race-task-" + i + "-" + UUID.randomUUID();
      UUID agent = claimedAgent(queue);
      UUID task =
          dispatch
              .agents()
              .scheduleTask(
                  SCOPE,
                  new ScheduleAgentTask(
                      agent,
                      "tool",
                      "{}".getBytes(StandardCharsets.UTF_8),
                      null,
                      null,
                      null,
                      "task:" + UUID.randomUUID()))
              .block(WAIT)
              .taskExecutionId();
      ClaimedTask claimed =
          dispatch.pollTask(SCOPE, TENANT, queue, null, "tw", Duration.ZERO).block(WAIT);
      // the worker's read: still RUNNING
      AgentTaskResult read =
          dispatch.agents().taskResults(SCOPE, agent, List.of(task)).block(WAIT).get(0);
      assertEquals(TaskStatus.RUNNING, read.status());
      Mono<Void> complete =
          dispatch
              .completeTask(SCOPE, claimed.id(), "{}".getBytes(StandardCharsets.UTF_8))
              .subscribeOn(Schedulers.parallel());
      Mono<AgentStatus> suspend =
          dispatch
              .agents()
              .suspend(
                  SCOPE, agent, new AgentWait(AgentWait.Kind.TASKS_ALL, null, List.of(task), null))
              .subscribeOn(Schedulers.parallel());
      races.add(Mono.when(complete, suspend).thenReturn(agent));
    }
    List<UUID> agents = Flux.merge(races).collectList().block(WAIT);
    assertEquals(AGENTS, agents.size());
    for (UUID agent : agents) {
      assertEquals(AgentStatus.PENDING, dispatch.agent(SCOPE, agent).block(WAIT).status());
    }
  }

  @Test
  void aSignalArrivingAroundSuspendNeverLeavesTheAgentWaiting() {
    List<Mono<UUID>> races = new ArrayList<>();
    for (int i = 0; i < AGENTS; i++) {
      UUID agent = claimedAgent("race-signal-" + i + "-" + UUID.randomUUID());
      // the worker's read: nothing queued yet
      assertEquals(
          0, dispatch.agents().consumeSignals(SCOPE, agent, "go", null).block(WAIT).size());
      Mono<Object> signal =
          dispatch
              .signalAgent(SCOPE, agent, "go", "1".getBytes(StandardCharsets.UTF_8))
              .subscribeOn(Schedulers.parallel())
              .cast(Object.class);
      Mono<AgentStatus> suspend =
          dispatch
              .agents()
              .suspend(SCOPE, agent, new AgentWait(AgentWait.Kind.SIGNAL, "go", List.of(), null))
              .subscribeOn(Schedulers.parallel());
      races.add(Mono.when(signal, suspend).thenReturn(agent));
    }
    List<UUID> agents = Flux.merge(races).collectList().block(WAIT);
    assertEquals(AGENTS, agents.size());
    for (UUID agent : agents) {
      assertEquals(AgentStatus.PENDING, dispatch.agent(SCOPE, agent).block(WAIT).status());
    }
  }

  @Test
  void aChangeBetweenTheReadAndSuspendIsSeenBySuspend() {
    String queue = "race-sequential-" + UUID.randomUUID();
    UUID agent = claimedAgent(queue);
    dispatch.signalAgent(SCOPE, agent, "go", new byte[0]).block(WAIT);
    AgentStatus status =
        dispatch
            .agents()
            .suspend(SCOPE, agent, new AgentWait(AgentWait.Kind.SIGNAL, "go", List.of(), null))
            .block(WAIT);
    assertEquals(AgentStatus.PENDING, status, "the queued signal satisfies it at once");
    AgentExecution again =
        dispatch
            .pollAgent(SCOPE, TENANT, queue, List.of("racer"), null, "w2", Duration.ZERO)
            .block(WAIT);
    assertEquals(agent, again.id(), "and the agent is pollable");
  }
}
