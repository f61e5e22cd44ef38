package ai.flovyn.dispatch.maintenance;

import ai.flovyn.dispatch.auth.ActiveTokens;
import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * Reloads the token snapshot of {@link ActiveTokens} whole. It has no due instant: its service
 * sleeps one reload interval, the backstop against lost notifications, unless a token change
 * announced on LISTEN/NOTIFY wakes it sooner.
 */
public final class TokenReloadChore implements Chore {
  private final ActiveTokens tokens;

  public TokenReloadChore(ActiveTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public String name() {
    return "token_reload";
  }

  /** The whole table, whatever {@code limit}; emits how many tokens the snapshot holds. */
  @Override
  public Mono<Integer> run(Instant now, int limit) {
    return tokens.reload();
  }

  @Override
  public Mono<Instant> nextDue(Instant now) {
    return Mono.empty();
  }
}
