/**
 * Internal, not API: all SQL, the units of work ({@code Transactor}, {@code Tx}) and error
 * classification by SQLSTATE. Each statement is a named constant in the store class of its table;
 * each call of a SQL function is a declared {@code SqlFunction}. Its types are public only because
 * the feature packages call them; they change without notice, and the javadoc jar leaves this
 * package out. Embedders use {@code ai.flovyn.dispatch} and {@code ai.flovyn.dispatch.domain}.
 */
package ai.flovyn.dispatch.store;
