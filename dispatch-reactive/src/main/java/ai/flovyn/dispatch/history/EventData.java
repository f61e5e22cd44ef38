package ai.flovyn.dispatch.history;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Builds the UTF-8 JSON of an event. Payload bytes are embedded as JSON under their key when they
 * parse as one JSON value (what every SDK sends and reads); empty bytes are JSON null; other bytes
 * are null under the key plus base64 under the key with the suffix {@code Base64}, so nothing is
 * lost and an SDK reading the plain key sees null rather than no key at all.
 */
public final class EventData {
  private static final JsonFactory JSON = new JsonFactory();

  private final StringWriter out = new StringWriter(64);
  private final JsonGenerator generator;

  private EventData() {
    try {
      generator = JSON.createGenerator(out);
      generator.writeStartObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static EventData object() {
    return new EventData();
  }

  /** Adds a string (or null) field. */
  public EventData put(String key, String value) {
    try {
      if (value == null) {
        generator.writeNullField(key);
      } else {
        generator.writeStringField(key, value);
      }
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds a boolean field. */
  public EventData put(String key, boolean value) {
    try {
      generator.writeBooleanField(key, value);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds a number field. */
  public EventData put(String key, long value) {
    try {
      generator.writeNumberField(key, value);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Adds a payload: embedded JSON, null when empty, else null plus base64 under {@code key +
   * "Base64"}.
   */
  public EventData payload(String key, byte[] bytes) {
    try {
      if (bytes == null || bytes.length == 0) {
        generator.writeNullField(key);
      } else if (isJson(bytes)) {
        generator.writeFieldName(key);
        generator.writeRawValue(new String(bytes, StandardCharsets.UTF_8));
      } else {
        generator.writeNullField(key);
        generator.writeStringField(key + "Base64", Base64.getEncoder().encodeToString(bytes));
      }
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String json() {
    try {
      generator.writeEndObject();
      generator.close();
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A string as a JSON string literal. */
  public static String quote(String value) {
    StringWriter out = new StringWriter(value.length() + 2);
    try (JsonGenerator quoted = JSON.createGenerator(out)) {
      quoted.writeString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Whether the bytes are exactly one well-formed JSON value in UTF-8. */
  public static boolean isJson(byte[] bytes) {
    // decoded as UTF-8 here, so that Jackson guesses no other encoding (0x00 0x31 read as UTF-16
    // "1"); a byte-order mark is not JSON to the SDK's serde_json
    if (!validUtf8(bytes) || (bytes.length >= 3 && (bytes[0] & 0xff) == 0xef)) {
      return false;
    }
    try (JsonParser parser = JSON.createParser(new String(bytes, StandardCharsets.UTF_8))) {
      if (parser.nextToken() == null) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean validUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
      return true;
    } catch (java.nio.charset.CharacterCodingException e) {
      return false;
    }
  }
}
