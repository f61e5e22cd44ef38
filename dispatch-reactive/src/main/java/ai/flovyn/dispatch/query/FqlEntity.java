package ai.flovyn.dispatch.query;

import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** What an FQL query lists: its fields (a whitelist, each mapped to a column) and statuses. */
public enum FqlEntity {
  /** Workflow executions ({@code workflow_executions}). */
  WORKFLOW(
      names(WorkflowStatus.values()),
      FqlField.of("id", "id", FqlField.Type.UUID, false),
      FqlField.of("kind", "kind", FqlField.Type.TEXT, false),
      FqlField.of("status", "status", FqlField.Type.STATUS, false),
      FqlField.of("queue", "queue", FqlField.Type.TEXT, false),
      FqlField.of("version", "workflow_version", FqlField.Type.TEXT, true),
      FqlField.of("createdAt", "created_at", FqlField.Type.TIME, false),
      // the latest claim: a workflow runs in turns, each claimed anew
      FqlField.of("startedAt", "claimed_at", FqlField.Type.TIME, true),
      FqlField.of("completedAt", "completed_at", FqlField.Type.TIME, true),
      FqlField.of("updatedAt", "updated_at", FqlField.Type.TIME, false),
      FqlField.of("parentId", "parent_workflow_execution_id", FqlField.Type.UUID, true)),
  /** Task executions ({@code task_executions}). */
  TASK(
      names(TaskStatus.values()),
      FqlField.of("id", "id", FqlField.Type.UUID, false),
      FqlField.of("kind", "task_type", FqlField.Type.TEXT, false),
      FqlField.of("status", "status", FqlField.Type.STATUS, false),
      FqlField.of("queue", "queue", FqlField.Type.TEXT, false),
      FqlField.of("attempt", "execution_count", FqlField.Type.INTEGER, false),
      FqlField.of("maxRetries", "max_retries", FqlField.Type.INTEGER, false),
      FqlField.of("workflowId", "workflow_execution_id", FqlField.Type.UUID, true),
      FqlField.of("createdAt", "created_at", FqlField.Type.TIME, false),
      FqlField.of("startedAt", "started_at", FqlField.Type.TIME, true),
      FqlField.of("completedAt", "completed_at", FqlField.Type.TIME, true));

  static final String METADATA = "metadata.";
  static final int MAX_METADATA_KEY = 255;

  private final java.util.List<String> statuses;
  private final Map<String, FqlField> fields = new LinkedHashMap<>();

  FqlEntity(java.util.List<String> statuses, FqlField... fields) {
    this.statuses = statuses;
    for (FqlField field : fields) {
      this.fields.put(field.name().toLowerCase(Locale.ROOT), field);
    }
  }

  private static java.util.List<String> names(Enum<?>[] values) {
    return Arrays.stream(values).map(Enum::name).toList();
  }

  /**
   * The statuses a {@code status} value may name.
   *
   * @return the status names, upper case, in life-cycle order
   */
  public java.util.List<String> statuses() {
    return statuses;
  }

  /** The field {@code name} names (case-insensitive; {@code metadata.<key>} too), or null. */
  FqlField field(String name) {
    if (name.regionMatches(true, 0, METADATA, 0, METADATA.length())) {
      String key = name.substring(METADATA.length());
      if (key.isEmpty() || key.length() > MAX_METADATA_KEY) {
        return null;
      }
      return FqlField.metadata(key);
    }
    return fields.get(name.toLowerCase(Locale.ROOT));
  }

  /** The names of the fields, for messages. */
  String fieldNames() {
    StringBuilder names = new StringBuilder();
    fields.values().forEach(field -> names.append(field.name()).append(", "));
    return names.append("metadata.<key>").toString();
  }
}
