-- Meta keeps the customer-service window per (business phone number, customer): a customer who writes to
-- one of our numbers opens no window for the others (spec §3.2: "their last inbound message to that
-- sender"). One row per (customer, configured sender); contact.window_open_until stays as the latest of
-- them, for display (GET /v1/contacts, threads, conversations).
create table contact_window (
    phone             text        not null,           -- E.164 with '+'
    sender            text        not null,           -- configured sender name (gateway.senders.<name>)
    last_inbound_at   timestamptz not null,
    window_open_until timestamptz not null,
    free_entry_point  boolean     not null default false,
    updated_at        timestamptz not null,
    primary key (phone, sender)
);

-- Windows that are open now, rebuilt from the inbound messages of the last 72 h; a window our records
-- closed (131047) stays closed.
insert into contact_window (phone, sender, last_inbound_at, window_open_until, free_entry_point, updated_at)
select i.from_phone, i.sender, max(i.sent_at),
       least(max(i.sent_at + case when i.free_entry_point then interval '72 hours' else interval '24 hours' end),
             max(c.window_open_until)),
       bool_or(i.free_entry_point), now()
from inbound_message i
join contact c on c.phone = i.from_phone
where i.sender is not null and i.from_phone is not null and i.type <> 'system'
  and i.sent_at > now() - interval '72 hours' and c.window_open_until is not null
group by i.from_phone, i.sender;
