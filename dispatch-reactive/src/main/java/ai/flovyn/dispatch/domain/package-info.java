/**
 * The values of the library API: requests and commands (each with a builder or factory naming its
 * defaults), results, and {@link ai.flovyn.dispatch.domain.DispatchException} with its {@link
 * ai.flovyn.dispatch.domain.ErrorKind}. No gRPC, R2DBC or protobuf type appears here.
 */
package ai.flovyn.dispatch.domain;
