package ai.flovyn.dispatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Option(names = "--workflow", paramLabel = "ID", description = "the tasks of this workflow")
    String workflowId;

    @Option(names = "--standalone", description = "only tasks outside any workflow")
    boolean standalone;

    @Mixin ListOptions list;

    ListTasks(CliContext context) {
      super(context);
    }

    @Override
    void run(Api api) {
      Api.Answer answer =
          api.get(
              api.orgPath() + "/task-executions",
              list.query(statuses)
                  .add("workflowId", workflowId)
                  .add("standalone", standalone ? "true" : null));
      printList(
          answer,
          "tasks",
          true,
          task ->
              new Object[] {
                text(task, "id"),
                text(task, "kind"),
                text(task, "status"),
                text(task, "queue"),
                text(task, "workflowExecutionId"),
                text(task, "executionCount"),
                time(task, "createdAt"),
                text(task, "error")
              },
          "ID",
          "KIND",
          "STATUS",
          "QUEUE",
          "WORKFLOW",
          "RUNS",
          "CREATED",
          "ERROR");
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
        printTable(
            attempts,
            attempt ->
                new Object[] {
                  text(attempt, "attempt"),
                  text(attempt, "status"),
                  time(attempt, "startedAt"),
                  time(attempt, "finishedAt"),
                  text(attempt, "durationMs"),
                  text(attempt, "workerId"),
                  text(attempt, "error")
                },
            "ATTEMPT",
            "STATUS",
            "STARTED",
            "FINISHED",
            "MS",
            "WORKER",
            "ERROR");
      }
    }
  }
}
