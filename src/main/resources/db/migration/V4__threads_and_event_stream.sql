-- Threads, conversations and the live event stream (issue 10, part A).

-- Stream position: event_outbox.id is a bigserial, allocated when a row is inserted but visible only when
-- its transaction commits, so ids appear out of order and a reader tailing "id > last" could skip an event
-- whose transaction committed late. A sequencer (wagateway.event.EventSequencer) stamps committed rows with
-- a position from this sequence in one short transaction at a time (advisory lock): every position is
-- visible before any larger one is handed out, so "position > last" is gap-free. It is the SSE event id.
alter table event_outbox add column position bigint;
create sequence event_stream_position;
-- Rows committed before this migration are all visible: their id order is a valid stream order.
update event_outbox set position = id;
select setval('event_stream_position', coalesce((select max(id) from event_outbox), 0) + 1, false);
create unique index event_outbox_position on event_outbox (position) where position is not null;
-- The sequencer's work list: tiny, rows leave it within one stream poll.
create index event_outbox_unpositioned on event_outbox (id) where position is null;
-- Catch-up of a stream filtered by contact.
create index event_outbox_contact_position on event_outbox (contact_phone, position) where position is not null;

-- Threads and conversations order outbound messages by the time in their UUIDv7 id (the accept time, to the
-- millisecond): outbound_message (recipient, id) and the primary key already serve that order, so the accept
-- path gets no new index to maintain. uuid7_time: the id's 48-bit Unix millisecond timestamp;
-- uuid7_floor: the smallest uuid of the same millisecond (for "everything in this millisecond" ranges).
create function uuid7_time(id uuid) returns timestamptz language sql immutable parallel safe as $$
    select timestamptz 'epoch' + ('x' || substr(replace(id::text, '-', ''), 1, 12))::bit(48)::bigint * interval '1 millisecond'
$$;
create function uuid7_floor(id uuid) returns uuid language sql immutable parallel safe as $$
    select (substr(id::text, 1, 13) || '-0000-0000-000000000000')::uuid
$$;
-- Inbound pages by Meta's timestamp, tie-broken by id: "(sent_at, id) < cursor" is a range on this index.
create index inbound_message_thread on inbound_message (from_phone, sent_at, id);
-- Unread inbound per contact (GET /v1/conversations): only unread rows are indexed, so the count stays
-- small however long the history is.
create index inbound_message_unread on inbound_message (from_phone) where read_at is null;
