package ai.flovyn.dispatch.server;

import ai.flovyn.dispatch.domain.AccessToken;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.migrations.Migrations;
import ai.flovyn.dispatch.pipeline.Tokens;
import java.io.PrintStream;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code tokens} command line: creates, lists and revokes bearer tokens directly in the
 * database the server uses (same DISPATCH_DB_* settings and flags), applying the migrations first
 * like a server start does. With the embedded database it starts that database itself, so the
 * server must be stopped meanwhile. Exit codes: 0 done, 1 the operation failed (no such token,
 * database unreachable), 2 bad arguments.
 */
final class TokensCommand {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  static final String USAGE_TEXT =
      """
      usage: java -jar dispatch-reactive-server.jar tokens create --tenant TENANT --role worker|admin [--name NAME]
             java -jar dispatch-reactive-server.jar tokens list [--tenant TENANT]
             java -jar dispatch-reactive-server.jar tokens revoke ID
        database flags and DISPATCH_DB_* variables as for the server (see --help)
      """;

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private final PrintStream out;
  private final PrintStream err;

  private TokensCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs {@code tokens <args>}; returns the exit code. */
  static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    return new TokensCommand(out, err).run(args, environment);
  }

  /** The arguments of one subcommand, split into its own options and the server's flags. */
  private record Parsed(
      String tenant, String role, String name, List<String> positional, List<String> dbFlags) {}

  private int run(String[] args, Map<String, String> environment) {
    if (args.length == 0) {
      return usage("missing command: create, list or revoke");
    }
    if ("--help".equals(args[0]) || "-h".equals(args[0])) {
      out.print(USAGE_TEXT);
      return OK;
    }
    String command = args[0];
    Parsed parsed;
    ServerConfig config;
    try {
      parsed = parse(List.of(args).subList(1, args.length));
      config = ServerConfig.from(environment, parsed.dbFlags().toArray(String[]::new));
    } catch (ConfigException e) {
      return usage(e.getMessage());
    }
    return switch (command) {
      case "create" -> create(parsed, config);
      case "list" -> list(parsed, config);
      case "revoke" -> revoke(parsed, config);
      default -> usage("unknown command '" + command + "' (create, list or revoke)");
    };
  }

  private int create(Parsed parsed, ServerConfig config) {
    if (!parsed.positional().isEmpty()) {
      return usage("create takes no argument '" + parsed.positional().get(0) + "'");
    }
    if (parsed.tenant() == null || parsed.tenant().isBlank()) {
      return usage("create needs --tenant TENANT");
    }
    if (parsed.role() == null) {
      return usage("create needs --role worker or --role admin");
    }
    Optional<TokenRole> role = TokenRole.parse(parsed.role());
    if (role.isEmpty()) {
      return usage("--role must be worker or admin, got '" + parsed.role() + "'");
    }
    return withTokens(
        config,
        tokens -> {
          IssuedToken issued =
              tokens.create(parsed.tenant(), role.get(), parsed.name()).block(TIMEOUT);
          out.println(issued.text());
          out.println(describe(issued.token()));
          err.println(
              "this token is shown only once: store it now (the database keeps only a hash)");
          return OK;
        });
  }

  private int list(Parsed parsed, ServerConfig config) {
    if (!parsed.positional().isEmpty()) {
      return usage("list takes no argument '" + parsed.positional().get(0) + "'");
    }
    if (parsed.role() != null || parsed.name() != null) {
      return usage("list takes only --tenant");
    }
    return withTokens(
        config,
        tokens -> {
          List<AccessToken> all = tokens.list(parsed.tenant()).collectList().block(TIMEOUT);
          out.printf(
              "%-12s  %-20s  %-6s  %-7s  %-20s  %s%n",
              "ID", "TENANT", "ROLE", "STATUS", "CREATED", "NAME");
          for (AccessToken token : all) {
            out.printf(
                "%-12s  %-20s  %-6s  %-7s  %-20s  %s%n",
                token.lookupId(),
                token.tenantId(),
                token.role().wireName(),
                token.active() ? "active" : "revoked",
                TIME.format(token.createdAt()),
                token.name());
          }
          return OK;
        });
  }

  private int revoke(Parsed parsed, ServerConfig config) {
    if (parsed.positional().size() != 1) {
      return usage("revoke needs exactly one token id (see 'tokens list')");
    }
    if (parsed.tenant() != null || parsed.role() != null || parsed.name() != null) {
      return usage("revoke takes only the token id");
    }
    if (!Tokens.isTokenId(parsed.positional().get(0))) {
      return usage(
          "'"
              + parsed.positional().get(0)
              + "' is not a token id (12 letters and digits, see: tokens list)");
    }
    return withTokens(
        config,
        tokens -> {
          AccessToken revoked = tokens.revoke(parsed.positional().get(0)).block(TIMEOUT);
          out.println("revoked " + describe(revoked));
          return OK;
        });
  }

  private interface Work {
    int run(Tokens tokens);
  }

  private int withTokens(ServerConfig config, Work work) {
    EmbeddedDatabase embedded = null;
    try {
      String jdbcUrl;
      String user;
      String password;
      if (config.dbUrl().isPresent()) {
        jdbcUrl = config.dbUrl().get();
        JdbcUrl.parse(jdbcUrl);
        user = config.dbUser();
        password = config.dbPassword();
      } else {
        embedded = EmbeddedDatabase.start(config.dataDir());
        jdbcUrl = embedded.jdbcUrl();
        user = EmbeddedDatabase.USER;
        password = "";
      }
      Migrations.apply(jdbcUrl, user, password);
      return work.run(
          Tokens.over(
              ConnectionPools.connectionFactory(
                  jdbcUrl, user, password, config.dbTimeouts().pooled())));
    } catch (DispatchException e) {
      return e.kind() == ErrorKind.INVALID_ARGUMENT
          ? usage(e.getMessage())
          : failed(e.getMessage());
    } catch (ConfigException e) {
      return usage(e.getMessage());
    } catch (StartupException | Migrations.MigrationException e) {
      return failed(DispatchServer.oneLine(e.getMessage()));
    } catch (RuntimeException e) {
      return failed("database error: " + DispatchServer.oneLine(e.getMessage()));
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  private static String describe(AccessToken token) {
    return "id="
        + token.lookupId()
        + " tenant="
        + token.tenantId()
        + " role="
        + token.role().wireName()
        + " name="
        + token.name();
  }

  private static Parsed parse(List<String> args) {
    String tenant = null;
    String role = null;
    String name = null;
    List<String> positional = new ArrayList<>();
    List<String> dbFlags = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      int eq = arg.indexOf('=');
      String flag = eq < 0 ? arg : arg.substring(0, eq);
      boolean own = flag.equals("--tenant") || flag.equals("--role") || flag.equals("--name");
      if (!flag.startsWith("--")) {
        positional.add(arg);
        continue;
      }
      String value;
      if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new ConfigException("flag " + flag + " needs a value");
      }
      if (!own) {
        dbFlags.add(flag + "=" + value);
      } else if (flag.equals("--tenant")) {
        tenant = value;
      } else if (flag.equals("--role")) {
        role = value;
      } else {
        name = value;
      }
    }
    return new Parsed(tenant, role, name, positional, dbFlags);
  }

  private int usage(String message) {
    err.println("dispatch tokens: " + message + " (see: tokens --help)");
    return USAGE;
  }

  private int failed(String message) {
    err.println("dispatch tokens: " + message);
    return FAILED;
  }
}
