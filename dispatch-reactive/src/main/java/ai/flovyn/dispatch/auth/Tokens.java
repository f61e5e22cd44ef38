package ai.flovyn.dispatch.auth;

import ai.flovyn.dispatch.domain.AccessToken;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.store.TokenStore;
import io.r2dbc.spi.ConnectionFactory;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Creates, lists and revokes bearer tokens: the operator's side of authentication (the {@code
 * tokens} command line, and embedders). Each creation and revocation is one audit line on {@value
 * #AUDIT_LOGGER}; the token text never appears in a log.
 */
public final class Tokens {
  /** The logger of every audit line. */
  public static final String AUDIT_LOGGER = "ai.flovyn.dispatch.audit";

  static final int MAX_TENANT_LENGTH = 255;
  static final int MAX_NAME_LENGTH = 200;

  private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  private static final Logger audit = LoggerFactory.getLogger(AUDIT_LOGGER);

  private final TokenStore store;

  private Tokens(TokenStore store) {
    this.store = store;
  }

  /**
   * Token management over the dispatch database behind {@code connections}.
   *
   * @param connections the dispatch database (a pool is fine); the caller closes it
   * @return token management that opens a connection per call and holds none between them
   */
  public static Tokens over(ConnectionFactory connections) {
    return new Tokens(new TokenStore(connections));
  }

  /**
   * Creates an active token for {@code tenantId}; emits it with its text, which is not kept
   * anywhere. Errors with INVALID_ARGUMENT naming the field when the tenant or name is not usable.
   *
   * @param tenantId the tenant the token's calls act in: non-blank, at most 255 characters, no
   *     control characters
   * @param role what the token may do; must not be null
   * @param name a label shown in lists and audit lines, at most 200 characters, no control
   *     characters; null for none
   * @return a Mono emitting the stored token and its text (shown once: only its hash is kept)
   */
  public Mono<IssuedToken> create(String tenantId, TokenRole role, String name) {
    return Mono.fromCallable(() -> validate(tenantId, role, name))
        .flatMap(
            valid -> {
              String lookupId = TokenText.newLookupId();
              String text = TokenText.newText(lookupId);
              return store
                  .insert(
                      UUID.randomUUID(),
                      lookupId,
                      TokenText.hash(text),
                      tenantId,
                      role,
                      name == null ? "" : name)
                  .map(token -> new IssuedToken(token, text));
            })
        .doOnNext(issued -> logCreated(issued.token()));
  }

  /**
   * Whether {@code text} has the form of a token id (the lookup id {@code list} shows).
   *
   * @param text any text, e.g. a command-line argument; null is fine
   * @return true when {@code text} could be a token's lookup id (it may still name no token)
   */
  public static boolean isTokenId(String text) {
    return TokenText.isLookupId(text);
  }

  /**
   * Every token, active and revoked, oldest first per tenant; only {@code tenantId}'s if set.
   *
   * @param tenantId the tenant to list; null for every tenant
   * @return a Flux of the tokens, completing after the last; never the secrets
   */
  public Flux<AccessToken> list(String tenantId) {
    return store.list(tenantId);
  }

  /**
   * Revokes the token with lookup id {@code lookupId}; emits it as revoked. Errors with NOT_FOUND
   * when there is no such token, FAILED_PRECONDITION when it is already revoked.
   *
   * @param lookupId the token's id as {@code list} shows it; INVALID_ARGUMENT when it does not have
   *     that form
   * @return a Mono emitting the token with its revocation time set
   */
  public Mono<AccessToken> revoke(String lookupId) {
    if (!TokenText.isLookupId(lookupId)) {
      return Mono.error(
          DispatchException.invalidArgument(
              "token id must be the "
                  + TokenText.LOOKUP_LENGTH
                  + "-character id shown by 'tokens list'"));
    }
    return store
        .revoke(lookupId)
        .doOnNext(Tokens::logRevoked)
        .switchIfEmpty(Mono.defer(() -> notRevoked(lookupId)));
  }

  private Mono<AccessToken> notRevoked(String lookupId) {
    return store
        .find(lookupId)
        .flatMap(
            existing ->
                Mono.<AccessToken>error(
                    DispatchException.failedPrecondition(
                        "token " + lookupId + " is already revoked")))
        .switchIfEmpty(
            Mono.error(() -> DispatchException.notFound("no token with id " + lookupId)));
  }

  /**
   * Gives tenant {@code tenantId} the organization slug {@code slug}, replacing the one it had, so
   * that the HTTP API's {@code /api/orgs/{slug}/...} names it; every instance sees it within a
   * token reload. Errors with INVALID_ARGUMENT naming the field when the tenant or slug is not
   * usable, FAILED_PRECONDITION when the slug already names another tenant.
   *
   * @param tenantId the tenant, as for {@link #create}
   * @param slug lower-case letters, digits and '-', starting with a letter or digit, at most 63
   *     characters
   * @return a Mono completing once the slug is stored
   */
  public Mono<Void> setSlug(String tenantId, String slug) {
    return Mono.fromCallable(() -> validateSlug(tenantId, slug))
        .flatMap(valid -> store.setSlug(tenantId, slug))
        .doOnNext(saved -> audit.info("event=slug_set tenant={} slug={}", tenantId, slug))
        .then();
  }

  /**
   * Every tenant's organization slug.
   *
   * @return a Mono emitting the slugs by tenant id (tenants without one are absent)
   */
  public Mono<Map<String, String>> slugs() {
    return store.slugs().collectMap(TokenStore.TenantSlug::tenantId, TokenStore.TenantSlug::slug);
  }

  /**
   * Whether {@code text} is a usable organization slug: {@code [a-z0-9][a-z0-9-]{0,62}}.
   *
   * @param text any text; null is not a slug
   * @return true when {@link #setSlug} would take it
   */
  public static boolean isSlug(String text) {
    return text != null && SLUG.matcher(text).matches();
  }

  private static boolean validateSlug(String tenantId, String slug) {
    validate(tenantId, TokenRole.WORKER, null);
    if (!isSlug(slug)) {
      throw DispatchException.invalidArgument(
          "slug must be 1-63 lower-case letters, digits or '-', starting with a letter or digit");
    }
    return true;
  }

  private static boolean validate(String tenantId, TokenRole role, String name) {
    if (tenantId == null || tenantId.isBlank()) {
      throw DispatchException.invalidArgument("tenant must not be empty");
    }
    if (tenantId.length() > MAX_TENANT_LENGTH) {
      throw DispatchException.invalidArgument(
          "tenant must be at most " + MAX_TENANT_LENGTH + " characters");
    }
    if (role == null) {
      throw DispatchException.invalidArgument("role must be worker or admin");
    }
    if (name != null && name.length() > MAX_NAME_LENGTH) {
      throw DispatchException.invalidArgument(
          "name must be at most " + MAX_NAME_LENGTH + " characters");
    }
    // both end up in one-line audit records: a line break would forge another record
    if (hasControl(tenantId)) {
      throw DispatchException.invalidArgument("tenant must not contain control characters");
    }
    if (name != null && hasControl(name)) {
      throw DispatchException.invalidArgument("name must not contain control characters");
    }
    return true;
  }

  private static boolean hasControl(String text) {
    return text.chars().anyMatch(Character::isISOControl);
  }

  private static void logCreated(AccessToken token) {
    audit.info(
        "event=token_created token_id={} tenant={} role={} name=\"{}\"",
        token.lookupId(),
        token.tenantId(),
        token.role().wireName(),
        token.name().replace("\"", "'"));
  }

  private static void logRevoked(AccessToken token) {
    audit.info(
        "event=token_revoked token_id={} tenant={} role={}",
        token.lookupId(),
        token.tenantId(),
        token.role().wireName());
  }
}
