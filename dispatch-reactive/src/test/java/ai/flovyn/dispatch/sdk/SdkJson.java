package ai.flovyn.dispatch.sdk;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * JSON as the SDK sees it: parses event data into plain Java values (maps, lists, strings, numbers,
 * booleans, null) the way {@code serde_json::Value} does, and writes values back to JSON text.
 */
public final class SdkJson {
  private static final JsonFactory JSON = new JsonFactory();

  /** What an unparseable document becomes: the SDK reads JSON null and every key lookup misses. */
  public static final Object INVALID = new Object();

  private SdkJson() {}

  /** The JSON value of the bytes, {@link #INVALID} when they are not exactly one JSON value. */
  public static Object parse(ByteString bytes) {
    return parse(bytes.toStringUtf8());
  }

  /** The JSON value of the text, {@link #INVALID} when it is not exactly one JSON value. */
  public static Object parse(String text) {
    try (JsonParser parser = JSON.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return INVALID;
      }
      Object value = read(parser);
      return parser.nextToken() == null ? value : INVALID;
    } catch (IOException e) {
      return INVALID;
    }
  }

  /** The object the bytes hold, or an empty map when they hold anything else (SDK key lookups). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> object(ByteString bytes) {
    Object value = parse(bytes);
    return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
  }

  /**
   * The member as a string, or null when absent or not a JSON string (no coercion:
   * docs/sdk-compatibility.md, "Events and replay").
   */
  public static String string(Map<String, Object> object, String key) {
    return object.get(key) instanceof String s ? s : null;
  }

  /** JSON text of a plain Java value (maps, lists, strings, numbers, booleans, null). */
  public static String write(Object value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = JSON.createGenerator(out)) {
      write(generator, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Whether two JSON texts hold the same value (member order ignored). */
  public static boolean same(String a, String b) {
    return Objects.equals(parse(a), parse(b));
  }

  private static Object read(JsonParser parser) throws IOException {
    switch (parser.currentToken()) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          parser.nextToken();
          map.put(name, read(parser));
        }
        return map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          list.add(read(parser));
        }
        return list;
      }
      case VALUE_STRING -> {
        return parser.getText();
      }
      case VALUE_NUMBER_INT -> {
        return parser.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return parser.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new IOException("unexpected token " + parser.currentToken());
    }
  }

  private static void write(JsonGenerator generator, Object value) throws IOException {
    if (value == null) {
      generator.writeNull();
    } else if (value instanceof Map<?, ?> map) {
      generator.writeStartObject();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        generator.writeFieldName(entry.getKey().toString());
        write(generator, entry.getValue());
      }
      generator.writeEndObject();
    } else if (value instanceof List<?> list) {
      generator.writeStartArray();
      for (Object item : list) {
        write(generator, item);
      }
      generator.writeEndArray();
    } else if (value instanceof String s) {
      generator.writeString(s);
    } else if (value instanceof Integer || value instanceof Long) {
      generator.writeNumber(((Number) value).longValue());
    } else if (value instanceof Number n) {
      generator.writeNumber(n.doubleValue());
    } else if (value instanceof Boolean b) {
      generator.writeBoolean(b);
    } else {
      throw new IllegalArgumentException("not a JSON value: " + value.getClass());
    }
  }
}
