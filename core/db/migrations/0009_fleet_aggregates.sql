-- Fleet aggregates per local day (fleet/aggregates.py): km, driving, idling, in-service and
-- parked time of each vehicle per district and local hour, and per vehicle-day its shift and the
-- time in use within it. Vehicles appear under their keyed pseudonym (fleet/privacy.py), never
-- their id: the cells still say where a vehicle was each hour, so they are pseudonymised personal
-- data of its driver. Computing a day again replaces it (one run row per day, cascading).

CREATE TABLE fleet_aggregate_runs (
    day          date PRIMARY KEY,        -- local day in the city's time zone
    timezone     text NOT NULL,           -- the zone the day and hours are local to
    computed_at  timestamptz NOT NULL,
    computed_by  text NOT NULL,           -- the actor of the GPS read (a planner, the API's job, cli:<user>)
    fixes        bigint NOT NULL CHECK (fixes >= 0),
    params       jsonb NOT NULL           -- AggregateParams as JSON
);

CREATE TABLE fleet_vehicle_days (
    day             date NOT NULL REFERENCES fleet_aggregate_runs (day) ON DELETE CASCADE,
    pseudonym       text NOT NULL,
    kind            text NOT NULL,
    fixes           integer NOT NULL CHECK (fixes >= 0),
    km              double precision NOT NULL CHECK (km >= 0),
    driving_s       double precision NOT NULL CHECK (driving_s >= 0),
    idling_s        double precision NOT NULL CHECK (idling_s >= 0),
    service_s       double precision NOT NULL CHECK (service_s >= 0),
    parked_s        double precision NOT NULL CHECK (parked_s >= 0),
    co2_kg          double precision NOT NULL CHECK (co2_kg >= 0),
    shift_s         double precision NOT NULL CHECK (shift_s >= 0),  -- its shift's length
    in_shift_use_s  double precision NOT NULL CHECK (in_shift_use_s >= 0),
    PRIMARY KEY (day, pseudonym)
);

CREATE TABLE fleet_aggregates (
    day        date NOT NULL,
    pseudonym  text NOT NULL,
    kind       text NOT NULL,
    district   text NOT NULL,                 -- '' outside every district
    hour       smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),  -- local hour of day
    km         double precision NOT NULL CHECK (km >= 0),
    driving_s  double precision NOT NULL CHECK (driving_s >= 0),
    idling_s   double precision NOT NULL CHECK (idling_s >= 0),
    service_s  double precision NOT NULL CHECK (service_s >= 0),
    parked_s   double precision NOT NULL CHECK (parked_s >= 0),
    co2_kg     double precision NOT NULL CHECK (co2_kg >= 0),
    PRIMARY KEY (day, pseudonym, district, hour),
    FOREIGN KEY (day, pseudonym) REFERENCES fleet_vehicle_days (day, pseudonym) ON DELETE CASCADE
);

CREATE INDEX fleet_aggregates_kind ON fleet_aggregates (day, kind);
