package ai.flovyn.dispatch.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TemplateTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final CallInfo INFO =
      new CallInfo(
          "flovyn.v1.WorkflowDispatch.SubmitWorkflowCommands",
          "WorkflowDispatch",
          "SubmitWorkflowCommands",
          "SubmitWorkflowCommandsRequest",
          "Empty",
          false,
          false);
  private final TemplateCompiler compiler =
      new TemplateCompiler(Map.of("LOAD_TENANT", "ten\"ant")::get);

  private JsonNode render(String json, long requestNumber) throws Exception {
    JsonTemplate template = JsonTemplate.compile(MAPPER.readTree(json), "data", compiler);
    return MAPPER.readTree(template.render(call(requestNumber)));
  }

  private static CallData call(long requestNumber) {
    return new CallData(requestNumber, "g1c0", INFO, Instant.now());
  }

  @Test
  void newUuidGivesADistinctVersion4UuidPerOccurrenceAndPerCall() throws Exception {
    String json = "{\"a\":\"{{newUUID}}\",\"b\":[\"{{newUUID}}\",\"x-{{newUUID}}\"]}";
    Set<String> seen = new HashSet<>();
    for (int n = 0; n < 3; n++) {
      JsonNode out = render(json, n);
      String a = out.get("a").asText();
      String b0 = out.get("b").get(0).asText();
      String b2 = out.get("b").get(1).asText().substring(2);
      for (String uuid : new String[] {a, b0, b2}) {
        assertEquals(4, UUID.fromString(uuid).version());
        assertEquals(2, UUID.fromString(uuid).variant());
        assertTrue(seen.add(uuid), "uuid repeated: " + uuid);
      }
    }
    assertEquals(9, seen.size());
  }

  @Test
  void uuidFieldIsOneValuePerCall() throws Exception {
    JsonNode first = render("{\"a\":\"{{.UUID}}\",\"b\":\"{{.UUID}}\"}", 0);
    JsonNode second = render("{\"a\":\"{{.UUID}}\",\"b\":\"{{.UUID}}\"}", 1);
    assertEquals(first.get("a"), first.get("b"));
    assertNotEquals(first.get("a"), second.get("a"));
  }

  @Test
  void requestNumberWorkerIdAndMethodComeFromTheCall() throws Exception {
    String json = "{\"n\":\"{{.RequestNumber}}\",\"w\":\"{{ .WorkerID }}/{{.MethodName}}\"}";
    assertEquals("0", render(json, 0).get("n").asText());
    assertEquals("41", render(json, 41).get("n").asText());
    assertEquals("g1c0/SubmitWorkflowCommands", render(json, 41).get("w").asText());
  }

  @Test
  void timestampsDescribeTheSameInstant() throws Exception {
    Instant now = Instant.parse("2025-01-02T03:04:05.123456789Z");
    JsonTemplate template =
        JsonTemplate.compile(
            MAPPER.readTree(
                "[\"{{.TimestampUnix}}\",\"{{.TimestampUnixMilli}}\",\"{{.TimestampUnixNano}}\"]"),
            "data",
            compiler);
    JsonNode out = MAPPER.readTree(template.render(new CallData(0, "g0c0", INFO, now)));
    assertEquals("1735787045", out.get(0).asText());
    assertEquals("1735787045123", out.get(1).asText());
    assertEquals("1735787045123456789", out.get(2).asText());
  }

  @Test
  void randomFunctionsHonourTheirArguments() throws Exception {
    for (int n = 0; n < 200; n++) {
      JsonNode out = render("{\"s\":\"{{randomString 12}}\",\"i\":\"{{randomInt 5 8}}\"}", n);
      assertTrue(out.get("s").asText().matches("[A-Za-z0-9]{12}"), out.toString());
      int i = Integer.parseInt(out.get("i").asText());
      assertTrue(i >= 5 && i < 8, "randomInt out of range: " + i);
    }
  }

  @Test
  void envValuesAreReadOnceAndJsonEscaped() throws Exception {
    JsonNode out = render("{\"t\":\"{{env \\\"LOAD_TENANT\\\"}}\",\"m\":\"{{env `MISSING`}}\"}", 0);
    assertEquals("ten\"ant", out.get("t").asText());
    assertEquals("", out.get("m").asText());
  }

  @Test
  void commentsAndTrimMarkersRenderNothing() throws Exception {
    JsonNode out = render("{\"a\":\"x {{- /* note */ -}} y{{- .RequestNumber }}\"}", 7);
    assertEquals("xy7", out.get("a").asText());
  }

  @Test
  void dataWithoutActionsIsConstant() throws Exception {
    JsonTemplate template =
        JsonTemplate.compile(MAPPER.readTree("{\"a\":\"b\",\"n\":[1,true,null]}"), "d", compiler);
    assertTrue(template.isConstant());
    assertEquals("{\"a\":\"b\",\"n\":[1,true,null]}", template.render(call(0)));
  }

  @Test
  void unknownFunctionFailsNamingTheActionAndItsPlace() {
    LoadConfigException e =
        assertThrows(
            LoadConfigException.class,
            () -> render("{\"commands\":[{\"id\":\"{{newUuid}}\"}]}", 0));
    assertTrue(e.getMessage().contains("{{newUuid}}"), e.getMessage());
    assertTrue(e.getMessage().contains("data.commands[0].id"), e.getMessage());
  }

  @Test
  void unknownFieldAndUnsupportedSyntaxFail() {
    LoadConfigException field =
        assertThrows(LoadConfigException.class, () -> render("{\"a\":\"{{.RequestNum}}\"}", 0));
    assertTrue(field.getMessage().contains("{{.RequestNum}}"), field.getMessage());
    LoadConfigException pipe =
        assertThrows(
            LoadConfigException.class,
            () -> render("{\"a\":\"{{.RequestNumber | printf \\\"%05d\\\"}}\"}", 0));
    assertTrue(pipe.getMessage().contains("printf"), pipe.getMessage());
    LoadConfigException arity =
        assertThrows(LoadConfigException.class, () -> render("{\"a\":\"{{randomInt 1}}\"}", 0));
    assertTrue(arity.getMessage().contains("{{randomInt 1}}"), arity.getMessage());
    assertThrows(LoadConfigException.class, () -> render("{\"a\":\"{{newUUID\"}", 0));
  }
}
