package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.domain.DispatchException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become gRPC statuses: every call of every service passes its error
 * through {@link #toStatusException}, so nothing reaches a client as UNKNOWN, and no SQL text or
 * stack trace leaves the server.
 */
final class StatusMapping {
  private static final Logger log = LoggerFactory.getLogger(StatusMapping.class);

  /**
   * The longest status description sent, in characters: percent-encoded in the trailers it stays
   * well under the 8 KiB header list limit of common clients, which otherwise never see the end of
   * the call (and every later call on the connection stalls).
   */
  static final int MAX_DESCRIPTION = 512;

  private StatusMapping() {}

  /** Maps any failure to a status exception carrying a client-safe description. */
  static StatusRuntimeException toStatusException(Throwable error) {
    if (error instanceof StatusRuntimeException statusError) {
      return bounded(statusError.getStatus()).asRuntimeException(statusError.getTrailers());
    }
    if (error instanceof StatusException statusError) {
      return bounded(statusError.getStatus()).asRuntimeException(statusError.getTrailers());
    }
    if (error instanceof DispatchException dispatchError) {
      return toStatus(dispatchError).asRuntimeException();
    }
    log.error("internal error reached the gRPC layer", error);
    return Status.INTERNAL.withDescription("internal error").asRuntimeException();
  }

  static Status toStatus(DispatchException error) {
    return bounded(unbounded(error));
  }

  /** The status with its description cut to {@link #MAX_DESCRIPTION} characters. */
  static Status bounded(Status status) {
    String description = status.getDescription();
    return description == null || description.length() <= MAX_DESCRIPTION
        ? status
        : status.withDescription(truncate(description, MAX_DESCRIPTION));
  }

  /** At most {@code max} characters of {@code text}, never splitting a surrogate pair. */
  static String truncate(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(max - 2)) ? max - 2 : max - 1;
    return text.substring(0, end) + "…";
  }

  private static Status unbounded(DispatchException error) {
    return switch (error.kind()) {
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT.withDescription(error.getMessage());
      case NOT_FOUND -> Status.NOT_FOUND.withDescription(error.getMessage());
      case PERMISSION_DENIED -> Status.PERMISSION_DENIED.withDescription(error.getMessage());
      case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION.withDescription(error.getMessage());
      case ABORTED -> Status.ABORTED.withDescription(error.getMessage());
      case UNAVAILABLE -> Status.UNAVAILABLE.withDescription(error.getMessage());
      case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED.withDescription(error.getMessage());
      case INTERNAL -> internal(error);
    };
  }

  private static Status internal(DispatchException error) {
    // Dispatch, the only source of DispatchExceptions here, has logged it with its cause already
    log.debug(
        "internal error: {}",
        truncate(String.valueOf(error.getMessage()), MAX_DESCRIPTION),
        error.getCause());
    return Status.INTERNAL.withDescription("internal error");
  }
}
