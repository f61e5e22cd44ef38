package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * One piece of live data a running task streamed (a token, progress, data or an error), handed to
 * subscribers as it was received and never stored.
 *
 * @param workflowExecutionId the workflow the worker named, null for a standalone task
 * @param type the StreamEventType number as sent (1 token, 2 progress, 3 data, 4 error)
 * @param payload JSON text tagged by type, as sent
 * @param timestampMs the worker's clock
 * @param receivedAtMs this server's clock when it arrived
 */
public record TaskData(
    UUID taskExecutionId,
    UUID workflowExecutionId,
    int sequence,
    int type,
    String payload,
    long timestampMs,
    long receivedAtMs) {}
