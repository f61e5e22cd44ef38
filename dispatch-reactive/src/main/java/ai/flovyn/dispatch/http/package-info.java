/**
 * Internal, not API: the server's HTTP port — the operator API under {@code /api/orgs/{org}/…}
 * (JSON over HTTP/1.1 and cleartext HTTP/2), its OpenAPI document, the web console, {@code
 * /metrics}, {@code /_/health} and the live task data stream. Every route calls the library ({@code
 * pipeline}); no rule is implemented here a second time.
 */
package ai.flovyn.dispatch.http;
