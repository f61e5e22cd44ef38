package ai.flovyn.dispatch.agent;

import ai.flovyn.dispatch.domain.AgentData;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * Hands StreamAgentData messages to the live viewers of their agent, within this server instance
 * only: nothing is stored, ordered or deduplicated (the SDK's sequence restarts on every claim),
 * and publishing never waits. Each viewer has a bounded buffer of {@value #BUFFER} messages; a
 * message that does not fit is dropped for that viewer alone and counted.
 */
public final class AgentDataHub {
  static final int BUFFER = 256;
  static final int MAX_PAYLOAD = 256 * 1024;

  private final Map<UUID, Set<Sinks.Many<AgentData>>> viewers = new ConcurrentHashMap<>();
  private final Counter published;
  private final Counter dropped;

  public AgentDataHub(MeterRegistry registry) {
    this.published =
        Counter.builder("dispatch_agent_data_published")
            .description("StreamAgentData messages accepted")
            .register(registry);
    this.dropped =
        Counter.builder("dispatch_agent_data_dropped")
            .description("agent data messages a slow viewer lost (its buffer was full)")
            .register(registry);
  }

  void publish(AgentData message) {
    published.increment();
    Set<Sinks.Many<AgentData>> sinks = viewers.get(message.agentExecutionId());
    if (sinks == null) {
      return;
    }
    for (Sinks.Many<AgentData> sink : sinks) {
      boolean lost;
      // publishers on several threads: a sink takes one emission at a time
      synchronized (sink) {
        lost = sink.tryEmitNext(message).isFailure();
      }
      if (lost) {
        dropped.increment();
      }
    }
  }

  Flux<AgentData> subscribe(UUID agentId) {
    Sinks.Many<AgentData> sink =
        Sinks.many().unicast().onBackpressureBuffer(Queues.<AgentData>get(BUFFER).get());
    viewers.computeIfAbsent(agentId, id -> ConcurrentHashMap.newKeySet()).add(sink);
    return sink.asFlux()
        .doFinally(
            signal ->
                viewers.computeIfPresent(
                    agentId,
                    (id, sinks) -> {
                      sinks.remove(sink);
                      return sinks.isEmpty() ? null : sinks;
                    }));
  }
}
