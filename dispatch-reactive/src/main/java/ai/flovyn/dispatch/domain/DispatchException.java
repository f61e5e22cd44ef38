package ai.flovyn.dispatch.domain;

/**
 * A failure whose message is safe to show a client: it names the offending field or entity, never
 * SQL, another tenant's data or a stack trace.
 */
public final class DispatchException extends RuntimeException {
  /**
   * The serialized form's version; fixed, as the form has not changed since it was first written.
   */
  private static final long serialVersionUID = 1L;

  /** The kind, kept in the serialized form so that a copy still says how to retry. */
  private final ErrorKind kind;

  private DispatchException(ErrorKind kind, String message, Throwable cause) {
    super(message, cause, false, cause != null);
    this.kind = kind;
  }

  /**
   * What kind of failure this is.
   *
   * @return the kind, which says whether and how a caller may retry; never null
   */
  public ErrorKind kind() {
    return kind;
  }

  /**
   * The request is malformed; retrying it unchanged fails again.
   *
   * @param message what is wrong, naming the field (e.g. {@code "queue must not be empty"})
   * @return an INVALID_ARGUMENT failure without a cause
   */
  public static DispatchException invalidArgument(String message) {
    return new DispatchException(ErrorKind.INVALID_ARGUMENT, message, null);
  }

  /**
   * The object addressed does not exist, or is another tenant's (the two look the same).
   *
   * @param message which object, by its id (e.g. {@code "task <id> not found"})
   * @return a NOT_FOUND failure without a cause
   */
  public static DispatchException notFound(String message) {
    return new DispatchException(ErrorKind.NOT_FOUND, message, null);
  }

  /**
   * The request's {@code field} names a tenant other than the caller's; the message names the field
   * and says nothing of the tenant it named.
   *
   * @param field the request field that named the tenant, e.g. {@code tenant_id}
   * @return a PERMISSION_DENIED failure without a cause
   */
  public static DispatchException permissionDenied(String field) {
    return new DispatchException(
        ErrorKind.PERMISSION_DENIED, field + " must name the caller's own tenant", null);
  }

  /**
   * The object is in a state that forbids the call (e.g. the task is no longer running); retrying
   * without a change of state fails again.
   *
   * @param message what state forbids it
   * @return a FAILED_PRECONDITION failure without a cause
   */
  public static DispatchException failedPrecondition(String message) {
    return new DispatchException(ErrorKind.FAILED_PRECONDITION, message, null);
  }

  /**
   * The call lost a race with a concurrent one (a serialization failure, a deadlock) and wrote
   * nothing; retrying it may succeed.
   *
   * @param message what was being done, safe to show
   * @param cause the database error, kept for the log and never shown to a client; null for none
   * @return an ABORTED failure
   */
  public static DispatchException aborted(String message, Throwable cause) {
    return new DispatchException(ErrorKind.ABORTED, message, cause);
  }

  /**
   * The database could not be reached or answered in time; retrying later may succeed.
   *
   * @param message why, safe to show (e.g. connection refused, no answer in time)
   * @param cause the underlying error, kept for the log; null for none
   * @return an UNAVAILABLE failure
   */
  public static DispatchException unavailable(String message, Throwable cause) {
    return new DispatchException(ErrorKind.UNAVAILABLE, message, cause);
  }

  /**
   * A limit was reached (a history's size, a tenant's quota); the request is valid but cannot be
   * taken now.
   *
   * @param message which limit, and its value
   * @return a RESOURCE_EXHAUSTED failure without a cause
   */
  public static DispatchException resourceExhausted(String message) {
    return new DispatchException(ErrorKind.RESOURCE_EXHAUSTED, message, null);
  }

  /**
   * A failure the caller cannot fix (a bug, an unexpected database error); logged once with its
   * cause.
   *
   * @param message a text safe to show: no SQL, no stack trace
   * @param cause the error to log; null for none
   * @return an INTERNAL failure
   */
  public static DispatchException internal(String message, Throwable cause) {
    return new DispatchException(ErrorKind.INTERNAL, message, cause);
  }
}
