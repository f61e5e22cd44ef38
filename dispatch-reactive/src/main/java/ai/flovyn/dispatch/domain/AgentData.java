package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * One message of StreamAgentData, fanned out to live viewers and never stored.
 *
 * @param agentExecutionId the agent
 * @param sequence the worker's counter (restarts on every claim; never checked)
 * @param eventType the AgentStreamEventType number (any value)
 * @param payload the JSON text as given
 * @param timestampMs the worker's clock
 */
public record AgentData(
    UUID agentExecutionId, int sequence, int eventType, String payload, long timestampMs) {}
