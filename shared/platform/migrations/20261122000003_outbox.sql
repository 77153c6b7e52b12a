-- The relay's work list leaves the inbox: one small row per event still to publish, deleted
-- once RabbitMQ confirmed it. An inbox row is then written once and never updated, so its
-- indexes are written once too (marking it published rewrote every index entry of the row).
-- No foreign key to inbox: checking one locks the inbox row, another write per event. The
-- relay removes outbox rows whose inbox row is gone.
CREATE TABLE outbox (
    inbox_id     uuid PRIMARY KEY,
    -- Set when the writing process hands the row straight to its own relay; relays of other
    -- processes leave such a row alone for a grace period, then take it over (its writer may
    -- have stopped before publishing it).
    handed_off   boolean NOT NULL DEFAULT false,
    enqueued_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO outbox (inbox_id, enqueued_at)
    SELECT id, received_at FROM inbox WHERE status = 'pending';

DROP INDEX inbox_pending;
ALTER TABLE inbox DROP CONSTRAINT inbox_status_check;
-- `routed`: the event feeds a route (published once its outbox row is gone); `ignored`: not.
UPDATE inbox SET status = 'routed' WHERE status IN ('pending', 'published');
ALTER TABLE inbox
    ALTER COLUMN status SET DEFAULT 'routed',
    ADD CONSTRAINT inbox_status_check CHECK (status IN ('routed', 'ignored')),
    DROP COLUMN published_at;

-- Keys are compared byte by byte: they are identifiers, not words, and a linguistic
-- collation costs every index insert and lookup on them a locale comparison.
ALTER TABLE inbox
    ALTER COLUMN dedup_key TYPE text COLLATE "C",
    ALTER COLUMN record TYPE text COLLATE "C";

-- The event is kept exactly as received (key order, spacing): `json` checks it and stores the
-- text, where `jsonb` would also rebuild it into its binary form on every insert, for a
-- column that is read only when someone looks at one event.
ALTER TABLE inbox ALTER COLUMN payload TYPE json;
