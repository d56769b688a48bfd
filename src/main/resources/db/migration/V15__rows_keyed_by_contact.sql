-- Outbound messages and events belong to a contact (issue 17). Until now they were keyed by the identifier a
-- message was addressed with (outbound_message.recipient, event_outbox.contact_phone): a customer with a phone
-- and a BSUID, written to by BSUID, had outbound rows and status events under the BSUID and inbound ones under
-- the phone, so the conversation list showed them twice and ?contact= filters split them.
--
-- Expand only: the previous release still runs on this schema during a rolling update. It never writes
-- contact_id (null: the new release then finds the contact from the recipient / contact_phone, as the previous
-- release itself does) and keeps reading recipient and contact_phone, which stay as they were.

alter table outbound_message add column contact_id text;
alter table event_outbox add column contact_id text;

-- Existing rows, where their contact can be told: the contact holding the identifier now, else the one that
-- wrote with it before a number or user-id change (its inbound messages).
update outbound_message o set contact_id = c.id from contact c where c.phone = o.recipient;
update outbound_message o set contact_id = c.id
from (select distinct on (user_id) user_id, id from contact where user_id is not null
      order by user_id, phone is null desc, updated_at desc) c
where o.contact_id is null and c.user_id = o.recipient;
update outbound_message o set contact_id = i.contact_id
from (select distinct on (k) k, contact_id from inbound_message,
          lateral (select from_phone union all select from_user_id) as v(k)
      where contact_id is not null and k is not null order by k, sent_at desc) i
where o.contact_id is null and i.k = o.recipient;

update event_outbox e set contact_id = o.contact_id from outbound_message o
where e.message_id = o.id and o.contact_id is not null;
update event_outbox e set contact_id = c.id from contact c
where e.contact_id is null and e.message_id is null and c.phone = e.contact_phone;
update event_outbox e set contact_id = c.id
from (select distinct on (user_id) user_id, id from contact where user_id is not null
      order by user_id, phone is null desc, updated_at desc) c
where e.contact_id is null and e.message_id is null and c.user_id = e.contact_phone;

-- A contact's outbound messages, newest first (its conversation's activity, the thread)
create index outbound_message_contact on outbound_message (contact_id, id) where contact_id is not null;
-- Rows not yet tied to a contact, by identifier: found when a contact takes that identifier, and read by it
create index outbound_message_unassigned on outbound_message (recipient, id) where contact_id is null;
-- GET /v1/events?contact=: a contact's events in stream order
create index event_outbox_contact_id_position on event_outbox (contact_id, position)
    where position is not null and contact_id is not null;
create index event_outbox_unassigned on event_outbox (contact_phone, id) where contact_id is null;

-- The conversation an outbound message is part of: its contact; for a row without one (the previous release's,
-- or sent before its recipient ever wrote), the contact now holding its recipient, else the recipient itself.
create function conversation_of(recipient text, contact_id text) returns text language sql stable as $$
    select coalesce(contact_id,
        (select k.id from contact k where k.phone = recipient),
        (select k.id from contact k where k.user_id = recipient order by k.phone is null desc, k.updated_at desc limit 1),
        recipient)
$$;

-- The newest outbound message of a conversation (a contact id, or the identifier of a recipient no contact
-- holds): its own rows, and the unassigned ones addressed to what it holds. PostgreSQL 15 has no max(uuid).
create function conversation_latest_outbound(conversation text) returns uuid language sql stable as $$
    select x.id from (
        (select o.id from outbound_message o where o.contact_id = conversation order by o.id desc limit 1)
        union all
        (select o.id from outbound_message o where o.contact_id is null and o.recipient = conversation
         order by o.id desc limit 1)
        union all
        (select q.id from contact c, lateral (select o.id from outbound_message o
             where o.contact_id is null and o.recipient = c.phone order by o.id desc limit 1) q
         where c.id = conversation)
        union all
        (select q.id from contact c, lateral (select o.id from outbound_message o
             where o.contact_id is null and o.recipient = c.user_id order by o.id desc limit 1) q
         where c.id = conversation)
    ) x order by x.id desc limit 1
$$;
