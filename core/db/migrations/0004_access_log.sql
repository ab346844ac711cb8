-- Who read personal data (raw GPS history), when and why (GDPR accountability).
CREATE TABLE access_log (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text NOT NULL,
    purpose   text NOT NULL,
    resource  text NOT NULL,
    detail    jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX access_log_at ON access_log (at);
