package ai.flovyn.dispatch.query;

import ai.flovyn.dispatch.domain.WorkflowStatus;
import java.time.Instant;
import java.util.UUID;

/**
 * A workflow execution as lists show it: no payloads, the error bounded.
 *
 * @param id the workflow's id
 * @param kind its kind
 * @param status its status
 * @param queue its queue
 * @param version its version, or null
 * @param parentId its parent, or null
 * @param createdAt when it was started
 * @param updatedAt when it last changed
 * @param startedAt when a worker last claimed it, or null
 * @param completedAt when it finished, or null
 * @param metadataJson its metadata, a JSON object's text
 * @param error its error, at most {@value #ERROR_CHARS} characters, or null
 */
public record WorkflowSummary(
    UUID id,
    String kind,
    WorkflowStatus status,
    String queue,
    String version,
    UUID parentId,
    Instant createdAt,
    Instant updatedAt,
    Instant startedAt,
    Instant completedAt,
    String metadataJson,
    String error) {
  /** How much of an error a list shows. */
  public static final int ERROR_CHARS = 200;
}
