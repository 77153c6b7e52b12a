-- The Procore reconciler asks whether the inbox already holds a change of a record (webhook
-- first, reconciler later): look rows up by record.
CREATE INDEX inbox_record ON inbox (connection_id, record);
