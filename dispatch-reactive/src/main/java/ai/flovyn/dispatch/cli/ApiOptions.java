package ai.flovyn.dispatch.cli;

import picocli.CommandLine.Option;

/** The options every API verb takes: where the server is, who calls, which organization. */
final class ApiOptions {
  static final String DEFAULT_SERVER = "http://127.0.0.1:8000";

  @Option(
      names = "--server",
      paramLabel = "URL",
      description = "the server's HTTP address [DISPATCH_SERVER, default: " + DEFAULT_SERVER + "]")
  String server;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "a bearer token (fdt_...) [DISPATCH_TOKEN]")
  String token;

  @Option(
      names = "--org",
      paramLabel = "ORG",
      description =
          "the organization: its slug or tenant id [DISPATCH_ORG; default: the token's, from"
              + " /api/whoami; required when the server has authentication off]")
  String org;

  @Option(names = "--json", description = "print the API's JSON as it answered, not a table")
  boolean json;

  /** The server address: the option, else DISPATCH_SERVER, else the local default. */
  String server(CliContext context) {
    return first(server, context.environment().get("DISPATCH_SERVER"), DEFAULT_SERVER);
  }

  /** The token: the option, else DISPATCH_TOKEN, else none (null). */
  String token(CliContext context) {
    return first(token, context.environment().get("DISPATCH_TOKEN"), null);
  }

  /** The organization: the option, else DISPATCH_ORG, else none (null). */
  String org(CliContext context) {
    return first(org, context.environment().get("DISPATCH_ORG"), null);
  }

  private static String first(String option, String environment, String fallback) {
    if (option != null && !option.isBlank()) {
      return option.trim();
    }
    if (environment != null && !environment.isBlank()) {
      return environment.trim();
    }
    return fallback;
  }
}
