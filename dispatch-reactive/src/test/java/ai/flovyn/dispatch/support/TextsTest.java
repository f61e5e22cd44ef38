package ai.flovyn.dispatch.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import org.junit.jupiter.api.Test;

/** Text bound for PostgreSQL text columns: cut safely, NUL replaced or refused. */
class TextsTest {
  @Test
  void truncateKeepsShortTextAndNeverSplitsASurrogatePair() {
    String shortText = "abc";
    assertSame(shortText, Texts.truncate(shortText, 3));
    assertEquals("ab", Texts.truncate("abcd", 2));
    assertEquals("a", Texts.truncate("a\uD83D\uDE00", 2));
    assertEquals("a\uD83D\uDE00", Texts.truncate("a\uD83D\uDE00b", 3));
  }

  @Test
  void nulIsReplacedInStoredTextAndRefusedInNames() {
    assertEquals("a\uFFFDb", Texts.withoutNul("a\0b"));
    DispatchException error =
        assertThrows(DispatchException.class, () -> Texts.name("key", "a\0b"));
    assertEquals(ErrorKind.INVALID_ARGUMENT, error.kind());
    assertEquals("key must not contain a NUL character (at index 1)", error.getMessage());
    assertEquals("", Texts.field("host_name", ""));
    assertThrows(DispatchException.class, () -> Texts.field("host_name", "h".repeat(256)));
  }
}
