package ai.flovyn.dispatch.load;

import io.grpc.Status;

/** gRPC status code names spelled as Go (and so ghz) prints them: {@code Unavailable}, … */
final class StatusNames {
  private StatusNames() {}

  static String of(Status.Code code) {
    return switch (code) {
      case OK -> "OK";
      case CANCELLED -> "Canceled";
      case UNKNOWN -> "Unknown";
      case INVALID_ARGUMENT -> "InvalidArgument";
      case DEADLINE_EXCEEDED -> "DeadlineExceeded";
      case NOT_FOUND -> "NotFound";
      case ALREADY_EXISTS -> "AlreadyExists";
      case PERMISSION_DENIED -> "PermissionDenied";
      case RESOURCE_EXHAUSTED -> "ResourceExhausted";
      case FAILED_PRECONDITION -> "FailedPrecondition";
      case ABORTED -> "Aborted";
      case OUT_OF_RANGE -> "OutOfRange";
      case UNIMPLEMENTED -> "Unimplemented";
      case INTERNAL -> "Internal";
      case UNAVAILABLE -> "Unavailable";
      case DATA_LOSS -> "DataLoss";
      case UNAUTHENTICATED -> "Unauthenticated";
    };
  }

  /** The name of a numeric code as carried in an ack; Go prints unknown numbers as Code(n). */
  static String of(int code) {
    Status.Code[] codes = Status.Code.values();
    if (code >= 0 && code < codes.length && codes[code].value() == code) {
      return of(codes[code]);
    }
    return "Code(" + code + ")";
  }

  /** The error text ghz shows for a failed call: {@code rpc error: code = X desc = Y}. */
  static String describe(Status status) {
    StringBuilder desc = new StringBuilder();
    if (status.getDescription() != null) {
      desc.append(status.getDescription());
    }
    Throwable cause = status.getCause();
    if (cause != null && cause.getMessage() != null) {
      desc.append(desc.length() == 0 ? "" : ": ").append(cause.getMessage());
    }
    return "rpc error: code = " + of(status.getCode()) + " desc = " + desc;
  }
}
