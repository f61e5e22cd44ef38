/**
 * Lists and counts of workflow and task executions: Flovyn's query language (FQL) parsed into a
 * parameterised SQL condition, the filters of the list, count and bulk-cancel calls, paging (offset
 * and keyset cursor) and the values those calls answer with. Pure Java: no I/O, no R2DBC type; the
 * SQL it produces only ever carries placeholders for what a client wrote.
 */
package ai.flovyn.dispatch.query;
