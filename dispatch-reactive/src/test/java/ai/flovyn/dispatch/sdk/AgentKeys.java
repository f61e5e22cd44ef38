package ai.flovyn.dispatch.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The SDK's agent task key and id (worker-sdk/src/agent/context_impl.rs): the canonical JSON text C
 * of the input, key = "task:" + hex(SHA-256(agent id bytes || ":" || kind || ":" || C)[0..16]), id
 * = UUIDv5(NAMESPACE_OID, key). Written from the rule, independently of the server's code.
 */
final class AgentKeys {
  private static final UUID NAMESPACE_OID = UUID.fromString("6ba7b812-9dad-11d1-80b4-00c04fd430c8");

  private AgentKeys() {}

  static String key(UUID agentId, String kind, JsonNode input) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      ByteBuffer id = ByteBuffer.allocate(16);
      id.putLong(agentId.getMostSignificantBits()).putLong(agentId.getLeastSignificantBits());
      sha256.update(id.array());
      sha256.update((":" + kind + ":" + canonical(input)).getBytes(StandardCharsets.UTF_8));
      byte[] digest = sha256.digest();
      byte[] first = new byte[16];
      System.arraycopy(digest, 0, first, 0, 16);
      return "task:" + HexFormat.of().formatHex(first);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static UUID taskId(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      ByteBuffer ns = ByteBuffer.allocate(16);
      ns.putLong(NAMESPACE_OID.getMostSignificantBits())
          .putLong(NAMESPACE_OID.getLeastSignificantBits());
      sha1.update(ns.array());
      byte[] hash = sha1.digest(key.getBytes(StandardCharsets.UTF_8));
      hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
      hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
      ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
      return new UUID(bytes.getLong(), bytes.getLong());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** C: object keys sorted by their UTF-8 bytes and written raw; arrays in order; no spaces. */
  static String canonical(JsonNode node) {
    if (node.isObject()) {
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      it.forEachRemaining(fields::add);
      fields.sort((a, b) -> compareUtf8(a.getKey(), b.getKey()));
      StringBuilder out = new StringBuilder("{");
      for (int i = 0; i < fields.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append('"').append(fields.get(i).getKey()).append("\":");
        out.append(canonical(fields.get(i).getValue()));
      }
      return out.append('}').toString();
    }
    if (node.isArray()) {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(canonical(node.get(i)));
      }
      return out.append(']').toString();
    }
    if (node.isTextual()) {
      return quoted(node.textValue());
    }
    if (node.isIntegralNumber()) {
      return node.bigIntegerValue().toString();
    }
    if (node.isNumber()) {
      double value = node.doubleValue();
      return value == Math.rint(value) && Math.abs(value) < 1e16
          ? (long) value + ".0"
          : Double.toString(value).replace("E", "e");
    }
    return node.toString();
  }

  private static int compareUtf8(String a, String b) {
    byte[] x = a.getBytes(StandardCharsets.UTF_8);
    byte[] y = b.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c = Integer.compare(x[i] & 0xff, y[i] & 0xff);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  private static String quoted(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
