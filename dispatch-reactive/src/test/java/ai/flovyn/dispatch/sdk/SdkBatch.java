package ai.flovyn.dispatch.sdk;

import ai.flovyn.dispatch.proto.SubmitWorkflowCommandsRequest;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import ai.flovyn.dispatch.proto.WorkflowStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * One activation's SubmitWorkflowCommands request shaped as a front-end shapes it
 * (docs/sdk-compatibility.md, "Command batches"): the new commands numbered by the front-end's
 * scheme, then the terminal command, and the status.
 */
public final class SdkBatch {
  private final FrontEnd frontEnd;
  private final String workflowId;
  private final int historyLength;
  private final List<WorkflowCommand> commands = new ArrayList<>();

  private SdkBatch(FrontEnd frontEnd, String workflowId, int historyLength) {
    this.frontEnd = frontEnd;
    this.workflowId = workflowId;
    this.historyLength = historyLength;
  }

  /**
   * A batch of {@code frontEnd} for a workflow whose history, as read by GetEvents, had {@code
   * historyLength} events (the Rust numbering base: every event counts, known or not).
   */
  public static SdkBatch of(FrontEnd frontEnd, String workflowId, int historyLength) {
    return new SdkBatch(frontEnd, workflowId, historyLength);
  }

  /** Adds new commands (placeholders included) in the order the workflow code made them. */
  public SdkBatch add(List<WorkflowCommand> newCommands) {
    commands.addAll(newCommands);
    return this;
  }

  public SdkBatch add(WorkflowCommand... newCommands) {
    return add(List.of(newCommands));
  }

  /** Status SUSPENDED: Rust appends SuspendWorkflow(reason), FFI and NAPI append nothing. */
  public SubmitWorkflowCommandsRequest suspended(String reason) {
    List<WorkflowCommand> numbered = numbered();
    if (frontEnd.sendsSuspendCommand()) {
      numbered.add(terminal(SdkCommands.suspendWorkflow(reason)));
    }
    return request(numbered, WorkflowStatus.SUSPENDED);
  }

  /** Status COMPLETED with CompleteWorkflow(output) appended. */
  public SubmitWorkflowCommandsRequest completed(String outputJson) {
    List<WorkflowCommand> numbered = numbered();
    numbered.add(terminal(SdkCommands.completeWorkflow(outputJson)));
    return request(numbered, WorkflowStatus.COMPLETED);
  }

  /**
   * Status FAILED with FailWorkflow(error, "", failureType) appended: {@code ERROR} for errors and
   * determinism violations, {@code CANCELLED} when FFI/NAPI workflow code cancels itself.
   */
  public SubmitWorkflowCommandsRequest failed(String error, String failureType) {
    List<WorkflowCommand> numbered = numbered();
    numbered.add(terminal(SdkCommands.failWorkflow(error, failureType)));
    return request(numbered, WorkflowStatus.FAILED);
  }

  private List<WorkflowCommand> numbered() {
    List<WorkflowCommand> numbered = new ArrayList<>();
    for (int i = 0; i < commands.size(); i++) {
      numbered.add(
          commands.get(i).toBuilder()
              .setSequenceNumber(frontEnd.commandNumber(historyLength, i))
              .build());
    }
    return numbered;
  }

  private WorkflowCommand terminal(WorkflowCommand command) {
    return command.toBuilder()
        .setSequenceNumber(frontEnd.terminalNumber(historyLength, commands.size()))
        .build();
  }

  private SubmitWorkflowCommandsRequest request(
      List<WorkflowCommand> numbered, WorkflowStatus status) {
    return SubmitWorkflowCommandsRequest.newBuilder()
        .setWorkflowExecutionId(workflowId)
        .addAllCommands(numbered)
        .setStatus(status)
        .build();
  }
}
