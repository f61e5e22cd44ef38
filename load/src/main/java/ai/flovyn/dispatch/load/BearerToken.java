package ai.flovyn.dispatch.load;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.Map;
import java.util.Optional;

/**
 * The bearer token the load tools send, so that they can drive a server that requires
 * authentication: {@code authorization: Bearer <token>} on every call, the header the server
 * checks. It comes from {@code --token}, else from {@value #VARIABLE} (the variable the server's
 * command line reads too); it is never printed or written into a report.
 */
public final class BearerToken implements ClientInterceptor {
  /** The environment variable a tool reads its token from when {@code --token} is not given. */
  public static final String VARIABLE = "DISPATCH_TOKEN";

  /** The gRPC metadata key of the token. */
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String header;

  private BearerToken(String token) {
    this.header = "Bearer " + token;
  }

  /**
   * An interceptor adding {@code token} to every call.
   *
   * @param token the token text, without the {@code Bearer } scheme
   * @return the interceptor
   * @throws IllegalArgumentException when the token is blank or holds a character a header cannot
   */
  public static BearerToken of(String token) {
    if (token == null || token.isBlank() || !token.chars().allMatch(c -> c > ' ' && c < 127)) {
      throw new IllegalArgumentException(
          "the token must be printable ASCII without spaces (as the server issues them)");
    }
    return new BearerToken(token);
  }

  /**
   * The token a tool runs with: the flag's value when given, else {@value #VARIABLE}'s when set and
   * not empty.
   *
   * @param flag the value of {@code --token}, or null when it was not given
   * @param environment the process environment
   * @return the token, or empty to send none
   * @throws IllegalArgumentException when the chosen value is not a usable token
   */
  public static Optional<BearerToken> chosen(String flag, Map<String, String> environment) {
    String text = flag != null ? flag : environment.getOrDefault(VARIABLE, "");
    if (flag == null && text.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(of(text));
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        headers.put(AUTHORIZATION, header);
        super.start(listener, headers);
      }
    };
  }

  /** Never the token. */
  @Override
  public String toString() {
    return "BearerToken[hidden]";
  }
}
