package ai.flovyn.dispatch.load;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** The per-call template data of ghz: request number, worker id, timestamps and a call UUID. */
final class CallData {
  private final long requestNumber;
  private final String workerId;
  private final CallInfo info;
  private final Instant now;
  private String uuid;

  CallData(long requestNumber, String workerId, CallInfo info, Instant now) {
    this.requestNumber = requestNumber;
    this.workerId = workerId;
    this.info = info;
    this.now = now;
  }

  long requestNumber() {
    return requestNumber;
  }

  String workerId() {
    return workerId;
  }

  CallInfo info() {
    return info;
  }

  Instant now() {
    return now;
  }

  /** The {@code .UUID} of this call: one value for every occurrence within the call. */
  String uuid() {
    if (uuid == null) {
      uuid = randomUuid().toString();
    }
    return uuid;
  }

  String timestampRfc3339() {
    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
        now.truncatedTo(ChronoUnit.SECONDS).atZone(ZoneId.systemDefault()));
  }

  long timestampUnixNano() {
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /**
   * A version 4 UUID from the thread's generator: per-call uniqueness is what a load test needs,
   * and {@link UUID#randomUUID()} would serialise all workers on one SecureRandom.
   */
  static UUID randomUuid() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }
}
