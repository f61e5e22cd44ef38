package ai.flovyn.dispatch.agent;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The id of an agent task scheduled under an idempotency key: UUIDv5(NAMESPACE_OID, UTF-8(key)),
 * the id the SDK derives itself and waits on (worker-sdk/src/agent/context_impl.rs, {@code
 * task_id_from_key}); any other id leaves the agent waiting for a task that does not exist.
 */
final class AgentTaskIds {
  /** RFC 4122's name space for ISO OIDs, which the SDK uses. */
  static final UUID NAMESPACE_OID = UUID.fromString("6ba7b812-9dad-11d1-80b4-00c04fd430c8");

  private AgentTaskIds() {}

  static UUID fromKey(String key) {
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
    ByteBuffer namespace = ByteBuffer.allocate(16);
    namespace.putLong(NAMESPACE_OID.getMostSignificantBits());
    namespace.putLong(NAMESPACE_OID.getLeastSignificantBits());
    sha1.update(namespace.array());
    byte[] hash = sha1.digest(key.getBytes(StandardCharsets.UTF_8));
    hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
    hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
    ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
    return new UUID(bytes.getLong(), bytes.getLong());
  }
}
