/**
 * Internal, not API: the server's gRPC services (flovyn.v1 over the library), left out of the
 * javadoc jar and needing the server's optional dependencies.
 */
package ai.flovyn.dispatch.grpc;
