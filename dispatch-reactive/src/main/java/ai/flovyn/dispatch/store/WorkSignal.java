package ai.flovyn.dispatch.store;

/**
 * "Work may be ready on (kind, tenant, queue)": the payload of a notification, and the key long
 * polls wait on.
 */
public record WorkSignal(Kind kind, String tenantId, String queue) {
  /** Which poll the work is for. */
  public enum Kind {
    WORKFLOW,
    TASK,
    /** PollAgent (durable agents). */
    AGENT
  }

  private static final char SEPARATOR = '\u001f';

  /** "Anything may be ready": sent after the listener (re)connects, when signals may be lost. */
  public static final WorkSignal ANY = new WorkSignal(null, null, null);

  /** Whether this signal may announce work for a poller waiting on {@code key}. */
  public boolean wakes(WorkSignal key) {
    return this == ANY || equals(key);
  }

  /** The notification payload: kind, tenant and queue joined by the unit separator. */
  public String payload() {
    return (kind == Kind.WORKFLOW ? "w" : kind == Kind.AGENT ? "a" : "t")
        + SEPARATOR
        + tenantId
        + SEPARATOR
        + queue;
  }

  /** Parses a payload written by {@link #payload()}; null if it is not one. */
  public static WorkSignal parse(String payload) {
    int first = payload.indexOf(SEPARATOR);
    int second = first < 0 ? -1 : payload.indexOf(SEPARATOR, first + 1);
    if (first != 1 || second < 0) {
      return null;
    }
    Kind kind =
        switch (payload.charAt(0)) {
          case 'w' -> Kind.WORKFLOW;
          case 'a' -> Kind.AGENT;
          default -> Kind.TASK;
        };
    return new WorkSignal(kind, payload.substring(2, second), payload.substring(second + 1));
  }
}
