package ai.flovyn.dispatch.domain;

/**
 * What applying a command batch did: {@code replayed} when it was an exact replay of what was
 * already recorded (nothing changed).
 */
public record BatchResult(
    boolean replayed,
    int tasksCreated,
    int tasksMatched,
    int eventsAppended,
    WorkflowStatus workflowStatus) {}
