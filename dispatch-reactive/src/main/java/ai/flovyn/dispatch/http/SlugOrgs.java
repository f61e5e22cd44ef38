package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.auth.ActiveTokens;
import java.util.Objects;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * Organizations named by the tenants' slugs as the token snapshot holds them ({@code tokens create
 * --slug}): the snapshot reloads on every token or slug change, so resolving a path costs no
 * database round trip. A slug no tenant has is taken as the tenant id itself.
 */
public final class SlugOrgs implements Orgs {
  private final ActiveTokens snapshot;

  private SlugOrgs(ActiveTokens snapshot) {
    this.snapshot = snapshot;
  }

  /**
   * Organizations named by the slugs of {@code snapshot}.
   *
   * @param snapshot the server's token snapshot, running whether or not authentication is on
   * @return the lookup to pass as {@link HttpPort.Settings#orgs()}
   */
  public static SlugOrgs over(ActiveTokens snapshot) {
    return new SlugOrgs(Objects.requireNonNull(snapshot, "snapshot"));
  }

  /**
   * The tenant {@code org} names.
   *
   * @param org a path's {@code {org}} segment
   * @return a Mono emitting the tenant whose slug it is, else {@code org} itself
   */
  @Override
  public Mono<String> tenantOf(String org) {
    return Mono.just(snapshot.tenantOfSlug(org).orElse(org));
  }

  /**
   * The slug of a tenant.
   *
   * @param tenantId a tenant id
   * @return a Mono emitting its slug, or an empty Optional when it has none
   */
  @Override
  public Mono<Optional<String>> slugOf(String tenantId) {
    return Mono.just(snapshot.slugOf(tenantId));
  }
}
