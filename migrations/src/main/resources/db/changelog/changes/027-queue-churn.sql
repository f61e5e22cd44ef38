--liquibase formatted sql

--changeset dispatch:027-queue-churn
--comment: autovacuum tuned for queue churn on the two tables every task and activation rewrites. A task's claim and its completion each leave a dead row version and an index entry in every index of task_executions (status is in the ready, lease and operator indexes, so neither update can be HOT), and a workflow's claim, suspend and wake-up do the same to workflow_executions. At the default thresholds (20 % of the table) a table of a million tasks is vacuumed only after 200,000 dead versions: until then every claim walks past the dead entries of the ready index and every completion finds its row among dead versions, and the dispatch loop slows down (with autovacuum off it fell from 544 to 210 tasks/s in five minutes, 209,000 dead rows). Here they are vacuumed after 1 % (task_executions) or 2 % (workflow_executions) plus 1,000 rows have changed, analyzed after 2 % (task_executions) or 5 % (workflow_executions), and at five times the default I/O budget so that vacuum keeps up with the loop instead of trailing it. The server warns at startup when autovacuum is off (StartupCheck).
ALTER TABLE task_executions SET (
    autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_analyze_threshold = 1000,
    autovacuum_vacuum_cost_limit = 1000);

ALTER TABLE workflow_executions SET (
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_analyze_scale_factor = 0.05,
    autovacuum_analyze_threshold = 1000,
    autovacuum_vacuum_cost_limit = 1000);
--rollback ALTER TABLE task_executions RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor, autovacuum_analyze_threshold, autovacuum_vacuum_cost_limit); ALTER TABLE workflow_executions RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor, autovacuum_analyze_threshold, autovacuum_vacuum_cost_limit);
