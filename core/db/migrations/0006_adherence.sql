-- Proof of service: a plan's day against the trucks' GPS (fleet/adherence.py), one stored result
-- per plan (computing it again replaces it). served_at, dwell and off-route lines are derived
-- from drivers' positions: personal data, read through core/db/adherence.py with an actor and a
-- purpose (access_log); the not-visited list carries no position or time of a driver.

CREATE TABLE plan_adherence (
    plan_id      bigint PRIMARY KEY REFERENCES plans (plan_id) ON DELETE CASCADE,
    computed_at  timestamptz NOT NULL,
    gps_until    timestamptz NOT NULL,  -- GPS fixes were read up to here (the shift end or now)
    computed_by  text NOT NULL,         -- the actor who asked (a planner or the main job)
    params       jsonb NOT NULL         -- AdherenceParams as JSON: radius, dwell, corridor ...
);

CREATE TABLE adherence_trucks (
    plan_id          bigint NOT NULL REFERENCES plan_adherence (plan_id) ON DELETE CASCADE,
    vehicle_id       text NOT NULL,
    fixes            integer NOT NULL CHECK (fixes >= 0),
    planned          integer NOT NULL CHECK (planned >= 0),
    served           integer NOT NULL CHECK (served >= 0),
    missed           integer NOT NULL CHECK (missed >= 0),
    out_of_sequence  integer NOT NULL CHECK (out_of_sequence >= 0),
    unplanned        integer NOT NULL CHECK (unplanned >= 0),
    disagreements    integer NOT NULL CHECK (disagreements >= 0),
    driven_km        double precision NOT NULL CHECK (driven_km >= 0),
    off_route_km     double precision NOT NULL CHECK (off_route_km >= 0),
    off_route_lines  jsonb NOT NULL DEFAULT '[]'::jsonb,  -- [[[lon, lat], ...], ...]
    PRIMARY KEY (plan_id, vehicle_id)
);

CREATE TABLE adherence_visits (
    plan_id           bigint NOT NULL,
    vehicle_id        text NOT NULL,
    pos               integer NOT NULL CHECK (pos >= 0),  -- order within the truck's visits
    bin_id            text NOT NULL,
    outcome           text NOT NULL CHECK (outcome IN ('served', 'missed', 'unplanned')),
    lon               double precision NOT NULL,
    lat               double precision NOT NULL,
    planned_seq       integer,
    planned_eta       timestamptz,
    served_at         timestamptz,
    dwell_s           double precision,
    distance_m        double precision,
    in_sequence       boolean,
    reported          text CHECK (reported IN ('emptied', 'skipped')),
    disagreement      text CHECK (disagreement IN ('reported_emptied_not_served',
                                                   'served_reported_skipped',
                                                   'served_not_reported')),
    planned_for       text,
    not_visited_rank  integer,  -- position in the plan's not-visited list; NULL if not in it
    PRIMARY KEY (plan_id, vehicle_id, pos),
    FOREIGN KEY (plan_id, vehicle_id) REFERENCES adherence_trucks (plan_id, vehicle_id)
        ON DELETE CASCADE,
    CHECK ((outcome = 'missed') = (served_at IS NULL)),
    CHECK ((outcome = 'unplanned') = (planned_seq IS NULL))
);

CREATE INDEX adherence_visits_not_visited ON adherence_visits (plan_id, not_visited_rank)
    WHERE not_visited_rank IS NOT NULL;
