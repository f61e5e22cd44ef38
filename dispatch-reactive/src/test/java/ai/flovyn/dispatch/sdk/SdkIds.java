package ai.flovyn.dispatch.sdk;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The ids the SDK makes for tasks and children (docs/sdk-compatibility.md, "Ids the SDK makes"):
 * UUID version 5 with the workflow id as namespace and {@code <workflow id>:<counter>} as name, so
 * that every replay makes the same ids.
 */
public final class SdkIds {
  private SdkIds() {}

  /** The {@code counter}-th deterministic id of a workflow. */
  public static UUID deterministic(UUID workflowId, int counter) {
    return v5(workflowId, workflowId + ":" + counter);
  }

  /** A name-based UUID version 5 (SHA-1), RFC 4122 §4.3. */
  public static UUID v5(UUID namespace, String name) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(
          ByteBuffer.allocate(16)
              .putLong(namespace.getMostSignificantBits())
              .putLong(namespace.getLeastSignificantBits())
              .array());
      byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
      hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
      hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
      ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
      return new UUID(bytes.getLong(), bytes.getLong());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is always available", e);
    }
  }
}
