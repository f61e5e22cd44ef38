package ai.flovyn.dispatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code workers list} and {@code queues}: who works and what waits, over the HTTP API. */
final class WorkerCommands {
  private WorkerCommands() {}

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the registered workers; ONLINE = a heartbeat within the last 60 s.")
  static final class ListWorkers extends ApiVerb {
    ListWorkers(CliContext context) {
      super(context);
    }

    @Override
    void run(Api api) {
      printList(
          api.get(api.orgPath() + "/workers", Api.Query.none()),
          "workers",
          false,
          worker ->
              new Object[] {
                text(worker, "id"),
                text(worker, "name"),
                text(worker, "type"),
                text(worker, "version"),
                text(worker, "hostName"),
                worker.path("online").asBoolean() ? "yes" : "no",
                time(worker, "lastHeartbeatAt"),
                kinds(worker)
              },
          "ID",
          "NAME",
          "TYPE",
          "VERSION",
          "HOST",
          "ONLINE",
          "LAST HEARTBEAT",
          "KINDS");
    }

    private static String kinds(JsonNode worker) {
      StringBuilder text = new StringBuilder();
      for (String field : new String[] {"workflowKinds", "taskKinds"}) {
        for (JsonNode kind : worker.path(field)) {
          text.append(text.length() == 0 ? "" : ",").append(kind.asText());
        }
      }
      return text.toString();
    }
  }

  @Command(
      name = "queues",
      mixinStandardHelpOptions = true,
      description = "Lists the queues with their workflows and tasks by status, busiest first.")
  static final class Queues extends ApiVerb {
    Queues(CliContext context) {
      super(context);
    }

    @Override
    void run(Api api) {
      printList(
          api.get(api.orgPath() + "/queues", Api.Query.none()),
          "queues",
          false,
          queue ->
              new Object[] {
                text(queue, "queue"),
                counts(queue.path("workflows")),
                counts(queue.path("tasks")),
                text(queue, "oldestPendingAgeSeconds")
              },
          "QUEUE",
          "WORKFLOWS",
          "TASKS",
          "OLDEST PENDING (S)");
    }
  }
}
