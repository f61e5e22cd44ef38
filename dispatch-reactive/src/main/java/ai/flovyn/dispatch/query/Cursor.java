package ai.flovyn.dispatch.query;

import ai.flovyn.dispatch.domain.DispatchException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/**
 * Where a keyset page ends: the last item's creation time and id. Lists are ordered {@code
 * created_at DESC, id DESC}, so the next page is what comes strictly after; rows inserted meanwhile
 * are newer and never shift it. Travels as opaque base64url text.
 *
 * @param createdAt the last item's creation time, to the microsecond (the database's precision)
 * @param id the last item's id
 */
public record Cursor(Instant createdAt, UUID id) {
  private static final int MAX_TEXT = 128;

  /**
   * Truncates {@code createdAt} to microseconds.
   *
   * @param createdAt the last item's creation time; must not be null
   * @param id the last item's id; must not be null
   */
  public Cursor {
    java.util.Objects.requireNonNull(createdAt, "createdAt");
    java.util.Objects.requireNonNull(id, "id");
    createdAt = createdAt.truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * The cursor as clients carry it.
   *
   * @return base64url text (no padding) of the epoch microseconds and the id
   */
  public String encode() {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Reads a cursor that {@link #encode()} wrote.
   *
   * @param text the cursor text; must not be null
   * @return the cursor
   * @throws DispatchException INVALID_ARGUMENT ({@code cursor: …}) for text that is not a cursor
   */
  public static Cursor decode(String text) {
    if (text.length() <= MAX_TEXT) {
      try {
        String plain =
            new String(Base64.getUrlDecoder().decode(text.trim()), StandardCharsets.US_ASCII);
        int colon = plain.indexOf(':');
        String id = plain.substring(colon + 1);
        if (colon > 0 && id.length() == 36) {
          long micros = Long.parseLong(plain.substring(0, colon));
          return new Cursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), UUID.fromString(id));
        }
      } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
        // reported below
      }
    }
    throw DispatchException.invalidArgument(
        "cursor: not a cursor of this list (take nextCursor from the previous page)");
  }
}
