package ai.flovyn.dispatch.cli;

import java.util.List;
import picocli.CommandLine.Option;

/**
 * The filter and paging options the list verbs share ({@code workflows list}, {@code tasks list}),
 * and the query they become; each verb keeps its own {@code --status} for its own help.
 */
final class ListOptions {
  @Option(names = "--kind", paramLabel = "KIND", description = "exact kind; may repeat")
  List<String> kinds;

  @Option(names = "--queue", paramLabel = "QUEUE", description = "exact queue; may repeat")
  List<String> queues;

  @Option(names = "--query", paramLabel = "FQL", description = "an FQL expression")
  String query;

  @Option(names = "--limit", paramLabel = "N", description = "at most this many (1-1000)")
  Integer limit;

  @Option(names = "--cursor", paramLabel = "C", description = "the page after this cursor")
  String cursor;

  /** The list request's query: the statuses comma-joined, then these options when given. */
  Api.Query query(List<String> statuses) {
    return Api.Query.none()
        .add("status", statuses == null ? null : String.join(",", statuses))
        .addAll("kind", kinds)
        .addAll("queue", queues)
        .add("query", query)
        .add("limit", limit)
        .add("cursor", cursor);
  }
}
