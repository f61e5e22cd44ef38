package ai.flovyn.dispatch.store;

import java.util.UUID;

/**
 * One worker's report on a RUNNING task, as part of a group finished together: completed with
 * {@code output}, or failed with {@code error} (retried while attempts remain). {@code eventType},
 * {@code eventData} and {@code eventIdentity} are what its workflow's log records when the task is
 * finished for good. {@code tenant} limits it to that tenant's task (null: any tenant's): another
 * tenant's task is not found, exactly as one that does not exist.
 */
public record TaskFinish(
    String tenant,
    UUID taskId,
    boolean failed,
    byte[] output,
    String error,
    String eventType,
    String eventData,
    String eventIdentity) {}
