package ai.flovyn.dispatch.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A PostgreSQL connection URI in libpq's form, {@code postgres://user:password@host:port/db?
 * sslmode=disable}, as Flovyn's server takes it in {@code DATABASE_URL}; turned into the JDBC URL,
 * user and password the server's own settings hold. Only what one plain TCP connection needs is
 * accepted: one host, an optional port, a database, and {@code sslmode} values that allow a
 * connection without TLS (the server connects to PostgreSQL in plaintext); anything else is refused
 * at startup rather than silently ignored.
 */
record LibpqUrl(
    String host, int port, String database, Optional<String> user, Optional<String> password) {
  static final String VARIABLE = "DATABASE_URL";

  private static final Set<String> PLAINTEXT_SSLMODES = Set.of("disable", "allow", "prefer");

  /**
   * Parses a libpq connection URI.
   *
   * @throws ConfigException naming {@value #VARIABLE} when the text is not one this server can use;
   *     the message never shows the password
   */
  static LibpqUrl parse(String text) {
    String rest = withoutScheme(text.trim());
    int query = rest.indexOf('?');
    String params = query < 0 ? "" : rest.substring(query + 1);
    rest = query < 0 ? rest : rest.substring(0, query);
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String database = slash < 0 ? "" : decode(rest.substring(slash + 1), "the database name");
    int at = authority.lastIndexOf('@');
    String userInfo = at < 0 ? null : authority.substring(0, at);
    String hostPort = authority.substring(at + 1);
    Optional<String> user = Optional.empty();
    Optional<String> password = Optional.empty();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      String rawUser = colon < 0 ? userInfo : userInfo.substring(0, colon);
      user = Optional.of(decode(rawUser, "the user name")).filter(name -> !name.isEmpty());
      if (colon >= 0) {
        password = Optional.of(decode(userInfo.substring(colon + 1), "the password"));
      }
    }
    checkParams(params);
    String host = host(hostPort);
    int port = port(hostPort);
    if (database.isEmpty()) {
      throw invalid("names no database (postgres://user:password@host:port/database)");
    }
    return new LibpqUrl(host, port, database, user, password);
  }

  /** The same database as the JDBC URL of {@code DISPATCH_DB_URL}, without user or password. */
  String jdbcUrl() {
    String shownHost = host.contains(":") ? "[" + host + "]" : host;
    return "jdbc:postgresql://" + shownHost + ":" + port + "/" + database;
  }

  private static String withoutScheme(String text) {
    for (String scheme : new String[] {"postgres://", "postgresql://"}) {
      if (text.regionMatches(true, 0, scheme, 0, scheme.length())) {
        return text.substring(scheme.length());
      }
    }
    int scheme = text.indexOf("://");
    throw new ConfigException(
        VARIABLE
            + " must look like postgres://user:password@host:port/database, got "
            + (scheme < 0
                ? "no scheme"
                : "scheme '" + shownStart(text.substring(0, scheme)) + "'"));
  }

  private static String host(String hostPort) {
    if (hostPort.contains(",")) {
      throw invalid("names several hosts; this server connects to exactly one");
    }
    String host;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw invalid("has an unterminated [IPv6 address]");
      }
      host = hostPort.substring(1, close);
    } else {
      int colon = hostPort.indexOf(':');
      host = colon < 0 ? hostPort : hostPort.substring(0, colon);
    }
    if (host.isEmpty()) {
      throw invalid("has no host (a Unix socket is not supported)");
    }
    return host;
  }

  private static int port(String hostPort) {
    int end = hostPort.startsWith("[") ? hostPort.indexOf(']') + 1 : 0;
    int colon = hostPort.indexOf(':', end);
    if (colon < 0) {
      return 5432;
    }
    String raw = hostPort.substring(colon + 1);
    try {
      int port = Integer.parseInt(raw);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid("has port '" + shownStart(raw) + "'; a port is a number from 1 to 65535");
  }

  private static void checkParams(String params) {
    for (String pair : params.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq), "a parameter name");
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1), "a parameter value");
      if (!key.equals("sslmode")) {
        throw invalid(
            "has the parameter '"
                + shownStart(key)
                + "'; only sslmode is supported (set the user and password before the host)");
      }
      if (!PLAINTEXT_SSLMODES.contains(value.toLowerCase(Locale.ROOT))) {
        throw invalid(
            "asks for sslmode="
                + shownStart(value)
                + ", but this server connects to PostgreSQL without TLS: use disable, allow or"
                + " prefer");
      }
    }
  }

  private static String decode(String raw, String what) {
    try {
      // libpq percent-decodes; a '+' is a plus sign in a URI's authority and path
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid("has a malformed percent-escape in " + what);
    }
  }

  private static ConfigException invalid(String what) {
    return new ConfigException(VARIABLE + " " + what);
  }

  // enough of a wrong part to recognise it; never called on the part that holds the password
  private static String shownStart(String text) {
    return text.length() > 24 ? text.substring(0, 24) + "..." : text;
  }
}
