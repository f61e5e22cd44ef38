package ai.flovyn.dispatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code workflows list|show|cancel|signal|start}: workflow executions over the HTTP API. */
final class WorkflowCommands {
  /** Events per page while {@code show} reads a history: the API's largest page. */
  static final int EVENT_PAGE = 1000;

  private WorkflowCommands() {}

  static String path(Api api, String id) {
    return api.orgPath() + "/workflow-executions/" + Api.segment(id);
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists workflow executions, newest first.")
  static final class ListWorkflows extends ApiVerb {
    @Option(
        names = "--status",
        split = ",",
        paramLabel = "STATUS",
        description = "PENDING, RUNNING, WAITING, COMPLETED, FAILED, CANCELLED; one or more")
    List<String> statuses;

    @Mixin ListOptions list;

    ListWorkflows(CliContext context) {
      super(context);
    }

    @Override
    void run(Api api) {
      Api.Answer answer = api.get(api.orgPath() + "/workflow-executions", list.query(statuses));
      printList(
          answer,
          "workflows",
          true,
          workflow ->
              new Object[] {
                text(workflow, "id"),
                text(workflow, "kind"),
                text(workflow, "status"),
                text(workflow, "queue"),
                time(workflow, "createdAt"),
                time(workflow, "updatedAt"),
                text(workflow, "error")
              },
          "ID",
          "KIND",
          "STATUS",
          "QUEUE",
          "CREATED",
          "UPDATED",
          "ERROR");
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Shows a workflow execution and its whole history.")
  static final class Show extends ApiVerb {
    @Parameters(paramLabel = "ID", description = "the workflow execution's id")
    String id;

    Show(CliContext context) {
      super(context);
    }

    @Override
    void run(Api api) {
      Api.Answer detail = api.get(path(api, id), Api.Query.none());
      ArrayNode events = history(api);
      if (options.json) {
        ObjectNode both = Api.MAPPER.createObjectNode();
        both.set("workflow", detail.json());
        both.set("events", events);
        context.out().println(both);
        return;
      }
      JsonNode workflow = detail.json();
      fields(
          workflow,
          "id",
          "kind",
          "status",
          "queue",
          "version",
          "parentWorkflowExecutionId",
          "createdAt",
          "startedAt",
          "completedAt",
          "updatedAt",
          "workerId",
          "cancelRequested",
          "childCount",
          "input",
          "output",
          "error");
      String tasks = counts(workflow.path("taskCounts"));
      if (tasks != null) {
        context.out().println("tasks: " + tasks);
      }
      context.out().println();
      printTable(
          events,
          event ->
              new Object[] {
                text(event, "sequence"),
                text(event, "eventType"),
                time(event, "timestamp"),
                text(event, "data")
              },
          "SEQ",
          "TYPE",
          "TIME",
          "DATA");
    }

    /** Every event, page after page: {@code nextSequence} is null after the last one. */
    private ArrayNode history(Api api) {
      ArrayNode all = Api.MAPPER.createArrayNode();
      long since = 0;
      while (true) {
        JsonNode page =
            api.get(
                    path(api, id) + "/events",
                    Api.Query.none().add("sinceSequence", since).add("limit", EVENT_PAGE))
                .json();
        page.path("events").forEach(all::add);
        JsonNode next = page.path("nextSequence");
        // a page that does not move on ends the history rather than asking for it forever
        if (!next.isNumber() || next.asLong() <= since) {
          return all;
        }
        since = next.asLong();
      }
    }
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description = "Cancels a workflow execution (and its children unless --no-cascade).")
  static final class Cancel extends ApiVerb {
    @Parameters(paramLabel = "ID", description = "the workflow execution's id")
    String id;

    @Option(names = "--reason", paramLabel = "R", description = "why, kept with the cancellation")
    String reason;

    @Option(names = "--no-cascade", description = "leave its child workflows running")
    boolean noCascade;

    Cancel(CliContext context) {
      super(context);
    }

    @Override
    void run(Api api) {
      ObjectNode body = Api.MAPPER.createObjectNode();
      if (reason != null) {
        body.put("reason", reason);
      }
      body.put("cascadeToChildren", !noCascade);
      Api.Answer answer = api.post(path(api, id) + "/cancel", body);
      if (printedJson(answer)) {
        return;
      }
      JsonNode result = answer.json();
      context
          .out()
          .println(
              id
                  + " "
                  + text(result, "status")
                  + " (cancelled children: "
                  + result.path("cancelledChildren").asInt()
                  + ")");
    }
  }

  @Command(
      name = "signal",
      mixinStandardHelpOptions = true,
      description = "Sends a signal to a running workflow execution.")
  static final class Signal extends ApiVerb {
    @Parameters(index = "0", paramLabel = "ID", description = "the workflow execution's id")
    String id;

    @Parameters(index = "1", paramLabel = "NAME", description = "the signal's name")
    String name;

    @Option(names = "--value", paramLabel = "JSON", description = "the signal's value, JSON")
    String value;

    Signal(CliContext context) {
      super(context);
    }

    @Override
    void run(Api api) {
      ObjectNode body = Api.MAPPER.createObjectNode();
      body.put("signalName", name);
      if (value != null) {
        body.set("signalValue", jsonOption("--value", value));
      }
      Api.Answer answer = api.post(path(api, id) + "/signal", body);
      if (printedJson(answer)) {
        return;
      }
      context
          .out()
          .println(
              id
                  + " signalled "
                  + name
                  + " (event "
                  + text(answer.json(), "signalEventSequence")
                  + ")");
    }
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = "Starts a workflow execution of a kind.")
  static final class Start extends ApiVerb {
    @Parameters(paramLabel = "KIND", description = "the workflow's kind")
    String kind;

    @Option(names = "--input", paramLabel = "JSON", description = "its input, JSON")
    String input;

    @Option(names = "--queue", paramLabel = "Q", description = "its queue")
    String queue;

    @Option(
        names = "--idempotency-key",
        paramLabel = "K",
        description = "a key naming this start: starting again with it answers the same run")
    String idempotencyKey;

    Start(CliContext context) {
      super(context);
    }

    @Override
    void run(Api api) {
      ObjectNode body = Api.MAPPER.createObjectNode();
      body.put("kind", kind);
      if (input != null) {
        body.set("input", jsonOption("--input", input));
      }
      if (queue != null) {
        body.put("queue", queue);
      }
      if (idempotencyKey != null) {
        body.put("idempotencyKey", idempotencyKey);
      }
      Api.Answer answer = api.post(api.orgPath() + "/workflow-executions", body);
      if (printedJson(answer)) {
        return;
      }
      JsonNode started = answer.json();
      String id = text(started, "workflowExecutionId");
      context
          .out()
          .println(
              (id == null ? text(started, "id") : id)
                  + " "
                  + text(started, "status")
                  + " "
                  + text(started, "kind")
                  + (started.path("idempotencyKeyUsed").asBoolean()
                          && !started.path("idempotencyKeyNew").asBoolean(true)
                      ? " (existing run of the idempotency key)"
                      : ""));
    }
  }
}
