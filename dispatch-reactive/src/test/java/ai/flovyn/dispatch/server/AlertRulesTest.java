package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules in deploy/prometheus are valid for Prometheus ({@code promtool check rules}) and
 * fire when their unit tests say ({@code promtool test rules}); every alert has such a test.
 * Debian's {@code prometheus} package provides promtool ({@code .ci/run} installs it); without it
 * the promtool checks are skipped, saying so.
 */
class AlertRulesTest {
  private static final Path RULES_DIR = Path.of("..", "deploy", "prometheus");

  @Test
  void theRulesPassPromtoolsCheck() throws Exception {
    Result check = promtool("check", "rules", "alerts.yml");
    assertEquals(0, check.exitCode(), check.output());
    assertTrue(check.output().contains("SUCCESS"), check.output());
  }

  @Test
  void everyAlertFiresAsItsUnitTestSays() throws Exception {
    Result test = promtool("test", "rules", "alerts-test.yml");
    assertEquals(0, test.exitCode(), test.output());
    assertTrue(test.output().contains("SUCCESS"), test.output());
  }

  @Test
  void everyAlertHasAUnitTest() throws IOException {
    Set<String> alerts = new TreeSet<>();
    for (Map<String, Object> group : list(load("alerts.yml").get("groups"))) {
      for (Map<String, Object> rule : list(group.get("rules"))) {
        alerts.add(String.valueOf(rule.get("alert")));
      }
    }
    Set<String> tested = new TreeSet<>();
    for (Map<String, Object> test : list(load("alerts-test.yml").get("tests"))) {
      for (Map<String, Object> ruleTest : list(test.get("alert_rule_test"))) {
        if (!list(ruleTest.get("exp_alerts")).isEmpty()) {
          tested.add(String.valueOf(ruleTest.get("alertname")));
        }
      }
    }
    assertTrue(alerts.size() >= 4, alerts.toString());
    assertEquals(alerts, tested, "alerts with a unit test in which they fire");
  }

  private static Map<String, Object> load(String file) throws IOException {
    try (Reader reader = Files.newBufferedReader(RULES_DIR.resolve(file))) {
      return new Yaml().load(reader);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object value) {
    return value == null ? List.of() : (List<Map<String, Object>>) value;
  }

  private record Result(int exitCode, String output) {}

  private static Result promtool(String... args) throws IOException, InterruptedException {
    Optional<Path> promtool = onPath("promtool");
    Assumptions.assumeTrue(
        promtool.isPresent(),
        "promtool is not installed (apt-get install prometheus): the rules are not checked");
    Process process =
        new ProcessBuilder(
                Stream.concat(Stream.of(promtool.get().toString()), Stream.of(args)).toList())
            .directory(RULES_DIR.toFile())
            .redirectErrorStream(true)
            .start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool ended: " + output);
    return new Result(process.exitValue(), output);
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    return Stream.of(path.split(File.pathSeparator))
        .map(dir -> Path.of(dir, program))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
