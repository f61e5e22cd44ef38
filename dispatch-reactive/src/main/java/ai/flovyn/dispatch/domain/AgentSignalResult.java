package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * What a signal to an agent did.
 *
 * @param signalId the queued signal's id
 * @param agentResumed whether this signal moved the agent from WAITING to PENDING
 */
public record AgentSignalResult(UUID signalId, boolean agentResumed) {}
