package ai.flovyn.dispatch.cli;

import java.io.PrintStream;
import java.util.Map;

/**
 * What every verb runs with: the environment its defaults come from and where it prints.
 *
 * @param environment the process environment (DISPATCH_SERVER, DISPATCH_TOKEN, DISPATCH_ORG)
 * @param out where results go
 * @param err where errors and notes go
 */
record CliContext(Map<String, String> environment, PrintStream out, PrintStream err) {}
