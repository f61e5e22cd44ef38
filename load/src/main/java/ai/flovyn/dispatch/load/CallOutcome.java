package ai.flovyn.dispatch.load;

import io.grpc.Status;
import java.util.List;

/**
 * How one call ended.
 *
 * @param statusName the gRPC status as ghz names it
 * @param error the error text (null for OK)
 * @param tasks the ScheduleTask commands the server accepted in this call
 * @param acks per-message acks of a stream whose responses carry a {@code code}
 */
record CallOutcome(String statusName, String error, long latencyNanos, long tasks, List<Ack> acks) {

  /** One per-message ack: its status code number and message. */
  record Ack(int code, String message) {}

  static CallOutcome of(Status status, long latencyNanos, long tasks, List<Ack> acks) {
    return new CallOutcome(
        StatusNames.of(status.getCode()),
        status.isOk() ? null : StatusNames.describe(status),
        latencyNanos,
        tasks,
        acks);
  }

  /** A call that failed on this side, before or while waiting for the server. */
  static CallOutcome clientError(Status.Code code, String error) {
    return new CallOutcome(StatusNames.of(code), error, 0, 0, List.of());
  }

  boolean ok() {
    return error == null;
  }
}
