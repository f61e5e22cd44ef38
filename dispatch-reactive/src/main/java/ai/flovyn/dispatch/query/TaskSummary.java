package ai.flovyn.dispatch.query;

import ai.flovyn.dispatch.domain.TaskStatus;
import java.time.Instant;
import java.util.UUID;

/**
 * A task execution as lists show it: no payloads, the error bounded.
 *
 * @param id the task's id
 * @param kind its task kind
 * @param status its status
 * @param queue its queue
 * @param workflowId its workflow, or null for a standalone task
 * @param executionCount how many attempts began
 * @param maxRetries how many times a failed attempt is retried
 * @param progress the last progress reported (0 to 1), or null
 * @param progressDetails the last progress text, or null
 * @param error its error, at most {@value WorkflowSummary#ERROR_CHARS} characters, or null
 * @param workerId the worker running or that last ran it, or null
 * @param createdAt when it was created
 * @param startedAt when its latest attempt began, or null
 * @param completedAt when it finished, or null
 * @param updatedAt when it last changed
 * @param metadataJson its metadata, a JSON object's text
 */
public record TaskSummary(
    UUID id,
    String kind,
    TaskStatus status,
    String queue,
    UUID workflowId,
    int executionCount,
    int maxRetries,
    Double progress,
    String progressDetails,
    String error,
    String workerId,
    Instant createdAt,
    Instant startedAt,
    Instant completedAt,
    Instant updatedAt,
    String metadataJson) {}
