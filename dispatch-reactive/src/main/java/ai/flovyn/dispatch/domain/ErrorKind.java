package ai.flovyn.dispatch.domain;

/** What went wrong, in the terms a caller acts on; the gRPC layer maps each to one status code. */
public enum ErrorKind {
  /** The request is malformed; resending it unchanged will fail again. */
  INVALID_ARGUMENT,
  /** The workflow, task or promise does not exist (or belongs to another tenant). */
  NOT_FOUND,
  /** The request names a tenant other than the caller's (the field is named, never the tenant). */
  PERMISSION_DENIED,
  /** The request collides with what exists (id collision, wrong state). */
  FAILED_PRECONDITION,
  /** A transient conflict (serialization failure, deadlock): retry the same request. */
  ABORTED,
  /** The database is unreachable or overloaded: retry the same request later. */
  UNAVAILABLE,
  /** Too much at once: message too large, too many calls in flight. */
  RESOURCE_EXHAUSTED,
  /** A bug: the caller sees a generic message, the cause is logged once. */
  INTERNAL
}
