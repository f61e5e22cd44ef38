package ai.flovyn.dispatch.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.agent.AgentChores;
import ai.flovyn.dispatch.agent.AgentMetrics;
import ai.flovyn.dispatch.domain.AgentOptions;
import ai.flovyn.dispatch.domain.NewAgentEntry;
import ai.flovyn.dispatch.domain.ScheduleAgentTask;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartAgent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Finished agents past their retention period go with their tasks, entries, checkpoints and
 * signals; unfinished ones, and their tasks, stay.
 */
class AgentRetentionIT {
  private static final Scope SCOPE = Scope.tenant(ChoreFixture.TENANT);
  private static ChoreFixture fixture;

  @BeforeAll
  static void database() {
    fixture =
        ChoreFixture.create(
            DispatchOptions.defaults().toBuilder().retention(Duration.ofDays(1), Map.of()).build());
  }

  @AfterAll
  static void drop() {
    fixture.close();
  }

  private static UUID agentWithEverything() {
    var dispatch = fixture.dispatch;
    UUID id =
        dispatch
            .createAgent(SCOPE, StartAgent.builder(ChoreFixture.TENANT, "k").build())
            .block(ChoreFixture.WAIT)
            .id();
    var agents = dispatch.agents();
    agents
        .appendEntry(
            SCOPE,
            new NewAgentEntry(id, null, "MESSAGE", "user", new byte[] {'1'}, null, null, null))
        .block(ChoreFixture.WAIT);
    agents.submitCheckpoint(SCOPE, id, null, new byte[] {'1'}, null).block(ChoreFixture.WAIT);
    agents
        .scheduleTask(
            SCOPE, new ScheduleAgentTask(id, "tool", new byte[0], null, null, null, "task:" + id))
        .block(ChoreFixture.WAIT);
    dispatch.signalAgent(SCOPE, id, "s", new byte[0]).block(ChoreFixture.WAIT);
    return id;
  }

  @Test
  void aFinishedAgentGoesWithEverythingItRecorded() throws Exception {
    UUID finished = agentWithEverything();
    fixture.dispatch.agents().complete(SCOPE, finished, new byte[] {'1'}).block(ChoreFixture.WAIT);
    UUID running = agentWithEverything();
    RetentionChore retention =
        new RetentionChore(
            fixture.transactor,
            fixture.options,
            fixture.metrics,
            new AgentChores(
                fixture.transactor,
                AgentOptions.defaults(),
                new AgentMetrics(new SimpleMeterRegistry())));
    assertEquals(0, fixture.runOnce(retention), "finished within its retention");

    fixture.clock.advance(Duration.ofDays(2));
    fixture.firstBusyRun(retention, 50);

    for (String table :
        new String[] {"agent_entries", "agent_checkpoints", "agent_signals", "task_executions"}) {
      String column = "agent_execution_id";
      assertEquals(
          0,
          fixture.db.scalar(
              "SELECT count(*) FROM " + table + " WHERE " + column + " = ?", finished),
          table);
      assertEquals(
          1,
          fixture.db.scalar("SELECT count(*) FROM " + table + " WHERE " + column + " = ?", running),
          table + " of an unfinished agent stays");
    }
    assertEquals(
        0, fixture.db.scalar("SELECT count(*) FROM agent_executions WHERE id = ?", finished));
    assertEquals(
        1, fixture.db.scalar("SELECT count(*) FROM agent_executions WHERE id = ?", running));
  }
}
