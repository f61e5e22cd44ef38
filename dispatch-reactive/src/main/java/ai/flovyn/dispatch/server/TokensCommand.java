package ai.flovyn.dispatch.server;

import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.cli.CliErrors;
import ai.flovyn.dispatch.domain.AccessToken;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.migrations.Migrations;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The {@code tokens} command line: creates, lists and revokes bearer tokens and sets the tenants'
 * organization slugs directly in the database the server uses (same DISPATCH_DB_* settings and
 * flags), applying the migrations first like a server start does. With the embedded database it
 * starts that database itself, so the server must be stopped meanwhile. Exit codes: 0 done, 1 the
 * operation failed (no such token, database unreachable), 2 bad arguments.
 */
@Command(
    name = "tokens",
    mixinStandardHelpOptions = true,
    description = {
      "Creates, lists and revokes the bearer tokens of the gRPC and HTTP APIs, and sets the"
          + " organization slug that names a tenant in the HTTP API's paths (/api/orgs/{slug}/...).",
      "Works on the database directly: database flags and DISPATCH_DB_* variables as for the"
          + " server."
    },
    footer = {
      "",
      "Exit codes: 0 done, 1 the operation failed, 2 bad arguments.",
      "",
      "Examples:",
      "  tokens create --tenant 2f1c... --role worker --name billing --slug acme",
      "  tokens slug 2f1c... acme-eu     (a tenant's slug: one per tenant, set again to rename)",
      "  tokens list [--tenant TENANT]",
      "  tokens revoke Ab12Cd34Ef56"
    })
