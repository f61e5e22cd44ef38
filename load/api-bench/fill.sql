-- Fills a dispatch database (migrations applied) for load/api-bench.sh: :n workflows (psql -v n=…,
-- 1,000,000 by default) of tenant 'bench' (plus n/10 of tenant 'other', which no answer may show), created over the
-- last 30 days, in a realistic mix of statuses, 20 kinds and 10 queues; two tasks and three
-- events per workflow; and one workflow with a 10,000-event history
-- (00000000-0000-4000-8000-00000000a001).
\set ON_ERROR_STOP on
SET synchronous_commit = off;

-- status mix: 70% COMPLETED, 8% FAILED, 4% CANCELLED, 6% RUNNING, 6% WAITING, 6% PENDING
CREATE TEMP TABLE mix AS
SELECT g,
       CASE WHEN g <= :n THEN 'bench' ELSE 'other' END AS tenant,
       CASE
         WHEN r < 0.70 THEN 'COMPLETED' WHEN r < 0.78 THEN 'FAILED' WHEN r < 0.82 THEN 'CANCELLED'
         WHEN r < 0.88 THEN 'RUNNING' WHEN r < 0.94 THEN 'WAITING' ELSE 'PENDING'
       END AS status,
       'kind-' || (g % 20) AS kind,
       'queue-' || (g % 10) AS queue,
       now() - (interval '30 days') * ((:n * 1.1 - g)::double precision / (:n * 1.1))
         - (random() * interval '1 minute') AS created
FROM (SELECT g, random() AS r FROM generate_series(1, (:n * 1.1)::int) g) s;

INSERT INTO workflow_executions
  (id, tenant_id, kind, input, queue, status, metadata, output, error, current_sequence,
   order_key, created_at, updated_at, completed_at)
SELECT md5('wf' || g)::uuid, tenant, kind, convert_to('{"order":' || g || '}', 'UTF8'), queue,
       status, jsonb_build_object('customer', 'c' || (g % 1000)),
       CASE WHEN status = 'COMPLETED' THEN convert_to('{"ok":true}', 'UTF8') END,
       CASE WHEN status = 'FAILED' THEN 'task charge-card failed: card declined' END,
       3, created, created,
       created + interval '2 seconds',
       CASE WHEN status IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN created + interval '2 seconds' END
FROM mix;

INSERT INTO task_executions
  (id, tenant_id, workflow_execution_id, task_type, input, queue, status, execution_count,
   order_key, visible_at, created_at, updated_at, completed_at, output)
SELECT md5('task' || g || '-' || t)::uuid, tenant, md5('wf' || g)::uuid, 'task-' || (g % 7 + t), 
       convert_to('{"n":1}', 'UTF8'), queue,
       CASE WHEN status IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN
              CASE WHEN status = 'FAILED' AND t = 2 THEN 'FAILED' ELSE 'COMPLETED' END
            WHEN t = 1 THEN 'COMPLETED' ELSE 'PENDING' END,
       1, created, created, created + interval '1 second' * t, created + interval '1 second' * t,
       CASE WHEN status IN ('COMPLETED', 'FAILED', 'CANCELLED') OR t = 1
            THEN created + interval '1 second' * t END,
       convert_to('{"done":true}', 'UTF8')
FROM mix, generate_series(1, 2) t;

INSERT INTO workflow_events
  (workflow_execution_id, sequence_number, event_type, event_data, identity, created_at)
SELECT md5('wf' || g)::uuid, e,
       (ARRAY['WORKFLOW_STARTED', 'TASK_SCHEDULED', 'TASK_COMPLETED'])[e],
       '{"n":' || e || '}', NULL, created + interval '1 second' * e
FROM mix, generate_series(1, 3) e;

-- the long history: one RUNNING workflow of 10,000 events, one in 50 a failure
INSERT INTO workflow_executions
  (id, tenant_id, kind, queue, status, current_sequence, order_key, created_at, updated_at)
VALUES ('00000000-0000-4000-8000-00000000a001', 'bench', 'long-history', 'queue-0', 'RUNNING',
        10000, now() - interval '1 hour', now() - interval '1 hour', now());
INSERT INTO workflow_events
  (workflow_execution_id, sequence_number, event_type, event_data, created_at)
SELECT '00000000-0000-4000-8000-00000000a001', e,
       CASE WHEN e = 1 THEN 'WORKFLOW_STARTED' WHEN e % 50 = 0 THEN 'TASK_FAILED'
            WHEN e % 2 = 0 THEN 'TASK_COMPLETED' ELSE 'TASK_SCHEDULED' END,
       '{"taskExecutionId":"' || md5('long' || e)::uuid || '","output":{"i":' || e || '}}',
       now() - interval '1 hour' + interval '300 milliseconds' * e
FROM generate_series(1, 10000) e;

VACUUM ANALYZE workflow_executions;
VACUUM ANALYZE task_executions;
VACUUM ANALYZE workflow_events;
