-- Inventory, raw history and current state for the three ingest topics.
-- Natural keys make every write idempotent; src_partition/src_offset record which Kafka message
-- stored a row, so a redelivery is told apart from a genuine duplicate message.

CREATE TABLE bins (
    bin_id      text PRIMARY KEY,
    lon         double precision NOT NULL,
    lat         double precision NOT NULL,
    street      text NOT NULL DEFAULT '',
    district    text NOT NULL DEFAULT '',
    capacity_l  double precision NOT NULL CHECK (capacity_l > 0),
    threshold   double precision NOT NULL CHECK (threshold > 0 AND threshold <= 1),
    service_s   double precision NOT NULL DEFAULT 60
);

CREATE TABLE sites (
    site_id  text PRIMARY KEY,
    role     text NOT NULL CHECK (role IN ('depot', 'disposal')),
    name     text NOT NULL,
    lon      double precision NOT NULL,
    lat      double precision NOT NULL
);

CREATE TABLE vehicles (
    vehicle_id    text PRIMARY KEY,
    kind          text NOT NULL,
    depot_id      text NOT NULL REFERENCES sites (site_id),
    capacity_l    double precision NOT NULL DEFAULT 0,
    capacity_kg   double precision NOT NULL DEFAULT 0,
    shift_start_h double precision NOT NULL,
    shift_end_h   double precision NOT NULL,
    co2_g_per_km  double precision NOT NULL
);

CREATE TABLE parking_sites (
    site_id   text PRIMARY KEY,
    name      text NOT NULL,
    kind      text NOT NULL,
    capacity  integer NOT NULL CHECK (capacity > 0),
    lon       double precision NOT NULL,
    lat       double precision NOT NULL,
    street    text NOT NULL DEFAULT '',
    district  text NOT NULL DEFAULT ''
);

CREATE TABLE fill_readings (
    sensor_id      text NOT NULL,
    observed_at    timestamptz NOT NULL,
    filling_level  double precision NOT NULL CHECK (filling_level BETWEEN 0 AND 1),
    temperature    double precision,
    src_partition  integer NOT NULL,
    src_offset     bigint NOT NULL,
    PRIMARY KEY (sensor_id, observed_at)
);

CREATE TABLE bin_state (
    bin_id         text PRIMARY KEY,
    observed_at    timestamptz NOT NULL,
    filling_level  double precision NOT NULL,
    temperature    double precision
);

-- Raw GPS history is personal data (drivers): partitioned by day so retention drops partitions.
CREATE TABLE gps_fixes (
    vehicle_id     text NOT NULL,
    observed_at    timestamptz NOT NULL,
    lon            double precision NOT NULL,
    lat            double precision NOT NULL,
    speed_kmh      real NOT NULL,
    heading_deg    real NOT NULL,
    src_partition  integer NOT NULL,
    src_offset     bigint NOT NULL,
    PRIMARY KEY (vehicle_id, observed_at)
) PARTITION BY RANGE (observed_at);

CREATE TABLE vehicle_state (
    vehicle_id   text PRIMARY KEY,
    observed_at  timestamptz NOT NULL,
    lon          double precision NOT NULL,
    lat          double precision NOT NULL,
    speed_kmh    real NOT NULL,
    heading_deg  real NOT NULL
);

CREATE TABLE parking_observations (
    site_id        text NOT NULL,
    observed_at    timestamptz NOT NULL,
    free           integer NOT NULL CHECK (free >= 0),
    capacity       integer NOT NULL CHECK (capacity > 0 AND free <= capacity),
    src_partition  integer NOT NULL,
    src_offset     bigint NOT NULL,
    PRIMARY KEY (site_id, observed_at)
);

CREATE TABLE parking_state (
    site_id      text PRIMARY KEY,
    observed_at  timestamptz NOT NULL,
    free         integer NOT NULL,
    capacity     integer NOT NULL
);
