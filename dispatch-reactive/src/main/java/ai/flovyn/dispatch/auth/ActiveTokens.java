package ai.flovyn.dispatch.auth;

import ai.flovyn.dispatch.domain.Caller;
import ai.flovyn.dispatch.maintenance.MaintenanceService;
import ai.flovyn.dispatch.maintenance.TokenReloadChore;
import ai.flovyn.dispatch.store.TokenChanges;
import ai.flovyn.dispatch.store.TokenStore;
import ai.flovyn.dispatch.support.DispatchMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * This instance's in-memory copy of the token table and the tenants' organization slugs, so that
 * authenticating a call is a map lookup and a hash, never a database round trip. The copy is
 * reloaded whole on every token change announced by any instance (LISTEN/NOTIFY) and every reload
 * interval as a backstop against lost notifications, so a revoked token is dead everywhere within
 * one interval, and a new token works everywhere within the same bound. A copy that could not be
 * reloaded for three intervals rejects every token rather than keep a revoked one alive. Reloads
 * are a maintenance chore ({@link TokenReloadChore}): a notification wakes its service, which
 * otherwise sleeps one interval after each reload, and after a failed one. Keys and slugs fixed at
 * startup ({@link StaticKeys}, from a Flovyn config file) are checked beside the table's tokens.
 */
public final class ActiveTokens implements AutoCloseable {
  /** The one description of every refusal: it does not say what was wrong. */
  public static final String DENIED_MESSAGE = "missing or invalid bearer token";

  private static final int STALE_AFTER_INTERVALS = 3;
  private static final String SCHEME = "Bearer ";

  /** Why a token was not accepted, as audit lines and metrics name it. */
  public enum Denial {
    /** The call carried no token (no {@code authorization} header, or an empty token). */
    MISSING,
    /** The header or the token text does not have the token's form. */
    MALFORMED,
    /** No token has the text's lookup id. */
    UNKNOWN,
    /** The token was revoked. */
    REVOKED,
    /** The lookup id is known but the secret does not match its hash. */
    WRONG_SECRET,
    /** The in-memory copy could not be reloaded for three intervals, so no token is trusted. */
    SNAPSHOT_STALE;

    /**
     * The reason tag: lower case.
     *
     * @return the constant's name in lower case, e.g. {@code wrong_secret}
     */
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * The outcome of one authentication: a caller, or a denial with the token's lookup id when it had
   * one.
   */
  public record Outcome(Caller caller, Denial denial, String lookupId) {
    /**
     * Whether the token was accepted.
     *
     * @return true when {@code caller} is set (and {@code denial} is null)
     */
    public boolean accepted() {
      return caller != null;
    }
  }

  private record Snapshot(
      Map<String, TokenStore.StoredToken> byLookupId,
      Map<String, String> tenantBySlug,
      Map<String, String> slugByTenant,
      long loadedAtNanos) {}

  private final TokenStore store;
  private final StaticKeys staticKeys;
  private final long staleAfterNanos;
  private final Clock clock;
  private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
  private final MaintenanceService reloads;
  private volatile Disposable changes;

  private ActiveTokens(
      TokenStore store, StaticKeys staticKeys, Duration reloadInterval, Clock clock) {
    this.store = store;
    this.staticKeys = staticKeys;
    this.staleAfterNanos = reloadInterval.multipliedBy(STALE_AFTER_INTERVALS).toNanos();
    this.clock = clock;
    // its runs are counted in a registry of its own: the snapshot reports no metrics
    this.reloads =
        new MaintenanceService(
            new TokenReloadChore(this),
            Integer.MAX_VALUE,
            reloadInterval,
            reloadInterval,
            clock,
            new DispatchMetrics(new SimpleMeterRegistry()));
  }

