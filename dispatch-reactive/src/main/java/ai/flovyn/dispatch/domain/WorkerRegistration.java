package ai.flovyn.dispatch.domain;

import java.util.List;
import java.util.Map;

/**
 * What a worker process declares when it registers: who it is and which workflow, task and agent
 * kinds it runs.
 *
 * @param teamId null when absent
 * @param taskTimeouts timeout_seconds per task kind, only for kinds that declared one
 */
public record WorkerRegistration(
    String tenantId,
    String workerName,
    String workerVersion,
    String workerType,
    String hostName,
    String processId,
    String teamId,
    List<String> workflowKinds,
    List<String> taskKinds,
    Map<String, Integer> taskTimeouts,
    List<String> agentKinds) {

  /**
   * A builder with the required {@code tenantId}, {@code workerName}; every other field starts at
   * its default (see the builder's setters).
   *
   * @param tenantId the tenant; must be the caller's
   * @param workerName the worker's name, which need not be unique
   * @return a builder with empty texts, no team and no kinds
   */
  public static Builder builder(String tenantId, String workerName) {
    return new Builder(tenantId, workerName);
  }

  /** Builds a {@link WorkerRegistration} field by field; the setters name each field's default. */
  public static final class Builder {
    private String tenantId = null;
    private String workerName = null;
    private String workerVersion = "";
    private String workerType = "";
    private String hostName = "";
    private String processId = "";
    private String teamId = null;
    private List<String> workflowKinds = List.of();
    private List<String> taskKinds = List.of();
    private Map<String, Integer> taskTimeouts = Map.of();
    private List<String> agentKinds = List.of();

    private Builder(String tenantId, String workerName) {
      this.tenantId = tenantId;
      this.workerName = workerName;
    }

    /**
     * The tenant (required).
     *
     * @param value the caller's tenant
     * @return this builder
     */
    public Builder tenantId(String value) {
      this.tenantId = value;
      return this;
    }

    /**
     * The worker's name (required).
     *
     * @param value a name shown in listings; several registrations may share it
     * @return this builder
     */
    public Builder workerName(String value) {
      this.workerName = value;
      return this;
    }

    /**
     * The worker's version (default: empty).
     *
     * @param value a free text shown in listings
     * @return this builder
     */
    public Builder workerVersion(String value) {
      this.workerVersion = value;
      return this;
    }

    /**
     * The worker's type (default: empty).
     *
     * @param value a free text shown in listings (e.g. the SDK's worker type)
     * @return this builder
     */
    public Builder workerType(String value) {
      this.workerType = value;
      return this;
    }

    /**
     * The host it runs on (default: empty).
     *
     * @param value a free text shown in listings
     * @return this builder
     */
    public Builder hostName(String value) {
      this.hostName = value;
      return this;
    }

    /**
     * Its process id (default: empty).
     *
     * @param value a free text shown in listings
     * @return this builder
     */
    public Builder processId(String value) {
      this.processId = value;
      return this;
    }

    /**
     * Its team (default: null, none).
     *
     * @param value the team's id; null for none
     * @return this builder
     */
    public Builder teamId(String value) {
      this.teamId = value;
      return this;
    }

    /**
     * The workflow kinds it runs (default: none).
     *
     * @param value kind names; not null and no null element (INVALID_ARGUMENT otherwise)
     * @return this builder
     */
    public Builder workflowKinds(List<String> value) {
      this.workflowKinds = value;
      return this;
    }

    /**
     * The task kinds it runs (default: none).
     *
     * @param value kind names; not null and no null element (INVALID_ARGUMENT otherwise)
     * @return this builder
     */
    public Builder taskKinds(List<String> value) {
      this.taskKinds = value;
      return this;
    }

    /**
     * timeout_seconds per task kind (default: none).
     *
     * @param value seconds per task kind, only for kinds that declared one; no null key or value
     * @return this builder
     */
    public Builder taskTimeouts(Map<String, Integer> value) {
      this.taskTimeouts = value;
      return this;
    }

    /**
     * The agent kinds it runs (default: none).
     *
     * @param value kind names; not null and no null element (INVALID_ARGUMENT otherwise)
     * @return this builder
     */
    public Builder agentKinds(List<String> value) {
      this.agentKinds = value;
      return this;
    }

    /**
     * The {@link WorkerRegistration}; nothing is checked here: the {@code Dispatch} call that takes
     * it does.
     *
     * @return the registration, as set
     */
    public WorkerRegistration build() {
      return new WorkerRegistration(
          tenantId,
          workerName,
          workerVersion,
          workerType,
          hostName,
          processId,
          teamId,
          workflowKinds,
          taskKinds,
          taskTimeouts,
          agentKinds);
    }
  }
}
