package ai.flovyn.dispatch.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The environment variables Flovyn's server image reads, honoured as other names of this server's
 * own settings so that a harness written for that image (the Flovyn SDKs' end-to-end tests) starts
 * this server by changing only the image name: {@code DATABASE_URL} (a libpq URL) sets {@code
 * DISPATCH_DB_URL}, {@code DISPATCH_DB_USER} and {@code DISPATCH_DB_PASSWORD}; {@code SERVER_PORT}
 * sets {@code DISPATCH_HTTP_PORT}; {@code GRPC_SERVER_PORT} sets {@code DISPATCH_GRPC_PORT}; {@code
 * CONFIG_FILE} sets {@code DISPATCH_FLOVYN_CONFIG}.
 *
 * <p>Precedence: a command-line flag wins over both names; between the two environment variables
 * neither wins. Set to the same value they agree; set to different values the server does not start
 * and says which pair disagrees, since either choice would silently run against a database or on a
 * port the operator did not mean. An empty value counts as unset.
 */
final class FlovynEnvironment {
  /** A Flovyn variable that is another name of one of this server's settings. */
  record Alias(String flovyn, String dispatch) {}

  static final List<Alias> ALIASES =
      List.of(
          new Alias("SERVER_PORT", "DISPATCH_HTTP_PORT"),
          new Alias("GRPC_SERVER_PORT", "DISPATCH_GRPC_PORT"),
          new Alias("CONFIG_FILE", ServerConfig.FLOVYN_CONFIG));

  private static final String DB_URL = "DISPATCH_DB_URL";
  private static final String DB_USER = "DISPATCH_DB_USER";
  private static final String DB_PASSWORD = "DISPATCH_DB_PASSWORD";
  private static final UnaryOperator<String> SHOWN = value -> " (" + value + ")";
  // a JDBC URL's query may hold a password
  private static final UnaryOperator<String> REDACTED = value -> " (" + JdbcUrl.redact(value) + ")";
  // a password is never shown, not even in an error
  private static final UnaryOperator<String> HIDDEN = value -> "";

  private FlovynEnvironment() {}

  /**
   * Every Flovyn variable this server reads.
   *
   * @return the names, {@code DATABASE_URL} first
   */
  static List<String> variables() {
    return Stream.concat(Stream.of(LibpqUrl.VARIABLE), ALIASES.stream().map(Alias::flovyn))
        .toList();
  }

  /**
   * The environment with each Flovyn variable's value under the name of the setting it stands for.
   *
   * @param environment the process environment
   * @return a new map: {@code environment} plus the settings the Flovyn variables give
   * @throws ConfigException when a Flovyn variable's value is malformed or disagrees with the
   *     setting's own variable
   */
  static Map<String, String> resolve(Map<String, String> environment) {
    Map<String, String> resolved = new LinkedHashMap<>(environment);
    for (Alias alias : ALIASES) {
      Optional<String> value = given(environment, alias.flovyn());
      if (value.isPresent()) {
        String setting = alias.flovyn().endsWith("_PORT") ? port(alias, value.get()) : value.get();
        agree(environment, alias.dispatch(), setting, alias.flovyn(), SHOWN);
        resolved.put(alias.dispatch(), setting);
      }
    }
    Optional<String> databaseUrl = given(environment, LibpqUrl.VARIABLE);
    if (databaseUrl.isPresent()) {
      LibpqUrl url = LibpqUrl.parse(databaseUrl.get());
      agree(environment, DB_URL, url.jdbcUrl(), LibpqUrl.VARIABLE, REDACTED);
      resolved.put(DB_URL, url.jdbcUrl());
      if (url.user().isPresent()) {
        agree(environment, DB_USER, url.user().get(), LibpqUrl.VARIABLE + "'s user", SHOWN);
        resolved.put(DB_USER, url.user().get());
      }
      if (url.password().isPresent()) {
        agree(
            environment,
            DB_PASSWORD,
            url.password().get(),
            LibpqUrl.VARIABLE + "'s password",
            HIDDEN);
        resolved.put(DB_PASSWORD, url.password().get());
      }
    }
    return resolved;
  }

  private static Optional<String> given(Map<String, String> environment, String name) {
    return Optional.ofNullable(environment.get(name))
        .map(String::trim)
        .filter(value -> !value.isEmpty());
  }

  private static void agree(
      Map<String, String> environment,
      String setting,
      String value,
      String source,
      UnaryOperator<String> shown) {
    Optional<String> own = given(environment, setting);
    if (own.isEmpty() || own.get().equals(value)) {
      return;
    }
    throw disagree(source + shown.apply(value), setting + shown.apply(own.get()));
  }

  /** The one refusal of two names of one setting set to different values. */
  static ConfigException disagree(String one, String other) {
    return new ConfigException(
        one + " and " + other + " disagree: they are two names of one setting, set one of them");
  }

  private static String port(Alias alias, String raw) {
    try {
      int port = Integer.parseInt(raw);
      if (port >= 0 && port <= 65535) {
        return Integer.toString(port);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(
        alias.flovyn() + " must be a port number from 0 to 65535, got '" + raw + "'");
  }
}
