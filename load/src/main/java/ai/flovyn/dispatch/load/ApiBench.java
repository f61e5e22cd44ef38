package ai.flovyn.dispatch.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures the operator API on the database load/api-bench.sh filled: for each common call, p50 and
 * p99 over the HTTP API (one call at a time, after a warm-up), and the same statement run by
 * PostgreSQL alone through pgbench (the limit the API is held against). Writes a Markdown report.
 */
public final class ApiBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WARMUP = 20;
  static final String LONG_HISTORY = "00000000-0000-4000-8000-00000000a001";

  private final HttpClient client = HttpClient.newHttpClient();
  private final String api;
  private final String org;
  private final int calls;

  private ApiBench(String api, String org, int calls) {
    this.api = api;
    this.org = org;
    this.calls = calls;
  }

  /**
   * One measured call: the API path (under /api/orgs/{org}), and the SQL PostgreSQL alone runs for
   * the same answer (literal values, as psql would send it); {@code target} in ms for p99.
   */
  record Scenario(String name, String path, String sql, double targetMillis) {}

  /** Percentiles of one scenario, in milliseconds. */
  record Result(Scenario scenario, double apiP50, double apiP99, double pgP50, double pgP99) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    ApiBench bench =
        new ApiBench(
            options.get("api"),
            options.getOrDefault("org", "bench"),
            Integer.parseInt(options.getOrDefault("calls", "200")));
    String[] pg = options.get("pg").split("[:/]");
    PgBench pgbench = new PgBench(options.get("pgbench"), pg[0], pg[1], pg[2]);
    List<Scenario> scenarios = bench.scenarios();
    List<Result> results = new ArrayList<>();
    for (Scenario scenario : scenarios) {
      Latencies viaApi = bench.measure(scenario.path());
      Latencies viaPg = pgbench.run(scenario.sql(), WARMUP, bench.calls);
      Result result =
          new Result(
              scenario,
              viaApi.percentileMillis(50),
              viaApi.percentileMillis(99),
              viaPg.percentileMillis(50),
              viaPg.percentileMillis(99));
      System.err.printf(
          Locale.ROOT,
          "%-40s api p50 %7.2f p99 %7.2f ms | postgres p50 %7.2f p99 %7.2f ms%n",
          scenario.name(),
          result.apiP50(),
          result.apiP99(),
          result.pgP50(),
          result.pgP99());
      results.add(result);
    }
    String report =
        report(
            results,
            bench.calls,
            Long.parseLong(options.getOrDefault("workflows", "1000000")),
            options.getOrDefault("command", "load/api-bench.sh"));
    Files.writeString(Path.of(options.getOrDefault("out", "docs/api-benchmarks.md")), report);
  }

  /** The calls measured; cursors for deep pages are found by walking the list first. */
  List<Scenario> scenarios() throws IOException, InterruptedException {
    String deepCursor = walk("/workflow-executions?limit=100", 100);
    String[] deepCursorPosition = cursorPosition(deepCursor);
    List<Scenario> list = new ArrayList<>();
    list.add(
        new Scenario(
            "workflows, first page", "/workflow-executions", ApiBenchSql.firstPage(""), 50));
    list.add(
        new Scenario(
            "workflows, status=FAILED",
            "/workflow-executions?status=FAILED",
            ApiBenchSql.firstPage("status = 'FAILED'"),
            50));
    list.add(
        new Scenario(
            "workflows, status=RUNNING,WAITING",
            "/workflow-executions?status=RUNNING,WAITING",
            ApiBenchSql.firstPage("status IN ('RUNNING', 'WAITING')"),
            50));
    list.add(
        new Scenario(
            "workflows, kind=kind-7",
            "/workflow-executions?kind=kind-7",
            ApiBenchSql.firstPage("kind = 'kind-7'"),
            50));
    list.add(
        new Scenario(
            "workflows, queue=queue-3",
            "/workflow-executions?queue=queue-3",
            ApiBenchSql.firstPage("queue = 'queue-3'"),
            50));
    list.add(
        new Scenario(
            "workflows, FAILED of kind-7 (FQL)",
            "/workflow-executions?query="
                + encode("status = \"FAILED\" AND kind = \"kind-7\" AND createdAt >= -7d"),
            ApiBenchSql.firstPage(
                "status = 'FAILED' AND kind = 'kind-7' AND created_at >= now() - interval '7 days'"),
            50));
    list.add(
        new Scenario(
            "workflows, 100 pages deep (cursor)",
            "/workflow-executions?cursor=" + encode(deepCursor),
            ApiBenchSql.afterCursor(deepCursorPosition[0], deepCursorPosition[1]),
            50));
    list.add(
        new Scenario(
            "workflows, offset 10,000",
            "/workflow-executions?offset=10000",
            ApiBenchSql.page("", "", 10000),
            50));
    list.add(
        new Scenario(
            "counts by status", "/workflow-executions/counts", ApiBenchSql.counts(""), 200));
    list.add(
        new Scenario(
            "counts by status, kind=kind-7",
            "/workflow-executions/counts?kind=kind-7",
            ApiBenchSql.counts("kind = 'kind-7'"),
            200));
    list.add(
        new Scenario(
            "history page of 10,000 events (from 5,000)",
            "/workflow-executions/" + LONG_HISTORY + "/events?sinceSequence=5000&limit=200",
            ApiBenchSql.history(5000, ""),
            50));
    list.add(
        new Scenario(
            "history, failed only, of 10,000 events",
            "/workflow-executions/" + LONG_HISTORY + "/events?failedOnly=true&limit=200",
            ApiBenchSql.history(
                0,
                "(event_type LIKE '%FAILED%' OR event_type LIKE '%TIMEOUT%'"
                    + " OR event_type LIKE '%TIMED_OUT%')"),
            50));
    list.add(
        new Scenario(
            "one workflow (detail)",
            "/workflow-executions/" + LONG_HISTORY,
            ApiBenchSql.detail(LONG_HISTORY),
            50));
    return list;
  }

  /** The (createdAt, id) a cursor stands for, as the API encodes it. */
  static String[] cursorPosition(String cursor) {
    String decoded =
        new String(java.util.Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    return decoded.split(":", 2);
  }

  /** Follows {@code pages} pages of nextCursor from {@code path}; the cursor of the next page. */
  private String walk(String path, int pages) throws IOException, InterruptedException {
    String cursor = null;
    for (int i = 0; i < pages; i++) {
      String page = cursor == null ? path : path + "&cursor=" + encode(cursor);
      JsonNode body = JSON.readTree(get(page).body());
      cursor = body.path("nextCursor").asText(null);
      if (cursor == null) {
        throw new IllegalStateException("the list ended after " + (i + 1) + " pages");
      }
    }
    return cursor;
  }

  private Latencies measure(String path) throws IOException, InterruptedException {
    for (int i = 0; i < WARMUP; i++) {
      check(get(path), path);
    }
    Latencies latencies = new Latencies();
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      HttpResponse<String> response = get(path);
      latencies.add(System.nanoTime() - start);
      check(response, path);
    }
    return latencies;
  }

  private static void check(HttpResponse<String> response, String path) {
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          path + " answered " + response.statusCode() + ": " + response.body());
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create(api + "/api/orgs/" + org + path))
            .timeout(Duration.ofSeconds(60))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  static String report(List<Result> results, int calls, long workflows, String command) {
    StringBuilder md = new StringBuilder();
    md.append("# The operator API on a big database\n\n")
        .append("Written by `")
        .append(command)
        .append("` on ")
        .append(Instant.now().toString(), 0, 16)
        .append(
            String.format(
                Locale.ROOT,
                " UTC. The database: %,d workflows of the measured tenant (%,d of",
                workflows,
                workflows / 10))
        .append(
            String.format(
                Locale.ROOT,
                " another), %,d tasks, %,d events and one 10,000-event history, on a",
                workflows * 22 / 10,
                workflows * 33 / 10))
        .append(" PostgreSQL instance of its own with autovacuum on (load/api-bench/fill.sql).")
        .append(" Each call ")
        .append(calls)
        .append(" times one after another after 20 warm-up calls; **API** = the HTTP call end to")
        .append(" end from a Java client on this machine, **PostgreSQL** = the same statement run")
        .append(" by pgbench alone (the limit). Targets: list and history pages p99 <= 50 ms,")
        .append(" counts <= 200 ms.\n\n")
        .append(
            "| call | API p50 ms | API p99 ms | PostgreSQL p50 ms | PostgreSQL p99 ms | API p99 / target |\n")
        .append("|---|---:|---:|---:|---:|---|\n");
    for (Result r : results) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.2f | %.2f | %.2f | %.2f | %s |%n",
              r.scenario().name(),
              r.apiP50(),
              r.apiP99(),
              r.pgP50(),
              r.pgP99(),
              String.format(
                  Locale.ROOT,
                  "%.2f of %.0f ms %s",
                  r.apiP99() / r.scenario().targetMillis(),
                  r.scenario().targetMillis(),
                  r.apiP99() <= r.scenario().targetMillis() ? "(met)" : "(MISSED)")));
    }
    return md.toString();
  }
}
