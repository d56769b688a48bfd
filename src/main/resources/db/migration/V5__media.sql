-- Media (issue 10 B). A customer's media id lives in inbound_message.content (the whole Cloud API message
-- object: content -> <type> ->> 'id'); GET /v1/media/{id} finds the sender whose token may fetch it by this
-- expression index. Partial: only media types carry an id there.
create index inbound_message_media_id on inbound_message (((content -> type) ->> 'id'))
    where type in ('image', 'video', 'audio', 'document', 'sticker');

-- Media the business uploaded through POST /v1/media: which sender's token owns it, what it is, and when the
-- Cloud API forgets it (30 days). deleted_at is set by DELETE /v1/media/{id}; rows stay so a later GET or
-- DELETE answers 410 rather than 404.
create table media_upload (
    id              text        primary key,        -- the Cloud API's media id
    sender          text        not null,           -- configured sender name
    phone_number_id text        not null,
    mime_type       text        not null,
    size_bytes      bigint      not null,
    sha256          text        not null,           -- base64, as Meta writes it
    filename        text,
    created_at      timestamptz not null,
    expires_at      timestamptz not null,
    deleted_at      timestamptz
);
