-- Collection plans: one row per planning run, the routes per truck and the ordered stops.
-- A plan the independent checker rejects is stored with status 'rejected' and its violations
-- (an audit trail), and is never served as the day's plan. Drivers report stops on
-- plan_stops (status, reported_at, fill_observed, skip_reason).

CREATE TABLE plans (
    plan_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_date     date NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    engine        text NOT NULL,
    status        text NOT NULL CHECK (status IN ('accepted', 'rejected')),
    time_limit_s  double precision NOT NULL CHECK (time_limit_s >= 0),
    objective     bigint NOT NULL,
    totals        jsonb NOT NULL,   -- km, drive_s, service_s, bins_emptied, overflows, co2_kg ...
    inputs        jsonb NOT NULL,   -- network version, bins + demands + prizes, trucks, policy ...
    violations    jsonb NOT NULL DEFAULT '[]'::jsonb  -- checker messages (empty when accepted)
);

CREATE INDEX plans_by_date ON plans (plan_date, created_at DESC);

CREATE TABLE plan_routes (
    plan_id         bigint NOT NULL REFERENCES plans (plan_id) ON DELETE CASCADE,
    vehicle_id      text NOT NULL,
    depot_id        text NOT NULL,
    start_at        timestamptz NOT NULL,
    end_at          timestamptz NOT NULL,
    distance_m      double precision NOT NULL CHECK (distance_m >= 0),
    drive_s         double precision NOT NULL,
    service_s       double precision NOT NULL,
    co2_kg          double precision NOT NULL,
    break_start_at  timestamptz,
    PRIMARY KEY (plan_id, vehicle_id)
);

CREATE TABLE plan_stops (
    plan_id        bigint NOT NULL,
    vehicle_id     text NOT NULL,
    seq            integer NOT NULL CHECK (seq >= 0),
    kind           text NOT NULL CHECK (kind IN ('bin', 'disposal', 'depot')),
    bin_id         text,
    site_id        text,
    street         text NOT NULL DEFAULT '',
    lon            double precision NOT NULL,
    lat            double precision NOT NULL,
    eta            timestamptz NOT NULL,
    departs_at     timestamptz NOT NULL,
    load_after_l   double precision NOT NULL,
    load_after_kg  double precision NOT NULL,
    status         text NOT NULL DEFAULT 'planned'
                   CHECK (status IN ('planned', 'emptied', 'skipped')),
    reported_at    timestamptz,
    fill_observed  double precision CHECK (fill_observed BETWEEN 0 AND 1),
    skip_reason    text,
    PRIMARY KEY (plan_id, vehicle_id, seq),
    FOREIGN KEY (plan_id, vehicle_id) REFERENCES plan_routes (plan_id, vehicle_id)
        ON DELETE CASCADE,
    CHECK ((kind = 'bin') = (bin_id IS NOT NULL)),
    CHECK ((kind = 'bin') = (site_id IS NULL))
);

CREATE INDEX plan_stops_by_bin ON plan_stops (bin_id) WHERE bin_id IS NOT NULL;
