package ai.flovyn.dispatch.sdk;

import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import io.grpc.Status;
import java.util.Map;

/**
 * What one activation of {@link SdkWorker} did: the workflow, the history it read, how the code
 * ended ({@code SUSPENDED}, {@code COMPLETED}, {@code FAILED}), why, the batch it submitted and
 * what the server answered.
 *
 * @param historyLength the number of events GetEvents returned (the Rust numbering base)
 * @param taskTimeMillis PollResponse's {@code workflow_task_time_millis}
 * @param detail the suspension reason, the output JSON or the failure message
 * @param violation the determinism violation the replay hit, or null
 * @param unconsumed matched events (per cursor) no call of the code reached
 * @param submitted the batch sent, null when the activation was abandoned
 * @param submitStatus the server's answer to the batch (OK, or the error's status)
 */
public record Activation(
    String workflowId,
    String kind,
    int historyLength,
    long taskTimeMillis,
    String outcome,
    String detail,
    String violation,
    Map<String, Integer> unconsumed,
    SubmitWorkflowCommandsRequest submitted,
    Status submitStatus) {

  /** Whether the code suspended waiting on {@code reason} (e.g. {@code "signal go"}). */
  public boolean suspendedOn(String reason) {
    return outcome.equals("SUSPENDED") && detail.equals(reason);
  }

  @Override
  public String toString() {
    return kind
        + " "
        + workflowId
        + " after "
        + historyLength
        + " events: "
        + outcome
        + " ("
        + detail
        + ")"
        + (violation == null ? "" : " VIOLATION " + violation)
        + (unconsumed.isEmpty() ? "" : " unconsumed " + unconsumed)
        + (submitStatus == null || submitStatus.isOk() ? "" : " submit " + submitStatus);
  }
}