final class TokensCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private final Map<String, String> environment;
  private final PrintStream out;
  private final PrintStream err;
  // the server flags of the one subcommand a run executes, by variable name
  private final Map<String, String> flags = new LinkedHashMap<>();

  @Spec private CommandSpec spec;

  private TokensCommand(Map<String, String> environment, PrintStream out, PrintStream err) {
    this.environment = environment;
    this.out = out;
    this.err = err;
  }

  /** Runs {@code tokens <args>}; returns the exit code. */
  static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    CommandLine line = commandLine(environment, out, err);
    line.setParameterExceptionHandler(
        (error, ignored) -> {
          err.println(usageLine(error));
          return USAGE;
        });
    return line.execute(args);
  }

  /**
   * The command as picocli runs it, database flags included, for the server jar's root command to
   * add; usage errors are reported by {@link #usageLine}.
   */
  static CommandLine commandLine(
      Map<String, String> environment, PrintStream out, PrintStream err) {
    TokensCommand command = new TokensCommand(environment, out, err);
    CommandLine line = SettingOptions.configure(new CommandLine(command));
    line.getSubcommands()
        .values()
        .forEach(
            sub -> {
              SettingOptions.addTo(
                  sub.getCommandSpec(),
                  command.flags,
                  env -> env.startsWith("DISPATCH_DB_") || env.equals("DISPATCH_DATA_DIR"));
              sub.getCommandSpec().usageMessage().abbreviateSynopsis(true);
            });
    line.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    line.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    line.setExecutionExceptionHandler(
        (error, failedLine, parsed) -> command.failed(DispatchServer.oneLine(error.toString())));
    return line;
  }

  /** The one line of a usage error of {@code tokens}. */
  static String usageLine(CommandLine.ParameterException error) {
    return "dispatch tokens: " + CliErrors.describe(error, "") + " (see: tokens --help)";
  }

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing command: " + CliErrors.choices(spec.commandLine()));
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Creates an active token for a tenant and prints it once (the database keeps only its"
              + " hash); --slug also sets the tenant's organization slug.")
  int create(
      @Option(names = "--tenant", paramLabel = "TENANT", description = "the tenant's id")
          String tenant,
      @Option(names = "--role", paramLabel = "worker|admin", description = "what it may do")
          String roleName,
      @Option(names = "--name", paramLabel = "NAME", description = "a label for lists and logs")
          String name,
      @Option(
              names = "--slug",
              paramLabel = "SLUG",
              description =
                  "the tenant's organization slug ([a-z0-9][a-z0-9-]{0,62}), replacing its former"
                      + " one")
          String slug) {
    if (tenant == null || tenant.isBlank()) {
      return usage("create needs --tenant TENANT");
    }
    if (roleName == null) {
      return usage("create needs --role worker or --role admin");
    }
    Optional<TokenRole> role = TokenRole.parse(roleName);
    if (role.isEmpty()) {
      return usage("--role must be worker or admin, got '" + roleName + "'");
    }
    if (slug != null && !Tokens.isSlug(slug)) {
      return usage(
          "--slug must be 1-63 lower-case letters, digits or '-', starting with a letter or digit,"
              + " got '"
              + slug
              + "'");
    }
    return withTokens(
        tokens -> {
          // the slug first: a slug another tenant has fails before a token exists
          if (slug != null) {
            tokens.setSlug(tenant, slug).block(TIMEOUT);
          }
          IssuedToken issued = tokens.create(tenant, role.get(), name).block(TIMEOUT);
          out.println(issued.text());
          out.println(describe(issued.token()) + (slug == null ? "" : " slug=" + slug));
          err.println(
              "this token is shown only once: store it now (the database keeps only a hash)");
          return OK;
        });
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Lists the tokens, active and revoked, with their tenant's slug; never secrets or"
              + " hashes.")
  int list(
      @Option(names = "--tenant", paramLabel = "TENANT", description = "only this tenant's")
          String tenant) {
    return withTokens(
        tokens -> {
          List<AccessToken> all = tokens.list(tenant).collectList().block(TIMEOUT);
          Map<String, String> slugs = tokens.slugs().block(TIMEOUT);
          String row = "%-12s  %-20s  %-20s  %-6s  %-7s  %-20s  %s%n";
          out.printf(row, "ID", "TENANT", "SLUG", "ROLE", "STATUS", "CREATED", "NAME");
          for (AccessToken token : all) {
            out.printf(
                row,
                token.lookupId(),
                token.tenantId(),
                slugs.getOrDefault(token.tenantId(), "-"),
                token.role().wireName(),
                token.active() ? "active" : "revoked",
                TIME.format(token.createdAt()),
                token.name());
          }
          return OK;
        });
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes a token.")
  int revoke(
      @Parameters(arity = "0..*", paramLabel = "ID", description = "the token's id")
          List<String> ids) {
    if (ids == null || ids.size() != 1) {
      return usage("revoke needs exactly one token id (see 'tokens list')");
    }
    String id = ids.get(0);
    if (!Tokens.isTokenId(id)) {
      return usage("'" + id + "' is not a token id (12 letters and digits, see: tokens list)");
    }
    return withTokens(
        tokens -> {
          AccessToken revoked = tokens.revoke(id).block(TIMEOUT);
          out.println("revoked " + describe(revoked));
          return OK;
        });
  }

  @Command(
      name = "slug",
      mixinStandardHelpOptions = true,
      description =
          "Sets a tenant's organization slug, which names it in the HTTP API's paths"
              + " (/api/orgs/{slug}/...) besides its id; one per tenant, setting it again renames.")
  int slug(
      @Parameters(
              arity = "0..*",
              paramLabel = "TENANT SLUG",
              description = "the tenant and its slug")
          List<String> args) {
    if (args == null || args.size() != 2) {
      return usage("slug needs a tenant and a slug: tokens slug TENANT SLUG");
    }
    String tenant = args.get(0);
    String slug = args.get(1);
    if (!Tokens.isSlug(slug)) {
      return usage(
          "the slug must be 1-63 lower-case letters, digits or '-', starting with a letter or"
              + " digit, got '"
              + slug
              + "'");
    }
    return withTokens(
        tokens -> {
          tokens.setSlug(tenant, slug).block(TIMEOUT);
          out.println("tenant=" + tenant + " slug=" + slug);
          return OK;
        });
  }

  private interface Work {
    int run(Tokens tokens);
  }

  private int withTokens(Work work) {
    EmbeddedDatabase embedded = null;
    try {
      ServerConfig config = ServerConfig.from(environment, flags);
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

  private int usage(String message) {
    err.println("dispatch tokens: " + message + " (see: tokens --help)");
    return USAGE;
  }

  private int failed(String message) {
    err.println("dispatch tokens: " + message);
    return FAILED;
  }
}
