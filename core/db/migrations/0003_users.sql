-- API users: planners and drivers. Passwords are stored only as Argon2 hashes; a driver sees the
-- routes of the vehicles listed in vehicle_ids.

CREATE TABLE users (
    username       text PRIMARY KEY CHECK (username ~ '^[a-z0-9][a-z0-9_.-]{2,63}$'),
    password_hash  text NOT NULL,
    role           text NOT NULL CHECK (role IN ('planner', 'driver')),
    vehicle_ids    text[] NOT NULL DEFAULT '{}',
    disabled       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- Planners' forced inclusions/exclusions of bins for a plan date.
CREATE TABLE bin_overrides (
    plan_date   date NOT NULL,
    bin_id      text NOT NULL REFERENCES bins (bin_id) ON DELETE CASCADE,
    mode        text NOT NULL CHECK (mode IN ('include', 'exclude')),
    set_by      text NOT NULL,
    set_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_date, bin_id)
);
