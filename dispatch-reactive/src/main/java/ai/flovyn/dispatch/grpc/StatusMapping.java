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

  private StatusMapping() {}

  /** Maps any failure to a status exception carrying a client-safe description. */
  static StatusRuntimeException toStatusException(Throwable error) {
    if (error instanceof StatusRuntimeException statusError) {
      return statusError;
    }
    if (error instanceof StatusException statusError) {
      return statusError.getStatus().asRuntimeException(statusError.getTrailers());
    }
    if (error instanceof DispatchException dispatchError) {
      return toStatus(dispatchError).asRuntimeException();
    }
    log.error("internal error reached the gRPC layer", error);
    return Status.INTERNAL.withDescription("internal error").asRuntimeException();
  }

  static Status toStatus(DispatchException error) {
    return switch (error.kind()) {
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT.withDescription(error.getMessage());
      case NOT_FOUND -> Status.NOT_FOUND.withDescription(error.getMessage());
      case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION.withDescription(error.getMessage());
      case ABORTED -> Status.ABORTED.withDescription(error.getMessage());
      case UNAVAILABLE -> Status.UNAVAILABLE.withDescription(error.getMessage());
      case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED.withDescription(error.getMessage());
      case INTERNAL -> internal(error);
    };
  }

  private static Status internal(DispatchException error) {
    log.error("internal error: {}", error.getMessage(), error.getCause());
    return Status.INTERNAL.withDescription("internal error");
  }
}
