package ai.flovyn.dispatch.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * The API's JSON conventions in one place: camelCase fields, times as RFC 3339 UTC strings, ids as
 * strings, payloads (input, output, values) embedded as JSON when they are JSON.
 */
final class ApiJson {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ApiJson() {}

  static ObjectNode object() {
    return NODES.objectNode();
  }

  static ArrayNode array() {
    return NODES.arrayNode();
  }

  /** An instant as RFC 3339 UTC ({@code 2026-12-07T20:40:00.123Z}), or JSON null. */
  static JsonNode time(Instant instant) {
    return instant == null
        ? NullNode.instance
        : NODES.textNode(DateTimeFormatter.ISO_INSTANT.format(instant));
  }

  /**
   * A stored payload as the API shows it: the JSON value when the bytes are UTF-8 JSON (what every
   * SDK sends), otherwise {@code {"base64": "…"}}; JSON null for none.
   */
  static JsonNode payload(byte[] bytes) {
    if (bytes == null) {
      return NullNode.instance;
    }
    if (bytes.length == 0) {
      return NullNode.instance;
    }
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return MAPPER.readTree(text);
    } catch (CharacterCodingException | JsonProcessingException e) {
      ObjectNode raw = object();
      raw.put("base64", Base64.getEncoder().encodeToString(bytes));
      return raw;
    }
  }

  /** A payload given in a request body, stored as its compact JSON text (null → none). */
  static byte[] payloadBytes(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return null;
    }
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The error body {@code {"error": message}}. */
  static ObjectNode error(String message) {
    ObjectNode body = object();
    body.put("error", message);
    return body;
  }

  /** At most {@code max} characters of a client's text, for messages that quote it. */
  static String shown(String text, int max) {
    if (text == null) {
      return "";
    }
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
