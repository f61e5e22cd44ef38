package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.query.WorkflowFilter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Cancelling workflow executions from outside: one by id (with or without its children), or every
 * unfinished one a filter matches, confirmed by the count a dry run answered.
 */
final class CancelRoutes {
  /** The most workflows one bulk cancel takes. */
  static final int MAX_BULK = 10_000;

  /** A reason's bound, as the library's for free text. */
  static final int MAX_REASON = 32 * 1024;

  // the list route's filter parameters, which a bulk cancel's body carries as its fields
  private static final List<String> FILTER_FIELDS =
      List.of(
          "query",
          "status",
          "kind",
          "queue",
          "createdAfter",
          "createdBefore",
          "updatedAfter",
          "updatedBefore",
          "parentId",
          "id",
          "idPrefix");

  private static final Set<String> BULK_FIELDS = bulkFields();

  private final Dispatch dispatch;
  private final Clock clock;

  private CancelRoutes(Dispatch dispatch, Clock clock) {
    this.dispatch = dispatch;
    this.clock = clock;
  }

  /** {@code POST …/workflow-executions/{id}/cancel}. */
  static Route.Handler cancelWorkflow(ApiContext context) {
    return new CancelRoutes(context.dispatch(), context.clock())::cancel;
  }

  /** {@code POST …/workflow-executions/bulk-cancel}. */
  static Route.Handler bulkCancelWorkflows(ApiContext context) {
    return new CancelRoutes(context.dispatch(), context.clock())::bulkCancel;
  }

  private Mono<ApiResponse> cancel(ApiRequest request) {
    UUID id = request.uuidPath("id");
    ObjectNode body = request.json();
    String reason = reason(body);
    boolean cascade = bool(body, "cascadeToChildren", true);
    return dispatch
        .cancelWorkflow(request.scope(), id, reason, cascade)
        .flatMap(
            result ->
                ApiResponse.ok(
                    ApiJson.object()
                        .put("status", result.status().name())
                        .put("cancelledChildren", result.cancelledChildren())));
  }

  // The matches are read once: the dry run counts them, the real call cancels exactly those after
  // checking the count the caller confirmed (workflows started since are not taken).
  private Mono<ApiResponse> bulkCancel(ApiRequest request) {
    ObjectNode body = request.json();
    onlyKnownFields(body);
    WorkflowFilter filter = ListParams.workflowFilter(source(body), clock.instant());
    String reason = reason(body);
    boolean dryRun = bool(body, "dryRun", false);
    Integer expected = count(body, "expectedCount");
    if (!dryRun && expected == null) {
      throw HttpProblem.badParameter(
          "expectedCount", "must be set unless dryRun is true: the matched count of a dry run");
    }
    return dispatch
        .matchingWorkflowIds(request.scope(), filter, MAX_BULK + 1)
        .flatMap(
            ids -> {
              int matched = ids.size();
              if (matched > MAX_BULK) {
                return Mono.error(
                    HttpProblem.badRequest(
                        "more than "
                            + MAX_BULK
                            + " unfinished workflows match: narrow the filter (at most "
                            + MAX_BULK
                            + " per call)"));
              }
              if (dryRun) {
                return ApiResponse.ok(ApiJson.object().put("matched", matched).put("dryRun", true));
              }
              if (expected != matched) {
                ObjectNode conflict =
                    ApiJson.error(
                        "expectedCount: "
                            + expected
                            + " given, but the filter now matches "
                            + matched
                            + " unfinished workflows; confirm the new count");
                return Mono.just(ApiResponse.of(409, conflict.put("matched", matched)));
              }
              return dispatch
                  .cancelWorkflows(request.scope(), ids, reason)
                  .flatMap(
                      cancelled ->
                          ApiResponse.ok(
                              ApiJson.object()
                                  .put("matched", matched)
                                  .put("cancelled", cancelled)));
            });
  }

  private static Set<String> bulkFields() {
    List<String> fields = new ArrayList<>(FILTER_FIELDS);
    fields.addAll(Arrays.asList("reason", "dryRun", "expectedCount"));
    return Set.copyOf(fields);
  }

  // A misspelt filter field would widen a bulk cancel to more than the caller meant: refused.
  private static void onlyKnownFields(ObjectNode body) {
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!BULK_FIELDS.contains(name)) {
        throw HttpProblem.badParameter(
            ApiJson.shown(name, 40),
            "unknown field (filters: " + String.join(", ", FILTER_FIELDS) + ")");
      }
    }
  }

  // The body's filter fields as the list route's query parameters: strings (or arrays of strings),
  // several values comma-separated.
  private static ListParams.Source source(ObjectNode body) {
    return new ListParams.Source() {
      @Override
      public Optional<String> one(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
          return Optional.empty();
        }
        if (!node.isTextual()) {
          throw HttpProblem.badParameter(name, "must be a string");
        }
        return Optional.of(node.asText());
      }

      @Override
      public List<String> all(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
          return List.of();
        }
        List<String> texts = new ArrayList<>();
        if (node.isArray()) {
          node.forEach(each -> texts.add(string(name, each)));
        } else {
          texts.add(string(name, node));
        }
        return texts.stream()
            .flatMap(text -> Arrays.stream(text.split(",")))
            .map(String::trim)
            .filter(text -> !text.isEmpty())
            .toList();
      }
    };
  }

  private static String string(String name, JsonNode node) {
    if (!node.isTextual()) {
      throw HttpProblem.badParameter(name, "must be a string or an array of strings");
    }
    return node.asText();
  }

  private static String reason(ObjectNode body) {
    JsonNode node = body.get("reason");
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw HttpProblem.badParameter("reason", "must be a string");
    }
    String reason = node.asText();
    if (reason.length() > MAX_REASON) {
      throw HttpProblem.badParameter(
          "reason", "must be at most " + MAX_REASON + " characters, got " + reason.length());
    }
    if (reason.indexOf('\0') >= 0) {
      throw HttpProblem.badParameter("reason", "must not contain a NUL character");
    }
    return reason;
  }

  private static boolean bool(ObjectNode body, String name, boolean fallback) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isBoolean()) {
      throw HttpProblem.badParameter(name, "must be true or false");
    }
    return node.booleanValue();
  }

  private static Integer count(ObjectNode body, String name) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0) {
      throw HttpProblem.badParameter(
          name, "must be a whole number from 0 to " + MAX_BULK + ", got " + shown(node));
    }
    return node.intValue();
  }

  private static String shown(JsonNode node) {
    return ApiJson.shown(node.toString(), 40);
  }
}
