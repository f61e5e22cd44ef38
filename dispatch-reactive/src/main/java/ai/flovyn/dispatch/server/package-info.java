/**
 * Internal, not API: the standalone server (configuration, main, embedded database, metrics
 * endpoint), left out of the javadoc jar and needing the server's optional dependencies.
 */
package ai.flovyn.dispatch.server;
