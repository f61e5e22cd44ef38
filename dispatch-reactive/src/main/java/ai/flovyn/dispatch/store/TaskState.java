package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.TaskStatus;
import java.util.UUID;

/**
 * A task as it is, to explain why a state change did not apply: its status, output, error, and the
 * outcome and error of its last finished attempt.
 */
public record TaskState(
    UUID id,
    TaskStatus status,
    UUID workflowId,
    byte[] output,
    String error,
    String lastAttemptOutcome,
    String lastAttemptError) {}
