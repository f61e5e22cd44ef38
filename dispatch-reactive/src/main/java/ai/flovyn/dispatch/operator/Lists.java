package ai.flovyn.dispatch.operator;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.query.Cursor;
import ai.flovyn.dispatch.query.FqlQuery;
import ai.flovyn.dispatch.query.ListPage;
import ai.flovyn.dispatch.query.Page;
import ai.flovyn.dispatch.query.QueueStats;
import ai.flovyn.dispatch.query.StatusCounts;
import ai.flovyn.dispatch.query.TaskFilter;
import ai.flovyn.dispatch.query.TaskSummary;
import ai.flovyn.dispatch.query.WorkflowFilter;
import ai.flovyn.dispatch.query.WorkflowSummary;
import ai.flovyn.dispatch.store.ListStore;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.support.Arguments;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The operator's lists and counts: a page and its total read on one connection, the next page's
 * cursor taken from the row after the page. Reads only.
 */
public final class Lists {
  /** The most ids {@link #matchingWorkflowIds} answers (a bulk cancel's bound). */
  static final int MAX_MATCHING = 100_000;

  private final Transactor transactor;

  public Lists(Transactor transactor) {
    this.transactor = transactor;
  }

  public Mono<ListPage<WorkflowSummary>> workflows(
      String tenant, WorkflowFilter filter, Page page) {
    Arguments.present("filter", filter);
    Arguments.present("page", page);
    return listPage(
        filter.query(),
        page,
        lists -> lists.workflows(tenant, filter, page),
        lists -> lists.countWorkflows(tenant, filter),
        last -> new Cursor(last.createdAt(), last.id()));
  }

  public Mono<StatusCounts> countWorkflows(String tenant, WorkflowFilter filter) {
    Arguments.present("filter", filter);
    return transactor.autocommit(
        tx -> tx.lists().countWorkflowsByStatus(tenant, filter).map(Lists::counts));
  }

  public Mono<ListPage<TaskSummary>> tasks(String tenant, TaskFilter filter, Page page) {
    Arguments.present("filter", filter);
    Arguments.present("page", page);
    return listPage(
        filter.query(),
        page,
        lists -> lists.tasks(tenant, filter, page),
        lists -> lists.countTasks(tenant, filter),
        last -> new Cursor(last.createdAt(), last.id()));
  }

  public Mono<StatusCounts> countTasks(String tenant, TaskFilter filter) {
    Arguments.present("filter", filter);
    return transactor.autocommit(
        tx -> tx.lists().countTasksByStatus(tenant, filter).map(Lists::counts));
  }

  public Mono<List<QueueStats>> queueStats(String tenant) {
    return transactor.autocommit(tx -> tx.lists().queueStats(tenant));
  }

  public Mono<List<UUID>> matchingWorkflowIds(String tenant, WorkflowFilter filter, int max) {
    Arguments.present("filter", filter);
    if (max < 1 || max > MAX_MATCHING) {
      throw DispatchException.invalidArgument("max: must be between 1 and " + MAX_MATCHING);
    }
    return transactor.autocommit(
        tx -> tx.lists().matchingUnfinished(tenant, filter, max).collectList());
  }

  // a page's rows and the total of its filter, read on one connection
  private <T> Mono<ListPage<T>> listPage(
      FqlQuery query,
      Page page,
      Function<ListStore, Flux<T>> rows,
      Function<ListStore, Mono<ListStore.Count>> total,
      Function<T, Cursor> cursorOf) {
    keysetAllowed(query, page);
    return transactor.autocommit(
        tx ->
            rows.apply(tx.lists())
                .collectList()
                // one statement at a time on the connection
                .flatMap(
                    read ->
                        total
                            .apply(tx.lists())
                            .map(count -> page(read, count, query, page, cursorOf))));
  }

  // a cursor is a position in the default order; another order pages by offset only
  private static void keysetAllowed(FqlQuery query, Page page) {
    if (page.cursor() != null && !query.defaultOrder()) {
      throw DispatchException.invalidArgument(
          "cursor: not available with ORDER BY "
              + query.orderField()
              + "; page with offset instead");
    }
  }

  // the store reads one row more than the page: its presence says there is a next page
  private static <T> ListPage<T> page(
      List<T> rows,
      ListStore.Count total,
      FqlQuery query,
      Page page,
      Function<T, Cursor> cursorOf) {
    boolean more = rows.size() > page.limit();
    List<T> items = more ? rows.subList(0, page.limit()) : rows;
    String next =
        more && query.defaultOrder() ? cursorOf.apply(items.get(items.size() - 1)).encode() : null;
    return new ListPage<>(
        items, total.value(), total.estimated(), page.limit(), page.offset(), next);
  }

  private static StatusCounts counts(Map<String, ListStore.Count> counts) {
    Map<String, Long> values = new LinkedHashMap<>();
    long total = 0;
    boolean estimated = false;
    for (Map.Entry<String, ListStore.Count> entry : counts.entrySet()) {
      values.put(entry.getKey(), entry.getValue().value());
      total += entry.getValue().value();
      estimated |= entry.getValue().estimated();
    }
    return new StatusCounts(values, total, estimated);
  }
}
