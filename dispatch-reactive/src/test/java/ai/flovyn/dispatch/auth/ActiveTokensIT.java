package ai.flovyn.dispatch.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.TcpProxy;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The token snapshot of one instance: what it accepts, and that it fails closed when stale. */
class ActiveTokensIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aSnapshotThatCannotBeReloadedRejectsEveryTokenUntilItCanAgain() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      URI uri = URI.create(db.jdbcUrl().substring("jdbc:".length()));
      try (TcpProxy proxy =
          TcpProxy.start(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort())) {
        PostgresqlConnectionFactory viaProxy = throughProxy(db, uri, proxy);
        IssuedToken token =
            Tokens.over(db.connectionFactory())
                .create("acme", TokenRole.WORKER, "stale")
                .block(WAIT);
        try (ActiveTokens tokens =
            ActiveTokens.start(viaProxy, viaProxy, Duration.ofSeconds(1)).block(WAIT)) {
          ActiveTokens.Outcome accepted = tokens.authenticate(token.text());
          assertTrue(accepted.accepted());
          assertEquals("acme", accepted.caller().tenantId());
          assertEquals(TokenRole.WORKER, accepted.caller().role());
          assertEquals(1, tokens.activeCount());

          // the database out of reach: a revocation now could not be seen, so nothing passes
          proxy.cut();
          Await.until(
              () ->
                  tokens.authenticate(token.text()).denial() == ActiveTokens.Denial.SNAPSHOT_STALE,
              "the stale snapshot to refuse the token");

          proxy.restore();
          Await.until(() -> tokens.authenticate(token.text()).accepted(), "accepted again");
        }
      }
    }
  }

  @Test
  void deniesMissingMalformedUnknownAndWrongSecretTokensWithTheirReason() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      IssuedToken token =
          Tokens.over(db.connectionFactory()).create("acme", TokenRole.ADMIN, "x").block(WAIT);
      try (ActiveTokens tokens =
          ActiveTokens.start(db.connectionFactory(), db.connectionFactoryUnpooled(), WAIT)
              .block(WAIT)) {
        assertEquals(ActiveTokens.Denial.MISSING, tokens.authenticate(null).denial());
        assertEquals(ActiveTokens.Denial.MALFORMED, tokens.authenticate("abc").denial());
        String unknown = TokenText.newText(TokenText.newLookupId());
        assertEquals(ActiveTokens.Denial.UNKNOWN, tokens.authenticate(unknown).denial());
        String lookupId = token.token().lookupId();
        String wrong = TokenText.newText(lookupId);
        ActiveTokens.Outcome wrongSecret = tokens.authenticate(wrong);
        assertEquals(ActiveTokens.Denial.WRONG_SECRET, wrongSecret.denial());
        assertEquals(lookupId, wrongSecret.lookupId());
        assertFalse(wrongSecret.accepted());
        assertEquals(TokenRole.ADMIN, tokens.authenticate(token.text()).caller().role());
      }
    }
  }

  private static PostgresqlConnectionFactory throughProxy(
      TestDatabase db, URI uri, TcpProxy proxy) {
    PostgresqlConnectionConfiguration.Builder builder =
        PostgresqlConnectionConfiguration.builder()
            .host("127.0.0.1")
            .port(proxy.port())
            .database(uri.getPath().substring(1))
            .username(db.user())
            .connectTimeout(Duration.ofSeconds(2));
    if (!db.password().isEmpty()) {
      builder.password(db.password());
    }
    return new PostgresqlConnectionFactory(builder.build());
  }
}
