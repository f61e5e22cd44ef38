package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code java -jar dispatch-reactive-server.jar tokens ...} against a real database. */
class TokensCommandIT {
  private static final Pattern TOKEN = Pattern.compile("fdt_([A-Za-z0-9]{12})_[A-Za-z0-9]{43}");

  private static TestDatabase db;
  private static Map<String, String> env;

  /** What one run printed and returned. */
  private record Run(int exit, String out, String err) {
    List<String> outLines() {
      return out.lines().toList();
    }
  }

  @BeforeAll
  static void database() {
    // an empty database: the command applies the migrations itself
    db = TestDatabase.createEmpty();
    env = Map.of("DISPATCH_DB_URL", db.jdbcUrl(), "DISPATCH_DB_USER", db.user());
  }

  @Test
  void theFirstRunAppliesTheMigrations() {
    assertEquals(0, tokens("list").exit());
    assertEquals(0L, db.scalar("SELECT count(*) FROM access_tokens WHERE tenant_id = 'none'"));
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @Test
  void createPrintsTheTokenOnceAndStoresOnlyItsHash() throws Exception {
    Run run = tokens("create", "--tenant", "acme", "--role", "worker", "--name", "ci");
    assertEquals(0, run.exit(), run.err());
    List<String> lines = run.outLines();
    assertEquals(2, lines.size(), run.out());
    Matcher token = TOKEN.matcher(lines.get(0));
    assertTrue(token.matches(), lines.get(0));
    String id = token.group(1);
    assertEquals("id=" + id + " tenant=acme role=worker name=ci", lines.get(1));
    assertTrue(run.err().contains("shown only once"), run.err());
    assertFalse(run.err().contains(lines.get(0)), "the token is not logged");
    byte[] hash =
        MessageDigest.getInstance("SHA-256").digest(lines.get(0).getBytes(StandardCharsets.UTF_8));
    List<Map<String, Object>> rows =
        db.rows("SELECT secret_hash, tenant_id, role FROM access_tokens WHERE lookup_id = ?", id);
    assertEquals(1, rows.size());
    assertArrayEquals(hash, (byte[]) rows.get(0).get("secret_hash"));
    assertEquals("acme", rows.get(0).get("tenant_id"));
    assertEquals("worker", rows.get(0).get("role"));
  }

  @Test
  void listShowsIdsAndStatusButNeverSecretsOrHashes() {
    Run created = tokens("create", "--tenant=beta", "--role=admin");
    String token = created.outLines().get(0);
    String id = token.substring(4, 16);
    Run listed = tokens("list", "--tenant", "beta");
    assertEquals(0, listed.exit(), listed.err());
    List<String> lines = listed.outLines();
    assertTrue(lines.get(0).startsWith("ID"), lines.get(0));
    assertEquals(2, lines.size(), listed.out());
    assertTrue(lines.get(1).startsWith(id), lines.get(1));
    assertTrue(lines.get(1).contains("beta"), lines.get(1));
    assertTrue(lines.get(1).contains("admin"), lines.get(1));
    assertTrue(lines.get(1).contains("active"), lines.get(1));
    assertFalse(listed.out().contains(token.substring(17)), "no secret");
    Run all = tokens("list");
    assertTrue(all.out().contains(id), all.out());
  }

  @Test
  void revokeMarksTheTokenRevokedOnceAndNamesMistakes() {
    String id = tokens("create", "--tenant", "gamma", "--role", "worker").outLines().get(0);
    id = id.substring(4, 16);
    Run revoked = tokens("revoke", id);
    assertEquals(0, revoked.exit(), revoked.err());
    assertEquals("revoked id=" + id + " tenant=gamma role=worker name=", revoked.out().trim());
    assertEquals(
        1L,
        db.scalar(
            "SELECT count(*) FROM access_tokens WHERE lookup_id = ? AND revoked_at IS NOT NULL",
            id));
    assertTrue(tokens("list", "--tenant", "gamma").out().contains("revoked"));

    Run again = tokens("revoke", id);
    assertEquals(1, again.exit());
    assertEquals("dispatch tokens: token " + id + " is already revoked", again.err().trim());

    Run unknown = tokens("revoke", "AAAAAAAAAAAA");
    assertEquals(1, unknown.exit());
    assertEquals("dispatch tokens: no token with id AAAAAAAAAAAA", unknown.err().trim());
  }

  @Test
  void createWithASlugSetsTheTenantsSlugAndListShowsIt() {
    Run created = tokens("create", "--tenant", "delta-id", "--role", "worker", "--slug", "delta");
    assertEquals(0, created.exit(), created.err());
    assertTrue(created.outLines().get(1).endsWith(" slug=delta"), created.out());
    assertEquals("delta", slugOf("delta-id"));
    Run listed = tokens("list", "--tenant", "delta-id");
    assertTrue(listed.outLines().get(0).contains("SLUG"), listed.out());
    assertTrue(listed.outLines().get(1).contains(" delta "), listed.out());
  }

  @Test
  void slugRenamesATenantsSlugAndRefusesAnotherTenantsSlug() {
    assertEquals(0, tokens("create", "--tenant", "eps-id", "--role", "admin").exit());
    Run set = tokens("slug", "eps-id", "eps");
    assertEquals(0, set.exit(), set.err());
    assertEquals("tenant=eps-id slug=eps", set.out().trim());
    assertEquals(0, tokens("slug", "eps-id", "eps-2").exit());
    assertEquals("eps-2", slugOf("eps-id"));
    assertTrue(tokens("list", "--tenant", "eps-id").out().contains(" eps-2 "));

    Run taken = tokens("slug", "zeta-id", "eps-2");
    assertEquals(1, taken.exit());
    assertEquals("dispatch tokens: slug 'eps-2' already names another tenant", taken.err().trim());
    Run takenByCreate =
        tokens("create", "--tenant", "zeta-id", "--role", "worker", "--slug", "eps-2");
    assertEquals(1, takenByCreate.exit());
    assertEquals(
        0L,
        db.scalar("SELECT count(*) FROM access_tokens WHERE tenant_id = 'zeta-id'"),
        "no token when the slug is refused");
  }

  @Test
  void badArgumentsExitTwoWithOneLine() {
    List<List<String>> bad =
        List.of(
            List.of(),
            List.of("rotate"),
            List.of("create", "--role", "worker"),
            List.of("create", "--tenant", "acme"),
            List.of("create", "--tenant", "acme", "--role", "root"),
            List.of("create", "--tenant", "acme", "--role", "worker", "--name", "a\nb"),
            List.of("create", "--tenant", "x".repeat(256), "--role", "worker"),
            List.of("create", "--tenant"),
            List.of("create", "--tenant", "acme", "--role", "worker", "--colour", "red"),
            List.of("revoke"),
            List.of("revoke", "a", "b"),
            List.of("revoke", "short"),
            List.of("list", "extra"),
            List.of("create", "--tenant", "acme", "--role", "worker", "--slug", "Acme"),
            List.of("create", "--tenant", "acme", "--role", "worker", "--slug", "-acme"),
            List.of("slug", "acme"),
            List.of("slug", "acme", "a".repeat(64)),
            List.of("slug", "acme", "ac me"));
    assertEquals(0, tokens("list").exit(), "migrated");
    long before = db.scalar("SELECT count(*) FROM access_tokens");
    for (List<String> args : bad) {
      Run run = tokens(args.toArray(String[]::new));
      assertEquals(2, run.exit(), args + ": " + run.err());
      assertEquals(1, run.err().lines().count(), args + ": " + run.err());
      assertTrue(run.err().startsWith("dispatch tokens: "), run.err());
      assertEquals("", run.out(), args.toString());
    }
    assertEquals(before, db.scalar("SELECT count(*) FROM access_tokens"), "nothing created");
    assertEquals(
        0L, db.scalar("SELECT count(*) FROM tenant_slugs WHERE tenant_id = 'acme'"), "no slug");
  }

  @Test
  void anUnreachableDatabaseExitsOne() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        TokensCommand.run(
            new String[] {"list", "--db-url=jdbc:postgresql://127.0.0.1:1/nothing"},
            Map.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(1, exit);
    assertEquals(1, err.toString(StandardCharsets.UTF_8).lines().count(), err.toString());
  }

  private static Object slugOf(String tenant) {
    return db.rows("SELECT slug FROM tenant_slugs WHERE tenant_id = ?", tenant).get(0).get("slug");
  }

  private static Run tokens(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        TokensCommand.run(
            args,
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
