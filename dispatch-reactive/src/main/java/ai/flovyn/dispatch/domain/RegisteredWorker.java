package ai.flovyn.dispatch.domain;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A worker registration as the server keeps it: the operator's view of a worker process. */
public record RegisteredWorker(
    UUID id,
    String workerName,
    String workerVersion,
    String workerType,
    String hostName,
    String processId,
    List<String> workflowKinds,
    List<String> taskKinds,
    Instant registeredAt,
    Instant lastSeenAt) {}
