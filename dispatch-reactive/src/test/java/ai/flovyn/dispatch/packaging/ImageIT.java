package ai.flovyn.dispatch.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.flovyn.dispatch.testing.Await;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The container image the build writes (profile image) does what a container runtime would make of
 * it: its config names a non-root user, the two ports, the /data volume and a health check; its
 * layers split the application by how often each part changes; unpacked layer by layer into a root
 * folder and started the way its config says (user, environment, entrypoint) in namespaces of its
 * own (chroot, mount, PID, network: which takes root), it serves both ports and its own health
 * check answers, then it stops on SIGTERM.
 */
class ImageIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_LIMIT = Duration.ofMinutes(4);

  private final Path work = Path.of("target", "image-test").toAbsolutePath();

  @Test
  void imageRunsAsNonRootServesItsPortsAndAnswersItsHealthCheck() throws Exception {
    String tar = System.getProperty("dispatch.image.tar", "");
    assumeTrue(!tar.isBlank(), "ImageIT skipped: the image is built with -Pimage");
    assumeTrue(new UnixSystem().getUid() == 0, "ImageIT skipped: running the image needs root");
    Commands.check(List.of("rm", "-rf", "--one-file-system", work.toString()), 120);
    Path archive = work.resolve("archive");
    Commands.untar(Path.of(tar), archive);

    JsonNode manifest = JSON.readTree(archive.resolve("manifest.json").toFile()).get(0);
    JsonNode image = JSON.readTree(archive.resolve(manifest.get("Config").asText()).toFile());
    JsonNode config = image.get("config");
    assertEquals("1000:1000", config.get("User").asText(), "runs as the base's user dispatch");
    assertEquals(Set.of("8000/tcp", "9090/tcp"), names(config.get("ExposedPorts")));
    assertEquals(Set.of("/data"), names(config.get("Volumes")));
    assertEquals(
        List.of("CMD", "/app/bin/healthcheck"), texts(config.get("Healthcheck").get("Test")));
    Map<String, String> env = environment(config);
    assertEquals("/data", env.get("DISPATCH_DATA_DIR"));
    assertEquals("0.0.0.0", env.get("DISPATCH_HTTP_HOST"));

    Map<String, List<String>> layers = layersByComment(archive, manifest, image);
    assertLayering(layers);

    Path root = work.resolve("rootfs");
    Files.createDirectories(root);
    for (JsonNode layer : manifest.get("Layers")) {
      Commands.untar(archive.resolve(layer.asText()), root);
    }
    assertEquals(
        "dispatch:x:1000:1000",
        passwdLine(root, "1000").substring(0, "dispatch:x:1000:1000".length()));

    Path log = work.resolve("server.log");
    Process container = start(root, config, env, log);
    boolean stopped;
    try {
      Await.until(
          () -> !container.isAlive() || container.toHandle().children().findAny().isPresent(),
          "the container's process",
          Duration.ofSeconds(30),
          Duration.ofMillis(50));
      ProcessHandle server =
          container
              .toHandle()
              .children()
              .findFirst()
              .orElseThrow(() -> failed(log, "the container exited at once"));
      String[] healthcheck = {""};
      Await.until(
          () -> {
            if (!server.isAlive()) {
              throw failed(log, "the server exited");
            }
            healthcheck[0] = inContainer(server, env, List.of("/app/bin/healthcheck"));
            return healthcheck[0].startsWith("0:");
          },
          "the image's health check to pass",
          START_LIMIT,
          Duration.ofSeconds(1));
      assertEquals("0:{\"status\":\"UP\"}", healthcheck[0].strip(), "the health check's answer");
      assertTrue(
          Commands.read(log)
              .contains(
                  "dispatch-reactive "
                      + System.getProperty("dispatch.version")
                      + " serving gRPC on 0.0.0.0:9090"),
          "the version from the jar's manifest, gRPC on all interfaces: " + Commands.read(log));
      assertEquals(
          "0:", inContainer(server, env, List.of("bash", "-c", "</dev/tcp/127.0.0.1/9090")));
      assertEquals(List.of("1000", "1000", "1000", "1000"), uids(server), "runs as uid 1000");
      Set<Integer> listening = listeningOnAllInterfaces(server);
      assertTrue(
          listening.containsAll(Set.of(8000, 9090)), "both ports on all interfaces: " + listening);
      assertTrue(
          Files.isDirectory(root.resolve("data/postgres")), "the embedded database lives in /data");
    } finally {
      stopped = stop(container);
    }
    assertTrue(stopped, "the server stops on SIGTERM: " + Commands.read(log));
    assertTrue(Commands.read(log).contains("dispatch-reactive stopped"), Commands.read(log));
    Commands.check(List.of("rm", "-rf", "--one-file-system", work.toString()), 120);
  }

  /**
   * Sends SIGTERM to the server (unshare alone would die and leave it running) and waits for the
   * container to end; kills it when it does not.
   */
  private static boolean stop(Process container) throws InterruptedException {
    container.toHandle().children().forEach(ProcessHandle::destroy);
    if (container.waitFor(90, TimeUnit.SECONDS)) {
      return true;
    }
    container.destroyForcibly(); // --kill-child takes the server with it
    container.waitFor(30, TimeUnit.SECONDS);
    return false;
  }

  /**
   * Jib's layers in order: the base first, then the application from its slowest-changing part to
   * its fastest, each layer holding one kind of file.
   */
  private static void assertLayering(Map<String, List<String>> layers) {
    List<String> comments = new ArrayList<>(layers.keySet());
    List<String> kinds = new ArrayList<>();
    for (List<String> files : layers.values()) {
      Set<String> kindsInLayer = new TreeSet<>();
      files.stream()
          .filter(file -> !file.endsWith("/"))
          .map(ImageIT::kind)
          .forEach(kindsInLayer::add);
      assertEquals(1, kindsInLayer.size(), "one kind of file per layer: " + kindsInLayer);
      kinds.add(kindsInLayer.iterator().next());
    }
    assertEquals(
        List.of(
            "base",
            "released libraries",
            "snapshot libraries",
            "the server's jar",
            "jvm arg files",
            "health check"),
        kinds,
        "layers " + comments);
    assertEquals("dependencies", comments.get(1));
    // this build's modules; "snapshot dependencies" when a build of this module alone found them
    // in the local repository
    assertTrue(
        Set.of("project dependencies", "snapshot dependencies").contains(comments.get(2)),
        comments::toString);
    List<String> released = layers.get("dependencies");
    assertTrue(released.contains("app/libs/reactor-core-3.8.7.jar"), released::toString);
    List<String> snapshots = layers.get(comments.get(2));
    assertTrue(snapshots.contains("app/libs/migrations-0.1.0-SNAPSHOT.jar"), snapshots::toString);
    assertTrue(snapshots.contains("app/libs/api-proto-0.1.0-SNAPSHOT.jar"), snapshots::toString);
  }

  private static String kind(String file) {
    if (!file.startsWith("app/")) {
      return "base";
    }
    if (file.startsWith("app/libs/")) {
      return file.contains("-SNAPSHOT") ? "snapshot libraries" : "released libraries";
    }
    if (file.equals("app/classpath/dispatch-reactive.jar")) {
      return "the server's jar";
    }
    if (file.startsWith("app/jib-")) {
      return "jvm arg files";
    }
    if (file.equals("app/bin/healthcheck")) {
      return "health check";
    }
    return "unexpected: " + file;
  }

  /** Each layer's files by the comment of its history entry (the base's layers by theirs). */
  private static Map<String, List<String>> layersByComment(
      Path archive, JsonNode manifest, JsonNode image) throws IOException, InterruptedException {
    List<String> comments = new ArrayList<>();
    for (JsonNode entry : image.get("history")) {
      if (!entry.path("empty_layer").asBoolean(false)) {
        comments.add(entry.path("comment").asText(entry.path("created_by").asText()));
      }
    }
    JsonNode files = manifest.get("Layers");
    assertEquals(files.size(), comments.size(), "a history entry per layer: " + comments);
    Map<String, List<String>> layers = new LinkedHashMap<>();
    for (int i = 0; i < files.size(); i++) {
      // Jib names the layer of the server's jar "extra files" too: the second one gets its index
      String comment =
          layers.containsKey(comments.get(i)) ? comments.get(i) + " " + i : comments.get(i);
      String listing =
          Commands.check(
              List.of(
                  "tar",
                  "--warning=no-unknown-keyword",
                  "-tf",
                  archive.resolve(files.get(i).asText()).toString()),
              120);
      layers.put(comment, listing.lines().map(name -> name.replaceFirst("^\\.?/", "")).toList());
    }
    return layers;
  }

  /**
   * Starts the image's entrypoint as a runtime would: its user, only its environment, in a PID,
   * mount and network namespace of its own (so the ports it declares cannot clash with the host's),
   * with /proc and /dev mounted inside the root folder for it alone.
   */
  private static Process start(Path root, JsonNode config, Map<String, String> env, Path log)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "unshare",
            "--pid",
            "--mount",
            "--net",
            "--fork",
            "--kill-child",
            "--mount-proc=" + root.resolve("proc"),
            "sh",
            "-c",
            "root=$1; user=$2; shift 2; ip link set lo up && mount --rbind /dev \"$root/dev\""
                + " && exec chroot --userspec=\"$user\" \"$root\" \"$@\"",
            "sh",
            root.toString(),
            config.get("User").asText()));
    command.addAll(withEnvironment(env));
    command.addAll(texts(config.get("Entrypoint")));
    command.addAll(texts(config.path("Cmd")));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** Runs a command in the server's namespaces and root as its user: "exit:output". */
  private static String inContainer(
      ProcessHandle server, Map<String, String> env, List<String> run) {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "nsenter",
            "--target",
            Long.toString(server.pid()),
            "--mount",
            "--net",
            "--root",
            "--wd",
            "--setuid",
            "1000",
            "--setgid",
            "1000"));
    command.addAll(withEnvironment(env));
    command.addAll(run);
    try {
      Commands.Outcome outcome = Commands.run(command, Map.of(), 30);
      return outcome.exit() + ":" + outcome.output();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<String> withEnvironment(Map<String, String> env) {
    List<String> command = new ArrayList<>(List.of("/usr/bin/env", "-i"));
    env.forEach((name, value) -> command.add(name + "=" + value));
    return command;
  }

  private static Map<String, String> environment(JsonNode config) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String entry : texts(config.get("Env"))) {
      int eq = entry.indexOf('=');
      env.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
    return env;
  }

  /** The real, effective, saved and file-system uids of the process, from /proc. */
  private static List<String> uids(ProcessHandle process) throws IOException {
    for (String line :
        Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith("Uid:")) {
        return List.of(line.substring("Uid:".length()).trim().split("\\s+"));
      }
    }
    throw new AssertionError("no Uid line for " + process.pid());
  }

  /** The TCP ports listening on every interface in the process's network namespace. */
  private static Set<Integer> listeningOnAllInterfaces(ProcessHandle process) throws IOException {
    Set<Integer> ports = new TreeSet<>();
    for (String file : List.of("tcp", "tcp6")) {
      Path table = Path.of("/proc", Long.toString(process.pid()), "net", file);
      for (String line : Files.readAllLines(table).subList(1, Files.readAllLines(table).size())) {
        String[] fields = line.trim().split("\\s+");
        String[] local = fields[1].split(":");
        boolean listen = fields[3].equals("0A");
        boolean anyAddress = local[0].chars().allMatch(c -> c == '0');
        if (listen && anyAddress) {
          ports.add(Integer.parseInt(local[1], 16));
        }
      }
    }
    return ports;
  }

  private static String passwdLine(Path root, String uid) throws IOException {
    return Files.readAllLines(root.resolve("etc/passwd")).stream()
        .filter(line -> line.split(":")[2].equals(uid))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no user " + uid + " in the image's /etc/passwd"));
  }

  private static Set<String> names(JsonNode object) {
    Set<String> names = new TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(node -> texts.add(node.asText()));
    return texts;
  }

  private static AssertionError failed(Path log, String what) {
    return new AssertionError(what + ":\n" + Commands.read(log));
  }
}
