-- Two more roles: the data-protection officer reads the access log; admins manage the inventory
-- and the users. Every admin action is written to the append-only audit log.

ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('planner', 'driver', 'dpo', 'admin'));

CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text NOT NULL,          -- username, or 'cli:<os user>' for the command line
    action     text NOT NULL,          -- e.g. 'users.add', 'inventory.import'
    target     text NOT NULL DEFAULT '',
    details    jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);
