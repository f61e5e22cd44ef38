package ai.flovyn.dispatch.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * One verb that calls the HTTP API: connects with the common options, runs, and turns a {@link
 * CliFailure} into its one line on stderr and its exit code.
 */
abstract class ApiVerb implements Callable<Integer> {
  @Mixin ApiOptions options;
  @Spec CommandSpec spec;

  final CliContext context;

  ApiVerb(CliContext context) {
    this.context = context;
  }

  @Override
  public final Integer call() {
    try {
      run(Api.connect(options, context));
      return 0;
    } catch (CliFailure failure) {
      context
          .err()
          .println(
              failure.exitCode() == CliFailure.USAGE
                  ? ApiCommands.usageLine(spec.commandLine(), failure.getMessage())
                  : "dispatch: " + failure.getMessage());
      return failure.exitCode();
    }
  }

  abstract void run(Api api);

  /** Prints the API's answer as it came when --json, and says whether it did. */
  boolean printedJson(Api.Answer answer) {
    if (options.json) {
      context.out().println(answer.raw());
    }
    return options.json;
  }

  /** A JSON value given on the command line, or a usage error naming the option. */
  static JsonNode jsonOption(String option, String text) {
    try {
      JsonNode node = Api.MAPPER.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw CliFailure.usage(option + ": empty, expected a JSON value");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw CliFailure.usage(
          option + ": not valid JSON (" + Api.oneLine(e.getOriginalMessage()) + ")");
    }
  }

  /** A field as text: null when absent or null, compact JSON for objects and arrays. */
  static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return null;
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  /** An RFC 3339 time field to the second, for tables. */
  static String time(JsonNode node, String field) {
    String value = text(node, field);
    return value == null ? null : value.replaceFirst("\\.\\d+Z$", "Z");
  }

  /** {@code {"RUNNING": 2, "FAILED": 1}} as {@code RUNNING=2 FAILED=1}, zeros left out. */
  static String counts(JsonNode node) {
    StringBuilder text = new StringBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (entry.getValue().asLong() != 0) {
        text.append(text.length() == 0 ? "" : " ")
            .append(entry.getKey())
            .append('=')
            .append(entry.getValue().asText());
      }
    }
    return text.length() == 0 ? null : text.toString();
  }

  /**
   * Prints the answer as it came when --json, else a table with one row per element of its array
   * {@code field}, and the footer of a page of {@code field} when {@code paged}.
   */
  void printList(
      Api.Answer answer,
      String field,
      boolean paged,
      Function<JsonNode, Object[]> row,
      String... headers) {
    if (printedJson(answer)) {
      return;
    }
    int shown = printTable(answer.json().path(field), row, headers);
    if (paged) {
      footer(answer.json(), shown, field);
    }
  }

  /** Prints a table with one row per element of {@code items}, and says how many rows. */
  int printTable(JsonNode items, Function<JsonNode, Object[]> row, String... headers) {
    Table table = new Table(headers);
    for (JsonNode item : items) {
      table.row(row.apply(item));
    }
    table.print(context.out());
    return table.size();
  }

  /** The footer of a list: how many of how many, and the cursor of the next page. */
  void footer(JsonNode page, int shown, String what) {
    JsonNode total = page.path("total");
    String of =
        total.isNumber()
            ? " of " + total.asText() + (page.path("totalEstimated").asBoolean() ? "+" : "")
            : "";
    String next = text(page, "nextCursor");
    context
        .out()
        .println(shown + of + " " + what + (next == null ? "" : "; next page: --cursor " + next));
  }

  /** {@code name: value} lines, values on one line (JSON compact), absent ones left out. */
  void fields(JsonNode node, String... names) {
    int width = 0;
    for (String name : names) {
      width = Math.max(width, name.length());
    }
    for (String name : names) {
      String value = text(node, name);
      if (value != null) {
        context.out().println(name + ":" + " ".repeat(width - name.length() + 1) + value);
      }
    }
  }
}
