/**
 * Internal, not API: the command line of the server jar's operator verbs ({@code workflows}, {@code
 * tasks}, {@code workers}, {@code queues}), an edge like {@code grpc} and {@code http} that calls
 * the server's HTTP API ({@code docs/http-api.md}) and prints tables or its JSON.
 */
package ai.flovyn.dispatch.cli;
