-- A contact is a person, not a phone number (issue 17): a stable gateway id ('c_' + 32 hex digits) and any of
-- phone (E.164), business-scoped user id (BSUID), username. Customers who adopted a WhatsApp username may come
-- with a BSUID and no phone at all.
--
-- Expand only: the previous release still runs on this schema during a rolling update. It keys contacts,
-- windows and consent by phone and upserts with "on conflict (phone)" / "(phone, sender)"; the unique indexes
-- below keep those statements working, the column defaults give its new contacts an id, and the triggers give
-- the windows and consent entries it writes their contact. Every existing row is kept.

alter table contact add column id text not null default ('c_' || replace(gen_random_uuid()::text, '-', ''));
alter table contact add column username text;
alter table contact drop constraint contact_pkey;
alter table contact add constraint contact_pkey primary key (id);
alter table contact alter column phone drop not null;
create unique index contact_phone_key on contact (phone);
-- one phone-less contact per BSUID: two webhooks of a new username-only customer cannot make two
create unique index contact_user_id_phoneless on contact (user_id) where phone is null;

alter table contact_window add column contact_id text;
update contact_window w set contact_id = c.id from contact c where c.phone = w.phone;
alter table contact_window drop constraint contact_window_pkey;
alter table contact_window alter column phone drop not null;
create unique index contact_window_phone_sender on contact_window (phone, sender);
create unique index contact_window_contact_sender on contact_window (contact_id, sender);

alter table consent_event add column contact_id text;
update consent_event e set contact_id = c.id from contact c where c.phone = e.phone;
alter table consent_event alter column phone drop not null;
create index consent_event_contact on consent_event (contact_id, id);

-- the contact of what the previous release writes by phone (it always writes the contact first)
create function contact_id_of_phone() returns trigger language plpgsql as $$
begin
    if new.contact_id is null and new.phone is not null then
        select id into new.contact_id from contact where phone = new.phone;
    end if;
    return new;
end $$;
create trigger contact_window_contact_id before insert on contact_window
    for each row execute function contact_id_of_phone();
create trigger consent_event_contact_id before insert on consent_event
    for each row execute function contact_id_of_phone();

-- inbound messages and the thread follow the contact, whatever identifier it had when it wrote
alter table inbound_message add column contact_id text;
update inbound_message i set contact_id = c.id from contact c where c.phone = i.from_phone;
create index inbound_message_contact on inbound_message (contact_id, sent_at, id);
-- the contact of inbound messages the previous release stores (known once it has written the contact)
create function inbound_message_contact_id() returns trigger language plpgsql as $$
begin
    if new.contact_id is null then
        select id into new.contact_id from contact
        where phone = new.from_phone or (new.from_phone is null and user_id = new.from_user_id)
        order by updated_at desc limit 1;
    end if;
    return new;
end $$;
create trigger inbound_message_contact_id before insert on inbound_message
    for each row execute function inbound_message_contact_id();
