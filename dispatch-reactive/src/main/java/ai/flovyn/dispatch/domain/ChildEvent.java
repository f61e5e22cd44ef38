package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * The outcome of a finished child agent, as PollChildEvents reports it.
 *
 * @param childExecutionId the child
 * @param completed true for {@code completed} (with the output), false for {@code failed}
 * @param output the child's output when completed, else null
 * @param error the child's error when failed ("Cancelled" for a cancelled child), else null
 */
public record ChildEvent(UUID childExecutionId, boolean completed, byte[] output, String error) {}