  /**
   * Loads the tokens of the database behind {@code connections}, then keeps them current: emits
   * once the first load is done, errors when it fails. {@code listenConnections} gives the
   * connection that stays in LISTEN (not one of a pool).
   *
   * @param connections where each reload reads the token table from (a pool is fine)
   * @param listenConnections where the one long-lived LISTEN connection comes from
   * @param reloadInterval the backstop reload period; must be positive, and three of them make the
   *     copy stale
   * @return a Mono emitting the running copy after its first load; errors with the load's error
   *     (and with IllegalArgumentException for a reload interval that is not positive), leaving
   *     nothing running. Close the copy when done.
   */
  public static Mono<ActiveTokens> start(
      ConnectionFactory connections, ConnectionFactory listenConnections, Duration reloadInterval) {
    return start(connections, listenConnections, reloadInterval, StaticKeys.none());
  }

  /**
   * {@link #start(ConnectionFactory, ConnectionFactory, Duration)} with keys and slugs fixed at
   * startup besides the database's: a static key is accepted whatever the age of the copy (it
   * cannot be revoked but by restarting without it), and a static slug wins over a database slug of
   * the same text.
   *
   * @param staticKeys the keys and slugs of the server's config file; {@link StaticKeys#none()} for
   *     none
   * @return as the three-argument {@code start}
   */
  public static Mono<ActiveTokens> start(
      ConnectionFactory connections,
      ConnectionFactory listenConnections,
      Duration reloadInterval,
      StaticKeys staticKeys) {
    if (reloadInterval.isZero() || reloadInterval.isNegative()) {
      return Mono.error(new IllegalArgumentException("reload interval must be positive"));
    }
    ActiveTokens tokens =
        new ActiveTokens(
            new TokenStore(connections), staticKeys, reloadInterval, Clock.systemUTC());
    return tokens
        .reload()
        .doOnSuccess(ignored -> tokens.keepCurrent(listenConnections))
        .thenReturn(tokens);
  }

  /**
   * Checks the values of a request's {@code authorization} header (none when it had none): exactly
   * one, {@code Bearer <token>} with the scheme in any case and one space
   * (docs/sdk-compatibility.md, A1).
   *
   * @param values every value of the header, in order; null or empty when it was absent
   * @return the caller, or the denial (MISSING, MALFORMED for a second value or another scheme, or
   *     what {@link #authenticate(String)} finds)
   */
  public Outcome authenticateHeader(List<String> values) {
    if (values == null || values.isEmpty()) {
      return denied(Denial.MISSING, null);
    }
    String only = values.get(0);
    if (values.size() > 1
        || only == null
        || only.length() < SCHEME.length()
        || !only.substring(0, SCHEME.length()).equalsIgnoreCase(SCHEME)) {
      return denied(Denial.MALFORMED, null);
    }
    return authenticate(only.substring(SCHEME.length()));
  }

  /**
   * Checks a bearer token text (null when the call carried none) against the snapshot.
   *
   * @param text the token text without the scheme; null or empty is MISSING
   * @return the caller the token stands for, or the denial with the lookup id when the text had one
   */
  public Outcome authenticate(String text) {
    if (text == null || text.isEmpty()) {
      return denied(Denial.MISSING, null);
    }
    // hash before any lookup so an unknown id costs the same as a known one
    byte[] hash = TokenText.hash(text);
    Optional<Caller> fixed = staticKeys.find(hash);
    if (fixed.isPresent()) {
      return new Outcome(fixed.get(), null, fixed.get().lookupId());
    }
    String lookupId = TokenText.lookupId(text);
    if (lookupId == null) {
      return denied(Denial.MALFORMED, null);
    }
    Snapshot current = snapshot.get();
    if (System.nanoTime() - current.loadedAtNanos() > staleAfterNanos) {
      return denied(Denial.SNAPSHOT_STALE, lookupId);
    }
    TokenStore.StoredToken stored = current.byLookupId().get(lookupId);
    if (stored == null) {
      return denied(Denial.UNKNOWN, lookupId);
    }
    if (!TokenText.matches(stored.secretHash(), hash)) {
      return denied(Denial.WRONG_SECRET, lookupId);
    }
    if (stored.revoked()) {
      return denied(Denial.REVOKED, lookupId);
    }
    return new Outcome(new Caller(lookupId, stored.tenantId(), stored.role()), null, lookupId);
  }

