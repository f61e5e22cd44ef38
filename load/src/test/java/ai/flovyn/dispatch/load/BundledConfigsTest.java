package ai.flovyn.dispatch.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Checks every config under load/ghz against the compiled descriptors, without a server. */
@Timeout(60)
class BundledConfigsTest {
  private static final Path GHZ = Path.of("ghz");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static List<Path> bundled() throws IOException {
    try (Stream<Path> files = Files.list(GHZ)) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
  }

  @Test
  void everyBundledConfigNamesAKnownCallAndEveryDataElementParses() throws Exception {
    List<Path> files = bundled();
    assertFalse(files.isEmpty(), "no configs under " + GHZ.toAbsolutePath());
    for (Path file : files) {
      LoadConfig config = LoadConfig.read(file);
      assertEquals(List.of(), config.ignoredKeys(), file + " uses options ghz and we both know");
      // prepare() resolves the call and renders and parses every data element into its input type
      RequestPlan plan = RequestPlan.prepare(config);
      assertTrue(plan.call().method().getFullName().startsWith("flovyn.v1."), file.toString());
      assertFalse(LoadRun.dryRun(config).isBlank(), file.toString());
      assertTrue(
          config.total() > 0 || !config.duration().isZero(), file + " must be a bounded run");
    }
  }

  @Test
  void bundledConfigsAreWhatTheGeneratorWrites() throws Exception {
    for (var entry : GhzConfigs.bundled().entrySet()) {
      Path file = GHZ.resolve(entry.getKey());
      assertTrue(Files.exists(file), file + " is missing: run GhzConfigs ghz");
      assertEquals(entry.getValue(), Files.readString(file), file + " is stale");
    }
    assertEquals(GhzConfigs.bundled().size(), bundled().size(), "a config the generator lacks");
  }

  @Test
  void protoPathsResolveRelativeToTheConfigAsGhzReadsThem() throws Exception {
    for (Path file : bundled()) {
      JsonNode root = MAPPER.readTree(file.toFile());
      Path folder = file.toAbsolutePath().getParent();
      assertTrue(Files.exists(folder.resolve(root.get("proto").asText())), file.toString());
      for (JsonNode importPath : root.get("import-paths")) {
        assertTrue(Files.isDirectory(folder.resolve(importPath.asText())), file.toString());
      }
      assertTrue(root.get("insecure").asBoolean(), file.toString());
    }
  }

  @Test
  void submitConfigsAddressPreparedWorkflowsOnlyAndCountTheirTasks() throws Exception {
    for (int batch : new int[] {1, 10, 100}) {
      LoadConfig config = LoadConfig.read(GHZ.resolve("submit-batch-" + batch + ".json"));
      RequestPlan plan = RequestPlan.prepare(config);
      PreparedCall call = plan.prepare(0, "w");
      assertEquals(batch, call.totalTasks());
      String workflow =
          (String)
              call.messages()
                  .get(0)
                  .getField(
                      call.messages()
                          .get(0)
                          .getDescriptorForType()
                          .findFieldByName("workflow_execution_id"));
      assertEquals(BenchIds.workflowId(1), workflow);
    }
  }
}
