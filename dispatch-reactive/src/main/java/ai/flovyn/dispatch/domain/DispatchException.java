package ai.flovyn.dispatch.domain;

/**
 * A failure whose message is safe to show a client: it names the offending field or entity, never
 * SQL, another tenant's data or a stack trace.
 */
public final class DispatchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;

  private DispatchException(ErrorKind kind, String message, Throwable cause) {
    super(message, cause, false, cause != null);
    this.kind = kind;
  }

  /** What kind of failure this is. */
  public ErrorKind kind() {
    return kind;
  }

  public static DispatchException invalidArgument(String message) {
    return new DispatchException(ErrorKind.INVALID_ARGUMENT, message, null);
  }

  public static DispatchException notFound(String message) {
    return new DispatchException(ErrorKind.NOT_FOUND, message, null);
  }

  /**
   * The request's {@code field} names a tenant other than the caller's; the message names the field
   * and says nothing of the tenant it named.
   */
  public static DispatchException permissionDenied(String field) {
    return new DispatchException(
        ErrorKind.PERMISSION_DENIED, field + " must name the caller's own tenant", null);
  }

  public static DispatchException failedPrecondition(String message) {
    return new DispatchException(ErrorKind.FAILED_PRECONDITION, message, null);
  }

  public static DispatchException aborted(String message, Throwable cause) {
    return new DispatchException(ErrorKind.ABORTED, message, cause);
  }

  public static DispatchException unavailable(String message, Throwable cause) {
    return new DispatchException(ErrorKind.UNAVAILABLE, message, cause);
  }

  public static DispatchException resourceExhausted(String message) {
    return new DispatchException(ErrorKind.RESOURCE_EXHAUSTED, message, null);
  }

  public static DispatchException internal(String message, Throwable cause) {
    return new DispatchException(ErrorKind.INTERNAL, message, cause);
  }
}