  /**
   * How many tokens of the current snapshot are active.
   *
   * @return the number of tokens not revoked in the copy last loaded (static keys not included)
   */
  public int activeCount() {
    return (int)
        snapshot.get().byLookupId().values().stream().filter(token -> !token.revoked()).count();
  }

  /**
   * How many keys were fixed at startup.
   *
   * @return the number of static keys this copy accepts besides its tokens
   */
  public int staticKeyCount() {
    return staticKeys.keyCount();
  }

  private static Outcome denied(Denial denial, String lookupId) {
    return new Outcome(null, denial, lookupId);
  }

  /**
   * The tenant an organization slug names, from the snapshot (no database round trip).
   *
   * @param slug the text of an {@code {org}} path segment
   * @return the tenant whose slug it is, or empty when no tenant has that slug
   */
  public Optional<String> tenantOfSlug(String slug) {
    return Optional.ofNullable(snapshot.get().tenantBySlug().get(slug));
  }

  /**
   * The organization slug of a tenant, from the snapshot.
   *
   * @param tenantId a tenant id
   * @return its slug, or empty when it has none
   */
  public Optional<String> slugOf(String tenantId) {
    return Optional.ofNullable(snapshot.get().slugByTenant().get(tenantId));
  }

  /**
   * Loads the token table and the slugs into a new snapshot; emits how many tokens it holds. Its
   * age is measured by {@code System.nanoTime()}: the staleness bound is elapsed time, which a wall
   * clock (moved by NTP or a test) would not measure.
   */
  public Mono<Integer> reload() {
    long started = System.nanoTime();
    return Mono.zip(
            store.snapshot().collectMap(TokenStore.StoredToken::lookupId),
            store.slugs().collectList())
        .map(rows -> snapshotOf(rows.getT1(), rows.getT2(), started))
        .doOnNext(this::install)
        .map(loaded -> loaded.byLookupId().size());
  }

  /** The outcome of every reload from now on: what tests await instead of sleeping. */
  public Flux<MaintenanceService.Run> reloads() {
    return reloads.runs();
  }

  private Snapshot snapshotOf(
      Map<String, TokenStore.StoredToken> tokens, List<TokenStore.TenantSlug> slugs, long started) {
    Map<String, String> tenantBySlug = new HashMap<>();
    Map<String, String> slugByTenant = new HashMap<>();
    for (TokenStore.TenantSlug slug : slugs) {
      tenantBySlug.put(slug.slug(), slug.tenantId());
      slugByTenant.put(slug.tenantId(), slug.slug());
    }
    // the config file's organizations win: they are what its clients were told
    staticKeys
        .tenantBySlug()
        .forEach(
            (slug, tenant) -> {
              tenantBySlug.put(slug, tenant);
              slugByTenant.put(tenant, slug);
            });
    return new Snapshot(
        Map.copyOf(tokens), Map.copyOf(tenantBySlug), Map.copyOf(slugByTenant), started);
  }

  // a slow load that began before a newer one finished must not replace it
  private void install(Snapshot loaded) {
    snapshot.accumulateAndGet(
        loaded,
        (current, next) ->
            current == null || next.loadedAtNanos() - current.loadedAtNanos() >= 0
                ? next
                : current);
  }

  // the first load is done: the service starts with a sleep; every change announced (and every
  // start of the LISTEN connection, which may have missed some) wakes it
  private void keepCurrent(ConnectionFactory listenConnections) {
    reloads.startAfterSleep();
    changes =
        TokenChanges.listen(listenConnections).subscribe(change -> reloads.dueAt(clock.instant()));
  }

  @Override
  public void close() {
    Disposable listening = changes;
    if (listening != null) {
      listening.dispose();
    }
    reloads.close();
  }
}
