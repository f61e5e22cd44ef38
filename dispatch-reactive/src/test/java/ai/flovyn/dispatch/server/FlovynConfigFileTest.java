package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a Flovyn server config file gives the server, and how a wrong one is reported. */
class FlovynConfigFileTest {
  private static final String ORG = "6F1C1B2E-2D43-4C5A-9B9E-0123456789AB";
  private static final String WHERE = "CONFIG_FILE /app/config.toml";

  @TempDir Path temp;

  @Test
  void theHarnessFileGivesOneOrgTwoKeysAndAuthentication() {
    FlovynConfigFile file =
        FlovynConfigFile.parse(
            """
            [[orgs]]
            id = "%s"
            name = "Test Organization"
            slug = "test-1a2b3c4d"
            tier = "FREE"

            [auth]
            enabled = true

            [auth.static_api_key]
            keys = [
                { key = "flovyn_sk_test_0123456789abcdef", org_id = "%1$s", principal_type = "User", principal_id = "api:test", role = "ADMIN" },
                { key = "flovyn_wk_test_0123456789abcdef", org_id = "%1$s", principal_type = "Worker", principal_id = "worker:test" }
            ]

            [auth.endpoints.http]
            authenticators = ["static_api_key"]
            authorizer = "cedar"
            """
                .formatted(ORG),
            WHERE);
    assertEquals(Optional.of(true), file.authEnabled());
    assertEquals(2, file.keys().keyCount());
    assertEquals(
        Map.of("test-1a2b3c4d", ORG.toLowerCase()),
        file.keys().tenantBySlug(),
        "a UUID id in the lower-case form the SDKs send");
  }

  @Test
  void anEmptyFileGivesNothing() {
    FlovynConfigFile file = FlovynConfigFile.parse("", WHERE);
    assertEquals(Optional.empty(), file.authEnabled());
    assertEquals(0, file.keys().keyCount());
  }

  @Test
  void eachWrongValueIsOneLineNamingTheFileAndTheKey() {
    String org = "[[orgs]]\nid = \"acme\"\nslug = \"acme\"\n";
    String key = "flovyn_sk_test_0123456789abcdef";
    Map<String, String> cases =
        Map.ofEntries(
            Map.entry("[[orgs]\nid = 1", "is not valid TOML: "),
            Map.entry("orgs = 3", "orgs must be an array of tables"),
            Map.entry("[[orgs]]\nslug = \"a\"", "orgs[0].id is missing"),
            Map.entry("[[orgs]]\nid = 7\nslug = \"a\"", "orgs[0].id must be a string"),
            Map.entry("[[orgs]]\nid = \"a\"\nslug = \"Not A Slug\"", "orgs[0].slug must be 1-63"),
            Map.entry(org + "[[orgs]]\nid = \"acme\"\nslug = \"b\"", "orgs[1].id repeats"),
            Map.entry("auth = \"yes\"", "auth must be a table"),
            Map.entry("[auth]\nenabled = \"yes\"", "auth.enabled must be true or false"),
            Map.entry(
                org + "[auth.static_api_key]\nkeys = [{ key = \"short\", org_id = \"acme\" }]",
                "keys[0].key must be at least 16"),
            Map.entry(
                org
                    + "[auth.static_api_key]\nkeys = [{ key = \""
                    + key
                    + "\", org_id = \"beta\", principal_type = \"User\" }]",
                "keys[0].org_id names no org of [[orgs]]: 'beta'"),
            Map.entry(
                org
                    + "[auth.static_api_key]\nkeys = [{ key = \""
                    + key
                    + "\", org_id = \"acme\", principal_type = \"Robot\" }]",
                "keys[0].principal_type must be User or Worker"),
            Map.entry(
                org
                    + "[auth.static_api_key]\nkeys = [{ key = \""
                    + key
                    + "\", org_id = \"acme\", principal_type = \"Worker\" },"
                    + " { key = \""
                    + key
                    + "\", org_id = \"acme\", principal_type = \"Worker\" }]",
                "keys[1].key repeats an earlier key"));
    cases.forEach(
        (text, expected) -> {
          ConfigException error =
              assertThrows(ConfigException.class, () -> FlovynConfigFile.parse(text, WHERE));
          assertTrue(error.getMessage().startsWith(WHERE), error.getMessage());
          assertTrue(error.getMessage().contains(expected), text + " -> " + error.getMessage());
          assertFalse(error.getMessage().contains("\n"), "one line: " + error.getMessage());
          assertFalse(error.getMessage().contains(key), "a key is never shown");
        });
  }

  @Test
  void aMissingFileNamesTheVariableThatNamedIt() {
    Path missing = temp.resolve("nowhere.toml");
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> ServerConfig.from(Map.of("CONFIG_FILE", missing.toString()), new String[0]));
    assertEquals("CONFIG_FILE " + missing + ": no such file", error.getMessage());
    ConfigException flag =
        assertThrows(
            ConfigException.class,
            () -> ServerConfig.from(Map.of(), new String[] {"--flovyn-config=" + missing}));
    assertEquals("--flovyn-config " + missing + ": no such file", flag.getMessage());
  }

  @Test
  void aFileThatIsNotUtf8IsRefused() throws Exception {
    Path binary = Files.write(temp.resolve("binary.toml"), new byte[] {(byte) 0xC3, (byte) 0x28});
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> ServerConfig.from(Map.of("CONFIG_FILE", binary.toString()), new String[0]));
    assertEquals("CONFIG_FILE " + binary + ": not UTF-8 text", error.getMessage());
  }
}
