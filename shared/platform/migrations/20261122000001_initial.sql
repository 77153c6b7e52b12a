-- The bridge's schema, first version (ARCHITECTURE §4).

-- One pairing of a maestro* company with a Procore company.
CREATE TABLE connections (
    id                      bigserial PRIMARY KEY,
    name                    text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    maestro_base_url        text NOT NULL,
    maestro_company         text NOT NULL,
    maestro_prefix          text,
    maestro_environment     text NOT NULL CHECK (maestro_environment IN ('production', 'test')),
    procore_api_base        text NOT NULL,
    procore_login_base      text NOT NULL,
    procore_company_id      bigint NOT NULL,
    procore_environment     text NOT NULL
        CHECK (procore_environment IN ('production', 'developer_sandbox', 'monthly_sandbox')),
    -- What the connection was first synced with: the pairing guard refuses a change of these
    -- once links exist.
    first_procore_company_id bigint,
    first_procore_api_base  text,
    -- Entities enabled, cost-code mode, orders mode, transaction start date, webhook settings.
    settings                jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- Our OAuth client id: events our own writes caused carry it and are ignored.
    oauth_client_id         text,
    -- Encrypted by the application; never stored in clear.
    oauth_tokens            bytea,
    -- SHA-256 of each `Authorization` value the webhook ingress accepts (two during a
    -- rotation). The clear value is handed to Procore once and never stored.
    webhook_auth_sha256     bytea[] NOT NULL DEFAULT '{}',
    enabled                 boolean NOT NULL DEFAULT true,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

-- Every event from the ingress and the pollers; the relay publishes what is pending.
CREATE TABLE inbox (
    id              uuid PRIMARY KEY,
    connection_id   bigint NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    source          text NOT NULL,
    dedup_key       text NOT NULL,
    kind            text,
    direction       text,
    status          text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'published', 'ignored')),
    ignored_reason  text,
    -- What the message will say: the record, its project, the action, when it happened.
    record          text,
    project         text,
    action          text CHECK (action IN ('create', 'update', 'delete')),
    occurred_at     timestamptz,
    -- The event as received (webhook body) or as found (poller), for support.
    payload         jsonb NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz,
    UNIQUE (connection_id, dedup_key)
);
CREATE INDEX inbox_pending ON inbox (received_at) WHERE status = 'pending';

-- maestro* key <-> Procore id, per connection and kind.
CREATE TABLE links (
    connection_id       bigint NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    kind                text NOT NULL,
    maestro_key         text NOT NULL,
    procore_id          bigint NOT NULL,
    procore_project_id  bigint,
    origin              text NOT NULL
        CHECK (origin IN ('created_in_procore', 'created_in_maestro', 'linked_by_code')),
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, kind, maestro_key),
    UNIQUE (connection_id, kind, procore_id)
);

-- The synchronization manager: one row per record and direction.
CREATE TABLE sync_items (
    id              bigserial PRIMARY KEY,
    connection_id   bigint NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    kind            text NOT NULL,
    direction       text NOT NULL CHECK (direction IN ('to_procore', 'to_maestro')),
    record_key      text NOT NULL,
    description     text,
    status          text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'waiting', 'running', 'synced', 'skipped', 'failed', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    waiting_on      text,
    -- [{"level": "error"|"warning"|"info", "text": "...", "at": "..."}]
    messages        jsonb NOT NULL DEFAULT '[]'::jsonb,
    last_event_id   uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (connection_id, kind, direction, record_key)
);
CREATE INDEX sync_items_status ON sync_items (connection_id, status, updated_at DESC);
CREATE INDEX sync_items_waiting_on ON sync_items (connection_id, waiting_on)
    WHERE status = 'waiting';

-- One row per attempt at a sync item.
CREATE TABLE sync_attempts (
    id              bigserial PRIMARY KEY,
    sync_item_id    bigint NOT NULL REFERENCES sync_items (id) ON DELETE CASCADE,
    event_id        uuid,
    attempt         integer NOT NULL,
    outcome         text NOT NULL
        CHECK (outcome IN ('synced', 'skipped', 'wait', 'retry', 'dead')),
    started_at      timestamptz NOT NULL,
    duration_ms     integer NOT NULL,
    summary         text
);
CREATE INDEX sync_attempts_item ON sync_attempts (sync_item_id, started_at DESC);

-- Poller watermarks: per project for maestro* transactions, per resource for Procore.
CREATE TABLE cursors (
    connection_id   bigint NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    name            text NOT NULL,
    scope           text NOT NULL DEFAULT '',
    position        text NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, name, scope)
);

-- Dead messages archived from the broker, for support to replay or discard.
CREATE TABLE dead_letters (
    id              bigserial PRIMARY KEY,
    connection_id   bigint REFERENCES connections (id) ON DELETE SET NULL,
    queue           text,
    routing_key     text,
    reason          text NOT NULL,
    headers         jsonb NOT NULL DEFAULT '{}'::jsonb,
    body            bytea NOT NULL,
    history         jsonb NOT NULL DEFAULT '[]'::jsonb,
    status          text NOT NULL DEFAULT 'dead' CHECK (status IN ('dead', 'replayed', 'discarded')),
    dead_at         timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz,
    resolved_by     text
);
CREATE INDEX dead_letters_status ON dead_letters (status, dead_at DESC);

-- Who did what in the console or the CLI.
CREATE TABLE audit_log (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    actor           text NOT NULL,
    action          text NOT NULL,
    connection_id   bigint REFERENCES connections (id) ON DELETE SET NULL,
    target          text,
    details         jsonb NOT NULL DEFAULT '{}'::jsonb
);
