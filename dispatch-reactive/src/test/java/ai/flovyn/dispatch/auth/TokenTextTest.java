package ai.flovyn.dispatch.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The token text: its form, its parsing, its hash. */
class TokenTextTest {
  @Test
  void aNewTokenCarriesItsLookupIdAndParsesBack() {
    String lookupId = TokenText.newLookupId();
    String text = TokenText.newText(lookupId);
    assertEquals(TokenText.LENGTH, text.length());
    assertTrue(text.matches("fdt_[A-Za-z0-9]{12}_[A-Za-z0-9]{43}"), text);
    assertEquals(lookupId, TokenText.lookupId(text));
    assertTrue(TokenText.isLookupId(lookupId));
  }

  @Test
  void secretsDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      assertTrue(seen.add(TokenText.newText("AAAAAAAAAAAA")));
    }
  }

  @Test
  void anythingElseIsMalformed() {
    String good = TokenText.newText(TokenText.newLookupId());
    assertNull(TokenText.lookupId(null));
    assertNull(TokenText.lookupId(""));
    assertNull(TokenText.lookupId(good + "x"));
    assertNull(TokenText.lookupId(good.substring(1)));
    assertNull(TokenText.lookupId("fwt_" + good.substring(4)));
    assertNull(TokenText.lookupId(good.substring(0, 16) + "-" + good.substring(17)));
    assertNull(TokenText.lookupId(good.substring(0, 20) + "/" + good.substring(21)));
    assertFalse(TokenText.isLookupId("short"));
    assertFalse(TokenText.isLookupId("AAAAAAAAAAA-"));
  }

  @Test
  void theHashIsSha256OfTheWholeTextAndComparesExactly() {
    String text = TokenText.newText(TokenText.newLookupId());
    byte[] hash = TokenText.hash(text);
    assertEquals(32, hash.length);
    assertArrayEquals(hash, TokenText.hash(text));
    assertTrue(TokenText.matches(hash, TokenText.hash(text)));
    assertNotEquals(
        new String(hash, java.nio.charset.StandardCharsets.ISO_8859_1),
        new String(TokenText.hash(text + "x"), java.nio.charset.StandardCharsets.ISO_8859_1));
    assertFalse(TokenText.matches(hash, TokenText.hash(text.replace(text.charAt(30), '~'))));
  }
}
