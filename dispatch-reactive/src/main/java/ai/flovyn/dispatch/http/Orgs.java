package ai.flovyn.dispatch.http;

import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * Which tenant an {@code {org}} path segment names. Flovyn's paths carry the organization's slug
 * while gRPC carries its id, so either is accepted: a slug known to the server names its tenant,
 * any other text is taken as the tenant id itself.
 */
@FunctionalInterface
interface Orgs {
  /** Emits the tenant id {@code org} names (never empty). */
  Mono<String> tenantOf(String org);

  /** Emits the slug of tenant {@code tenantId}, empty Optional when it has none. */
  default Mono<Optional<String>> slugOf(String tenantId) {
    return Mono.just(Optional.empty());
  }

  /** Every org segment is a tenant id: for servers without slugs. */
  static Orgs idsOnly() {
    return Mono::just;
  }
}
