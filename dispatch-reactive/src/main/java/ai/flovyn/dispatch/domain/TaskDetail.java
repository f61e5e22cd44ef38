package ai.flovyn.dispatch.domain;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One task execution as an operator inspects it: its row and its attempts.
 *
 * @param id the task's id
 * @param tenantId the tenant it belongs to
 * @param kind the task type
 * @param status its status
 * @param queue the queue it is polled from
 * @param workflowExecutionId the workflow that scheduled it, or null for a standalone task
 * @param executionCount how many attempts were claimed so far
 * @param maxRetries how many retries a failure may take
 * @param progress the last progress reported (0 to 1), or null
 * @param progressDetails the text reported with it, or null
 * @param input its input bytes (JSON as sent), or null (also when a listing leaves payloads out)
 * @param output its output bytes, or null (also when a listing leaves payloads out)
 * @param error its last error text, or null
 * @param workerId the worker that runs (or last ran) it, or null
 * @param createdAt when it was created
 * @param startedAt when its latest attempt was claimed, or null
 * @param completedAt when it finished, or null
 * @param updatedAt when its row last changed
 * @param metadataJson its metadata as JSON object text
 * @param attempts its attempts, oldest first
 */
public record TaskDetail(
    UUID id,
    String tenantId,
    String kind,
    TaskStatus status,
    String queue,
    UUID workflowExecutionId,
    int executionCount,
    int maxRetries,
    Double progress,
    String progressDetails,
    byte[] input,
    byte[] output,
    String error,
    String workerId,
    Instant createdAt,
    Instant startedAt,
    Instant completedAt,
    Instant updatedAt,
    String metadataJson,
    List<TaskAttempt> attempts) {

  /**
   * The same task with {@code value} as its attempts.
   *
   * @param value the attempts, oldest first
   * @return a copy of this task with those attempts
   */
  public TaskDetail withAttempts(List<TaskAttempt> value) {
    return new TaskDetail(
        id,
        tenantId,
        kind,
        status,
        queue,
        workflowExecutionId,
        executionCount,
        maxRetries,
        progress,
        progressDetails,
        input,
        output,
        error,
        workerId,
        createdAt,
        startedAt,
        completedAt,
        updatedAt,
        metadataJson,
        value);
  }
}
