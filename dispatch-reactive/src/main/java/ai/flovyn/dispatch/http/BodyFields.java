package ai.flovyn.dispatch.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Typed reads of a JSON request body's fields: a field of the wrong type is a 400 naming it, an
 * absent or null one is empty.
 */
final class BodyFields {
  private final ObjectNode body;

  BodyFields(ObjectNode body) {
    this.body = body;
  }

  private Optional<JsonNode> present(String field) {
    JsonNode node = body.get(field);
    return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
  }

  Optional<String> text(String field) {
    return present(field)
        .map(
            node -> {
              if (!node.isTextual()) {
                throw HttpProblem.badParameter(field, "must be a string");
              }
              return node.asText();
            });
  }

  /** A string that must be there and not blank. */
  String requiredText(String field) {
    String value = text(field).orElse("");
    if (value.isBlank()) {
      throw HttpProblem.badParameter(field, "required");
    }
    return value;
  }

  Optional<Integer> integer(String field) {
    return present(field)
        .map(
            node -> {
              if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                throw HttpProblem.badParameter(field, "must be a whole number");
              }
              return node.asInt();
            });
  }

  Optional<Long> longInteger(String field) {
    return present(field)
        .map(
            node -> {
              if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                throw HttpProblem.badParameter(field, "must be a whole number");
              }
              return node.asLong();
            });
  }

  Optional<Boolean> bool(String field) {
    return present(field)
        .map(
            node -> {
              if (!node.isBoolean()) {
                throw HttpProblem.badParameter(field, "must be true or false");
              }
              return node.asBoolean();
            });
  }

  /** A JSON value of any type, as its compact JSON text (JSON null counts as given). */
  Optional<byte[]> payload(String field) {
    JsonNode node = body.get(field);
    return node == null ? Optional.empty() : Optional.of(ApiJson.payloadBytes(node));
  }

  /** An object of string values, e.g. metadata. */
  Map<String, String> stringMap(String field) {
    Map<String, String> map = new LinkedHashMap<>();
    present(field)
        .ifPresent(
            node -> {
              if (!node.isObject()) {
                throw HttpProblem.badParameter(field, "must be an object of strings");
              }
              node.fields()
                  .forEachRemaining(
                      entry -> {
                        if (!entry.getValue().isTextual()) {
                          throw HttpProblem.badParameter(
                              field + "." + ApiJson.shown(entry.getKey(), 64), "must be a string");
                        }
                        map.put(entry.getKey(), entry.getValue().asText());
                      });
            });
    return map;
  }
}
