package ai.flovyn.dispatch.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The subset of JSON Schema the API's OpenAPI document uses (type, with "null" in a type list for
 * nullable; properties; required; items; enum; $ref; allOf; oneOf), enough to check that a real
 * answer is what the document describes.
 */
final class OpenApiSchemas {
  final JsonNode document;

  OpenApiSchemas() {
    try {
      document = new ObjectMapper().readTree(OpenApiDocument.bytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The schema of {@code operationId}'s JSON answer for {@code status}, or null when none. */
  JsonNode responseSchema(String operationId, int status) {
    for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        paths.hasNext(); ) {
      for (Iterator<Map.Entry<String, JsonNode>> ops = paths.next().getValue().fields();
          ops.hasNext(); ) {
        JsonNode op = ops.next().getValue();
        if (operationId.equals(op.path("operationId").asText())) {
          JsonNode response = resolve(op.path("responses").path(String.valueOf(status)));
          return response.path("content").path("application/json").path("schema");
        }
      }
    }
    return null;
  }

  /** Every mismatch between {@code value} and {@code schema}, as "path: what". Empty = conforms. */
  List<String> check(JsonNode schema, JsonNode value) {
    List<String> problems = new ArrayList<>();
    check(schema, value, "$", problems);
    return problems;
  }

  private JsonNode resolve(JsonNode node) {
    while (node.has("$ref")) {
      String[] parts = node.get("$ref").asText().substring(2).split("/");
      JsonNode target = document;
      for (String part : parts) {
        target = target.path(part);
      }
      node = target;
    }
    return node;
  }

  private void check(JsonNode schema, JsonNode value, String where, List<String> problems) {
    schema = resolve(schema);
    if (schema.isMissingNode() || schema.isEmpty()) {
      return;
    }
    if (schema.has("allOf")) {
      schema.get("allOf").forEach(part -> check(part, value, where, problems));
    }
    if (schema.has("oneOf")) {
      int matching = 0;
      for (JsonNode option : schema.get("oneOf")) {
        if (check(option, value).isEmpty()) {
          matching++;
        }
      }
      if (matching != 1) {
        problems.add(where + ": matches " + matching + " of oneOf");
      }
    }
    if (schema.has("type") && !typeMatches(schema.get("type"), value)) {
      problems.add(where + ": " + value.getNodeType() + " is not " + schema.get("type"));
      return;
    }
    if (schema.has("enum") && !value.isNull()) {
      boolean found = false;
      for (JsonNode allowed : schema.get("enum")) {
        found |= allowed.equals(value);
      }
      if (!found) {
        problems.add(where + ": " + value + " not in " + schema.get("enum"));
      }
    }
    if (value.isObject()) {
      for (JsonNode required : schema.path("required")) {
        if (!value.has(required.asText())) {
          problems.add(where + ": missing required " + required.asText());
        }
      }
      schema
          .path("properties")
          .fields()
          .forEachRemaining(
              property -> {
                if (value.has(property.getKey())) {
                  check(
                      property.getValue(),
                      value.get(property.getKey()),
                      where + "." + property.getKey(),
                      problems);
                }
              });
    }
    if (value.isArray() && schema.has("items")) {
      int i = 0;
      for (JsonNode item : value) {
        check(schema.get("items"), item, where + "[" + i++ + "]", problems);
      }
    }
  }

  private static boolean typeMatches(JsonNode type, JsonNode value) {
    if (type.isArray()) {
      for (JsonNode one : type) {
        if (typeMatches(one, value)) {
          return true;
        }
      }
      return false;
    }
    return switch (type.asText()) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "null" -> value.isNull();
      default -> true;
    };
  }
}
