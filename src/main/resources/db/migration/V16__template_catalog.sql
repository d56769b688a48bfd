-- Issue 18: the message templates of each WhatsApp Business Account, as last read from the Graph API or
-- changed by a template webhook. Read-mostly: every replica keeps it in memory and reloads one account when
-- a NOTIFY on wagateway_templates says it changed.
create table message_template (
    waba_id          text        not null,
    name             text        not null,
    language         text        not null,
    meta_id          text,
    status           text        not null,             -- Meta's: APPROVED, PENDING, REJECTED, PAUSED, DISABLED…
    category         text        not null,             -- utility | marketing | authentication
    quality          text,                             -- GREEN | YELLOW | RED | UNKNOWN
    parameter_format text        not null,             -- positional | named
    components       text        not null,             -- Meta's components array (JSON), as listed
    updated_at       timestamptz not null,
    primary key (waba_id, name, language)
);

-- One row per account: when its catalogue was last read whole (null: never), so readiness and metrics can tell
-- a missing or stale catalogue from an empty one; and when an unknown template last made a replica sync it on
-- demand (at most once a minute per account, across replicas).
create table template_catalog (
    waba_id     text        primary key,
    synced_at   timestamptz,
    demanded_at timestamptz
);
