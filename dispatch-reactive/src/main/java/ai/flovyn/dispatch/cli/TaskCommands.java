package ai.flovyn.dispatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tasks list|show}: task executions over the HTTP API. */
final class TaskCommands {
  private TaskCommands() {}

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists task executions, newest first.")
  static final class ListTasks extends ApiVerb {
    @Option(names = "--status", split = ",", paramLabel = "STATUS", description = "one or more")
    List<String> statuses;

    @Option(names = "--kind", paramLabel = "KIND", description = "exact kind; may repeat")
    List<String> kinds;

    @Option(names = "--queue", paramLabel = "QUEUE", description = "exact queue; may repeat")
    List<String> queues;

    @Option(names = "--workflow", paramLabel = "ID", description = "the tasks of this workflow")
    String workflowId;

    @Option(names = "--standalone", description = "only tasks outside any workflow")
    boolean standalone;

    @Option(names = "--query", paramLabel = "FQL", description = "an FQL expression")
    String query;

    @Option(names = "--limit", paramLabel = "N", description = "at most this many (1-1000)")
    Integer limit;

    @Option(names = "--cursor", paramLabel = "C", description = "the page after this cursor")
    String cursor;

    ListTasks(CliContext context) {
      super(context);
    }

    @Override
    void run(Api api) {
      Api.Answer answer =
          api.get(
              api.orgPath() + "/task-executions",
              Api.Query.none()
                  .add("status", statuses == null ? null : String.join(",", statuses))
                  .addAll("kind", kinds)
                  .addAll("queue", queues)
                  .add("workflowId", workflowId)
                  .add("standalone", standalone ? "true" : null)
                  .add("query", query)
                  .add("limit", limit)
                  .add("cursor", cursor));
      if (printedJson(answer)) {
        return;
      }
      Table table =
          new Table("ID", "KIND", "STATUS", "QUEUE", "WORKFLOW", "RUNS", "CREATED", "ERROR");
      for (JsonNode task : answer.json().path("tasks")) {
        table.row(
            text(task, "id"),
            text(task, "kind"),
            text(task, "status"),
            text(task, "queue"),
            text(task, "workflowExecutionId"),
            text(task, "executionCount"),
            time(task, "createdAt"),
            text(task, "error"));
      }
      table.print(context.out());
      footer(answer.json(), table.size(), "tasks");
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Shows a task execution and its attempts.")
  static final class Show extends ApiVerb {
    @Parameters(paramLabel = "ID", description = "the task execution's id")
    String id;

    Show(CliContext context) {
      super(context);
    }

    @Override
    void run(Api api) {
      Api.Answer answer =
          api.get(api.orgPath() + "/task-executions/" + Api.segment(id), Api.Query.none());
      if (printedJson(answer)) {
        return;
      }
      JsonNode task = answer.json();
      fields(
          task,
          "id",
          "kind",
          "status",
          "queue",
          "workflowExecutionId",
          "executionCount",
          "maxRetries",
          "progress",
          "progressDetails",
          "workerId",
          "createdAt",
          "startedAt",
          "completedAt",
          "updatedAt",
          "input",
          "output",
          "error");
      JsonNode attempts = task.path("attempts");
      if (attempts.isArray() && !attempts.isEmpty()) {
        context.out().println();
        Table table =
            new Table("ATTEMPT", "STATUS", "STARTED", "FINISHED", "MS", "WORKER", "ERROR");
        for (JsonNode attempt : attempts) {
          table.row(
              text(attempt, "attempt"),
              text(attempt, "status"),
              time(attempt, "startedAt"),
              time(attempt, "finishedAt"),
              text(attempt, "durationMs"),
              text(attempt, "workerId"),
              text(attempt, "error"));
        }
        table.print(context.out());
      }
    }
  }
}
