package ai.flovyn.dispatch.store;

import java.util.UUID;

/**
 * A workflow execution row to insert (PENDING, with its WORKFLOW_STARTED event as sequence 1).
 * Built with {@link #builder}, which names each field and its default.
 */
public record NewWorkflow(
    UUID id,
    String tenantId,
    String kind,
    byte[] input,
    String queue,
    int prioritySeconds,
    String traceparent,
    String metadataJson,
    String workflowDefinitionId,
    String workflowVersion,
    UUID parentId,
    String childExecutionName,
    String startedEventJson) {

  /** A workflow {@code id} of {@code kind}: empty input, no metadata, no parent, the rest unset. */
  public static Builder builder(UUID id, String kind) {
    return new Builder(id, kind);
  }

  /** Sets a {@link NewWorkflow}'s fields by name. */
  public static final class Builder {
    private final UUID id;
    private final String kind;
    private String tenantId;
    private byte[] input = new byte[0];
    private String queue;
    private int prioritySeconds;
    private String traceparent;
    private String metadataJson = "{}";
    private String workflowDefinitionId;
    private String workflowVersion;
    private UUID parentId;
    private String childExecutionName;
    private String startedEventJson;

    private Builder(UUID id, String kind) {
      this.id = id;
      this.kind = kind;
    }

    public Builder tenant(String value) {
      tenantId = value;
      return this;
    }

    public Builder input(byte[] value) {
      input = value;
      return this;
    }

    public Builder queue(String value) {
      queue = value;
      return this;
    }

    public Builder prioritySeconds(int value) {
      prioritySeconds = value;
      return this;
    }

    public Builder traceparent(String value) {
      traceparent = value;
      return this;
    }

    /** The metadata as a JSON object's text (default {@code {}}). */
    public Builder metadataJson(String value) {
      metadataJson = value;
      return this;
    }

    public Builder definition(String id, String version) {
      workflowDefinitionId = id;
      workflowVersion = version;
      return this;
    }

    /** The parent and the name it knows this child by (null: started by StartChildWorkflow). */
    public Builder parent(UUID id, String childName) {
      parentId = id;
      childExecutionName = childName;
      return this;
    }

    /** The data of its WORKFLOW_STARTED event (JSON text). */
    public Builder startedEventJson(String value) {
      startedEventJson = value;
      return this;
    }

    public NewWorkflow build() {
      return new NewWorkflow(
          id,
          tenantId,
          kind,
          input,
          queue,
          prioritySeconds,
          traceparent,
          metadataJson,
          workflowDefinitionId,
          workflowVersion,
          parentId,
          childExecutionName,
          startedEventJson);
    }
  }
}
