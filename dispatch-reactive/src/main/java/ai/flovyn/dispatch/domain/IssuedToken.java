package ai.flovyn.dispatch.domain;

/**
 * A token just created: its stored description and the token text, which exists only here (the
 * database keeps a hash) and must be shown to the operator once.
 */
public record IssuedToken(AccessToken token, String text) {
  @Override
  public String toString() {
    return "IssuedToken[" + token + ", text=<hidden>]";
  }
}
