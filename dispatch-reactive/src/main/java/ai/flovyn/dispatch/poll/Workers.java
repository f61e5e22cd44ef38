package ai.flovyn.dispatch.poll;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.RegisteredWorker;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.WorkerRegistration;
import ai.flovyn.dispatch.maintenance.LeaseRenewal;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.support.Texts;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Worker registrations (docs/sdk-compatibility.md, L1-L9): each RegisterWorker is stored under a
 * fresh id and never refused for its name; heartbeats refresh the last-seen time and count as signs
 * of life of the worker's tasks. Polling never reads any of this (L7).
 */
public final class Workers {
  static final int MAX_LISTED = 1000;
  private static final int MAX_KINDS = 10_000;
  private static final String NIL_UUID = "00000000-0000-0000-0000-000000000000";
  private static final JsonFactory JSON = new JsonFactory();

  private final Transactor transactor;
  private final LeaseRenewal leases;
  private final Counter registrations;
  private final Counter heartbeats;

  public Workers(Transactor transactor, LeaseRenewal leases, MeterRegistry registry) {
    this.transactor = transactor;
    this.leases = leases;
    this.registrations =
        Counter.builder("dispatch_worker_registrations")
            .description("RegisterWorker calls that stored a registration")
            .register(registry);
    this.heartbeats =
        Counter.builder("dispatch_worker_heartbeats")
            .description("SendHeartbeat calls of a known registration")
            .register(registry);
  }

  /** Stores the registration; emits its fresh id. Errors with INVALID_ARGUMENT naming a field. */
  public Mono<UUID> register(WorkerRegistration worker) {
    return Mono.fromCallable(() -> validate(worker))
        .flatMap(
            valid -> {
              UUID id = UUID.randomUUID();
              String timeouts = timeoutsJson(valid.taskTimeouts());
              return transactor
                  .autocommit(tx -> tx.workers().register(id, valid, timeouts))
                  .thenReturn(id);
            })
        .doOnNext(id -> registrations.increment());
  }

  /**
   * Refreshes the registration's last-seen time; an unknown id is no error (the registry may
   * predate a restart of the worker's view), nor is another tenant's, which is left untouched. The
   * registration's id and name count as alive.
   */
  public Mono<Void> heartbeat(
      Scope scope, UUID workerId, List<String> workflowKinds, List<String> taskKinds) {
    return Mono.fromRunnable(
            () -> {
              kinds("workflow_kinds", workflowKinds, "");
              kinds("task_kinds", taskKinds, "");
            })
        .then(
            transactor.autocommit(
                tx -> tx.workers().heartbeat(scope.tenantId(), workerId, workflowKinds, taskKinds)))
        .doOnNext(
            name -> {
              heartbeats.increment();
              leases.workerSeen(scope.tenantId(), workerId.toString());
              leases.workerSeen(scope.tenantId(), name);
            })
        .then();
  }

  /** The tenant's registrations, most recently seen first (at most {@value #MAX_LISTED}). */
  public Flux<RegisteredWorker> list(String tenantId) {
    return Mono.fromRunnable(() -> Texts.name("tenant_id", tenantId))
        .thenMany(transactor.read(tx -> tx.workers().list(tenantId, MAX_LISTED)));
  }

  private static WorkerRegistration validate(WorkerRegistration worker) {
    Texts.name("tenant_id", worker.tenantId());
    if (NIL_UUID.equals(worker.tenantId())) {
      throw DispatchException.invalidArgument(
          "tenant_id must name a tenant, got the nil UUID (is the worker's org id configured?)");
    }
    Texts.field("worker_name", worker.workerName());
    Texts.field("worker_version", worker.workerVersion());
    Texts.field("worker_type", worker.workerType());
    Texts.field("host_name", worker.hostName());
    Texts.field("process_id", worker.processId());
    if (worker.teamId() != null) {
      Texts.field("team_id", worker.teamId());
    }
    kinds("workflows", worker.workflowKinds(), ".kind");
    kinds("tasks", worker.taskKinds(), ".kind");
    kinds("agents", worker.agentKinds(), ".kind");
    return worker;
  }

  private static void kinds(String where, List<String> kinds, String field) {
    if (kinds.size() > MAX_KINDS) {
      throw DispatchException.invalidArgument(
          where + " must hold at most " + MAX_KINDS + " kinds, got " + kinds.size());
    }
    for (int i = 0; i < kinds.size(); i++) {
      Texts.name(where + "[" + i + "]" + field, kinds.get(i));
    }
  }

  private static String timeoutsJson(Map<String, Integer> timeouts) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = JSON.createGenerator(out)) {
      generator.writeStartObject();
      for (Map.Entry<String, Integer> entry : new TreeMap<>(timeouts).entrySet()) {
        generator.writeNumberField(entry.getKey(), entry.getValue());
      }
      generator.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
