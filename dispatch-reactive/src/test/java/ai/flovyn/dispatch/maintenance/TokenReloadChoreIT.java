package ai.flovyn.dispatch.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The token snapshot reloads when a change is announced, without waiting for its interval, and a
 * run reloads what changed unannounced.
 */
class TokenReloadChoreIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestDatabase db;

  @BeforeAll
  static void database() {
    db = TestDatabase.create();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @Test
  void anAnnouncedTokenIsLoadedAtOnceAndASilentRevocationByTheNextRun() throws Exception {
    // an interval of an hour: only the announcement can bring the new token within the test
    try (ActiveTokens tokens =
        ActiveTokens.start(
                db.connectionFactory(), db.connectionFactoryUnpooled(), Duration.ofHours(1))
            .block(WAIT)) {
      CompletableFuture<MaintenanceService.Run> loaded =
          tokens.reloads().filter(run -> run.items() == 1).next().toFuture();
      IssuedToken token =
          Tokens.over(db.connectionFactory()).create("acme", TokenRole.WORKER, "ci").block(WAIT);

      assertEquals("token_reload", loaded.get(WAIT.toSeconds(), TimeUnit.SECONDS).chore());
      assertTrue(tokens.authenticate(token.text()).accepted());

      // as if the notification were lost: the row changes, nobody is told
      db.execute(
          "UPDATE access_tokens SET revoked_at = now() WHERE lookup_id = ?",
          token.token().lookupId());
      assertEquals(1, new TokenReloadChore(tokens).run(Instant.now(), 1).block(WAIT));
      assertEquals(
          ActiveTokens.Denial.REVOKED, tokens.authenticate(token.text()).denial(), "revoked");
    }
  }
}
