package ai.flovyn.dispatch.agent;

import ai.flovyn.dispatch.domain.AgentStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** The agents' Micrometer meters, named as docs/agents.md lists them (Prometheus names). */
public final class AgentMetrics {
  private final Counter started;
  private final Map<AgentStatus, Counter> finished = new EnumMap<>(AgentStatus.class);
  private final Counter suspended;
  private final Counter resumed;
  private final Counter claimed;
  private final Counter empty;
  private final Counter reclaimed;
  private final Counter timedOut;
  private final AtomicLong waiting = new AtomicLong();

  public AgentMetrics(MeterRegistry registry) {
    this.started =
        Counter.builder("dispatch_agents_started")
            .description("agent executions created (root and child)")
            .register(registry);
    for (AgentStatus status :
        new AgentStatus[] {AgentStatus.COMPLETED, AgentStatus.FAILED, AgentStatus.CANCELLED}) {
      finished.put(
          status,
          Counter.builder("dispatch_agents_finished")
              .description("agent executions finished, by outcome")
              .tags("outcome", status.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
    this.suspended =
        Counter.builder("dispatch_agent_suspends")
            .description("SuspendAgent calls accepted")
            .register(registry);
    this.resumed =
        Counter.builder("dispatch_agent_resumes")
            .description("agents made PENDING again because their wait condition held")
            .register(registry);
    this.claimed =
        Counter.builder("dispatch_agent_polls")
            .description("PollAgent calls answered, by outcome")
            .tags("outcome", "claimed")
            .register(registry);
    this.empty =
        Counter.builder("dispatch_agent_polls")
            .description("PollAgent calls answered, by outcome")
            .tags("outcome", "empty")
            .register(registry);
    this.reclaimed =
        Counter.builder("dispatch_agent_reclaims")
            .description("RUNNING agents whose lease expired (PENDING again, or FAILED)")
            .register(registry);
    this.timedOut =
        Counter.builder("dispatch_agent_tasks_timed_out")
            .description("agent tasks failed by their deadline")
            .register(registry);
    Gauge.builder("dispatch_agents_waiting", waiting, AtomicLong::get)
        .description("agents WAITING, as the last maintenance run counted them")
        .register(registry);
  }

  void started() {
    started.increment();
  }

  void finished(AgentStatus status) {
    Counter counter = finished.get(status);
    if (counter != null) {
      counter.increment();
    }
  }

  void suspended() {
    suspended.increment();
  }

  void resumed() {
    resumed.increment();
  }

  void resumed(int count) {
    resumed.increment(count);
  }

  void polled(boolean gotOne) {
    (gotOne ? claimed : empty).increment();
  }

  void reclaimed(int count) {
    reclaimed.increment(count);
  }

  void timedOut(int count) {
    timedOut.increment(count);
  }

  void waiting(long count) {
    waiting.set(count);
  }
}
