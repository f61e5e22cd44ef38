package ai.flovyn.dispatch.store;

import java.util.UUID;

/**
 * One worker's report on a RUNNING task, as part of a group finished together: completed with
 * {@code output}, or failed with {@code error} (retried while attempts remain). {@code eventType}
 * and {@code eventData} are what its workflow's log records when the task is finished for good.
 */
public record TaskFinish(
    UUID taskId, boolean failed, byte[] output, String error, String eventType, String eventData) {}
