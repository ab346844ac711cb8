-- Onboarding a real city (city-admin import): inventory is retired rather than deleted, and a
-- bin's fill sensor is inventory of its own, mounted on one bin at a time for a period, so a
-- replaced sensor's readings stay with the bin it was mounted on.

-- Retired items keep their history (plans, readings, reports) but drop out of planning, the
-- maps and ingest's registered ids; re-importing an item brings it back.
ALTER TABLE bins ADD COLUMN retired_at timestamptz;
ALTER TABLE sites ADD COLUMN retired_at timestamptz;
ALTER TABLE vehicles ADD COLUMN retired_at timestamptz;
ALTER TABLE parking_sites ADD COLUMN retired_at timestamptz;

-- Which bin a sensor was mounted on, from mounted_at until removed_at (open: still mounted).
CREATE TABLE sensors (
    sensor_id   text NOT NULL,
    bin_id      text NOT NULL REFERENCES bins (bin_id),
    mounted_at  timestamptz NOT NULL,
    removed_at  timestamptz,
    PRIMARY KEY (sensor_id, mounted_at),
    CHECK (removed_at IS NULL OR removed_at >= mounted_at)
);
CREATE UNIQUE INDEX sensors_mounted_once ON sensors (sensor_id) WHERE removed_at IS NULL;
CREATE UNIQUE INDEX sensors_one_per_bin ON sensors (bin_id) WHERE removed_at IS NULL;
CREATE INDEX sensors_bin ON sensors (bin_id);

-- Until now a bin's sensor id was its bin id, from the start.
INSERT INTO sensors (sensor_id, bin_id, mounted_at) SELECT bin_id, bin_id, '-infinity' FROM bins;

-- Each reading carries its bin, fixed when it is stored (readings are keyed by sensor).
ALTER TABLE fill_readings ADD COLUMN bin_id text;
UPDATE fill_readings SET bin_id = sensor_id;
-- A CHECK, not NOT NULL: ingest's staging table is created LIKE fill_readings and is filled
-- without bin_id (the trigger below sets it on insert).
ALTER TABLE fill_readings ADD CONSTRAINT fill_readings_bin_set CHECK (bin_id IS NOT NULL);
CREATE INDEX fill_readings_bin_time ON fill_readings (bin_id, observed_at);

-- The bin of a reading stored without one: the bin its sensor was mounted on when it was
-- observed; a reading from before the sensor's first mount goes to the bin of that mount; a
-- sensor that was never mapped is its bin's id (sensor id = bin id, as before this migration).
CREATE FUNCTION fill_readings_set_bin() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT m.bin_id INTO NEW.bin_id FROM sensors m
     WHERE m.sensor_id = NEW.sensor_id
       AND (m.removed_at IS NULL OR NEW.observed_at < m.removed_at)
     ORDER BY (m.mounted_at <= NEW.observed_at) DESC,
              CASE WHEN m.mounted_at <= NEW.observed_at THEN m.mounted_at END DESC,
              m.mounted_at
     LIMIT 1;
    NEW.bin_id := coalesce(NEW.bin_id, NEW.sensor_id);
    RETURN NEW;
END
$$;
CREATE TRIGGER fill_readings_bin BEFORE INSERT ON fill_readings
    FOR EACH ROW WHEN (NEW.bin_id IS NULL) EXECUTE FUNCTION fill_readings_set_bin();
