-- Alerts (fleet/alerts/): what they need that was not stored yet.
--
-- 1. Fill sensors may report their battery (wire field batteryLevel, FIWARE Device.batteryLevel:
--    a fraction, 1 = full). Optional: NULL for sensors that do not report it and for every row
--    stored before this migration.
-- 2. Each forecast run made for a plan is kept with every bin's forecast, predicted-full times
--    included (predicted_full_at: the central forecast reaches the bin's threshold; NULL when not
--    within the forecaster's horizon or without readings), so what a plan was made from can be
--    audited. The live map and the alerts use a fresh forecast (api/live.py).

ALTER TABLE fill_readings
    ADD COLUMN battery_level double precision CHECK (battery_level BETWEEN 0 AND 1);
ALTER TABLE bin_state ADD COLUMN battery_level double precision;

CREATE TABLE forecast_runs (
    run_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    computed_at  timestamptz NOT NULL DEFAULT now(),
    as_of        timestamptz,           -- the newest reading used (NULL without readings)
    plan_date    date NOT NULL,         -- the day planned with it
    plan_id      bigint REFERENCES plans (plan_id) ON DELETE SET NULL,  -- set once stored
    params       jsonb NOT NULL DEFAULT '{}'::jsonb  -- ForecastParams as JSON
);

CREATE INDEX forecast_runs_by_time ON forecast_runs (computed_at DESC);

CREATE TABLE bin_forecasts (
    run_id                bigint NOT NULL REFERENCES forecast_runs (run_id) ON DELETE CASCADE,
    bin_id                text NOT NULL,
    method                text NOT NULL CHECK (method IN ('no_data', 'fleet_prior', 'bin_history')),
    level_now             double precision,
    as_of                 timestamptz,
    rate_per_h            double precision NOT NULL,
    rate_low_per_h        double precision NOT NULL,
    rate_high_per_h       double precision NOT NULL,
    threshold             double precision NOT NULL,
    predicted_full_at     timestamptz,
    predicted_full_early  timestamptz,  -- with the band's high rate
    predicted_full_late   timestamptz,  -- with the band's low rate
    n_obs                 integer NOT NULL CHECK (n_obs >= 0),
    PRIMARY KEY (run_id, bin_id)
);
