package ai.flovyn.dispatch.history;

/**
 * The types of event the server writes to a workflow's history. The names are the strings the SDK's
 * replay reads (docs/sdk-compatibility.md, E1): stored as {@link #name()}, never renamed.
 */
public enum EventType {
  WORKFLOW_STARTED,
  WORKFLOW_COMPLETED,
  WORKFLOW_EXECUTION_FAILED,
  WORKFLOW_CANCELLED,
  WORKFLOW_SUSPENDED,
  TASK_SCHEDULED,
  TASK_COMPLETED,
  TASK_FAILED,
  TIMER_STARTED,
  TIMER_FIRED,
  TIMER_CANCELLED,
  PROMISE_CREATED,
  PROMISE_RESOLVED,
  PROMISE_REJECTED,
  PROMISE_TIMEOUT,
  OPERATION_COMPLETED,
  STATE_SET,
  STATE_CLEARED,
  SIGNAL_RECEIVED,
  CHILD_WORKFLOW_INITIATED,
  CHILD_WORKFLOW_COMPLETED,
  CHILD_WORKFLOW_FAILED
}
