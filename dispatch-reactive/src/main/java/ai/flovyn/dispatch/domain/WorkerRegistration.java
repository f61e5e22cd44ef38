package ai.flovyn.dispatch.domain;

import java.util.List;
import java.util.Map;

/**
 * What a worker process declares when it registers: who it is and which workflow, task and agent
 * kinds it runs.
 *
 * @param teamId null when absent
 * @param taskTimeouts timeout_seconds per task kind, only for kinds that declared one
 */
public record WorkerRegistration(
    String tenantId,
    String workerName,
    String workerVersion,
    String workerType,
    String hostName,
    String processId,
    String teamId,
    List<String> workflowKinds,
    List<String> taskKinds,
    Map<String, Integer> taskTimeouts,
    List<String> agentKinds) {}
