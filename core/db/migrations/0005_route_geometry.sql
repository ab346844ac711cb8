-- The road geometry a truck drives along its route: a JSON array of [lon, lat] pairs from the
-- first stop to the last, following the street network. NULL for plans stored before it was
-- computed (maps then draw straight lines between stops).

ALTER TABLE plan_routes ADD COLUMN geometry jsonb;
