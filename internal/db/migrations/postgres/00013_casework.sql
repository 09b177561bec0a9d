-- +goose Up
-- A case worker's queue: the newest cases of a department in a state,
-- read in index order (one short range per department and state) instead
-- of sorting every open case of the department at each look. It covers
-- what submissions_queue did (department, state), which it replaces.
CREATE INDEX submissions_worklist ON submissions (tenant_id, department, state, submitted_at, id);
DROP INDEX submissions_queue;

-- +goose Down
CREATE INDEX submissions_queue ON submissions (tenant_id, department, state);
DROP INDEX submissions_worklist;
