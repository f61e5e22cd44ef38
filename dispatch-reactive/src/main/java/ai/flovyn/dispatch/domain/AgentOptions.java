package ai.flovyn.dispatch.domain;

import java.time.Duration;

/**
 * The limits and leases of durable agents (docs/agents.md, "Limits"). A request over a size limit
 * is INVALID_ARGUMENT naming the field, a count limit RESOURCE_EXHAUSTED; nothing is written.
 *
 * @param maxEntryBytes the largest entry content (default 1 MiB)
 * @param maxEntriesPerAgent the most entries one agent may hold (default 10,000)
 * @param maxCheckpointBytes the largest checkpoint state (default 4 MiB less 64 KiB, so that
 *     GetLatestCheckpoint fits the SDK's 4 MiB message limit)
 * @param maxQueuedSignals the most unconsumed signals one agent may hold (default 1,000)
 * @param maxSignalBytes the largest signal value (default 1 MiB)
 * @param maxTaskInputBytes the largest agent task input (default 4 MiB less 64 KiB, so that
 *     PollTask can deliver it)
 * @param idleLease how long a RUNNING agent without any call of its own keeps its claim (default 15
 *     min)
 * @param heartbeatLimit how long a RUNNING agent whose registered worker sends no heartbeat, and
 *     which makes no call, keeps its claim (default 90 s, three of the SDK's heartbeats)
 * @param maxReclaims lease expiries without a checkpoint in between after which the agent fails
 *     (default 3)
 */
public record AgentOptions(
    int maxEntryBytes,
    int maxEntriesPerAgent,
    int maxCheckpointBytes,
    int maxQueuedSignals,
    int maxSignalBytes,
    int maxTaskInputBytes,
    Duration idleLease,
    Duration heartbeatLimit,
    int maxReclaims) {

  /**
   * The documented defaults.
   *
   * @return the defaults listed on this record's fields
   */
  public static AgentOptions defaults() {
    int nearlyFourMiB = 4 * 1024 * 1024 - 64 * 1024;
    return new AgentOptions(
        1024 * 1024,
        10_000,
        nearlyFourMiB,
        1_000,
        1024 * 1024,
        nearlyFourMiB,
        Duration.ofMinutes(15),
        Duration.ofSeconds(90),
        3);
  }

  /**
   * These options with other leases (tests shorten them).
   *
   * @param idle the idle lease
   * @param heartbeat the heartbeat limit
   * @return a copy with the leases replaced
   */
  public AgentOptions withLeases(Duration idle, Duration heartbeat) {
    return new AgentOptions(
        maxEntryBytes,
        maxEntriesPerAgent,
        maxCheckpointBytes,
        maxQueuedSignals,
        maxSignalBytes,
        maxTaskInputBytes,
        idle,
        heartbeat,
        maxReclaims);
  }

  /**
   * These options with other count limits.
   *
   * @param entries the most entries per agent
   * @param signals the most queued signals per agent
   * @return a copy with the count limits replaced
   */
  public AgentOptions withCounts(int entries, int signals) {
    return new AgentOptions(
        maxEntryBytes,
        entries,
        maxCheckpointBytes,
        signals,
        maxSignalBytes,
        maxTaskInputBytes,
        idleLease,
        heartbeatLimit,
        maxReclaims);
  }
}
