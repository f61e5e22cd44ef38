package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.domain.TaskStatus;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.query.Cursor;
import ai.flovyn.dispatch.query.Fql;
import ai.flovyn.dispatch.query.FqlEntity;
import ai.flovyn.dispatch.query.FqlQuery;
import ai.flovyn.dispatch.query.FqlTimes;
import ai.flovyn.dispatch.query.IdPrefix;
import ai.flovyn.dispatch.query.Page;
import ai.flovyn.dispatch.query.TaskFilter;
import ai.flovyn.dispatch.query.WorkflowFilter;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The filters and paging of the list, count and bulk-cancel routes, read from named parameters
 * (query parameters, or a JSON body's fields); a bad value is a 400 naming its parameter.
 */
final class ListParams {
  static final int WORKFLOW_LIMIT = 20;
  static final int TASK_LIMIT = 50;

  /** Where parameters come from: one value of a name, or every value (commas split). */
  interface Source {
    Optional<String> one(String name);

    List<String> all(String name);

    /** The query parameters of a request. */
    static Source of(ApiRequest request) {
      return new Source() {
        @Override
        public Optional<String> one(String name) {
          return request.query(name);
        }

        @Override
        public List<String> all(String name) {
          return request.queryAll(name);
        }
      };
    }
  }

  private ListParams() {}

  static WorkflowFilter workflowFilter(Source source, Instant now) {
    return new WorkflowFilter(
        statuses(source, WorkflowStatus.class),
        source.all("kind"),
        source.all("queue"),
        time(source, "createdAfter", now),
        time(source, "createdBefore", now),
        time(source, "updatedAfter", now),
        time(source, "updatedBefore", now),
        uuid(source, "parentId"),
        uuid(source, "id"),
        source.one("idPrefix").map(IdPrefix::parse).orElse(null),
        query(source, FqlEntity.WORKFLOW, now));
  }

  static TaskFilter taskFilter(Source source, Instant now, ApiRequest request) {
    return new TaskFilter(
        statuses(source, TaskStatus.class),
        source.all("kind"),
        source.all("queue"),
        uuid(source, "workflowId"),
        request.boolQuery("standalone", false),
        time(source, "createdAfter", now),
        time(source, "createdBefore", now),
        query(source, FqlEntity.TASK, now));
  }

  static Page page(ApiRequest request, int defaultLimit) {
    int limit = request.intQuery("limit", defaultLimit, 1, Page.MAX_LIMIT);
    int offset = request.intQuery("offset", 0, 0, Page.MAX_OFFSET);
    Cursor cursor =
        request.query("cursor").filter(text -> !text.isEmpty()).map(Cursor::decode).orElse(null);
    if (cursor != null && offset != 0) {
      throw HttpProblem.badParameter("cursor", "cannot be combined with offset");
    }
    return new Page(limit, offset, cursor);
  }

  private static FqlQuery query(Source source, FqlEntity entity, Instant now) {
    return Fql.parse(source.one("query").orElse(null), entity, now);
  }

  private static <E extends Enum<E>> Set<E> statuses(Source source, Class<E> type) {
    Set<E> statuses = EnumSet.noneOf(type);
    for (String text : source.all("status")) {
      try {
        statuses.add(Enum.valueOf(type, text.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw HttpProblem.badParameter(
            "status",
            "unknown status '"
                + ApiJson.shown(text, 32)
                + "' (one of "
                + String.join(", ", names(type))
                + ")");
      }
    }
    return statuses;
  }

  private static <E extends Enum<E>> List<String> names(Class<E> type) {
    return EnumSet.allOf(type).stream().map(Enum::name).toList();
  }

  private static Instant time(Source source, String name, Instant now) {
    Optional<String> text = source.one(name);
    if (text.isEmpty() || text.get().isBlank()) {
      return null;
    }
    Instant instant = FqlTimes.instant(text.get(), now);
    if (instant == null) {
      throw HttpProblem.badParameter(
          name,
          "must be an RFC 3339 time or relative like -24h, got '"
              + ApiJson.shown(text.get(), 40)
              + "'");
    }
    return instant;
  }

  private static UUID uuid(Source source, String name) {
    return source.one(name).map(text -> ApiRequest.uuid(name, text.trim())).orElse(null);
  }
}
