-- Callback delivery at production load (issue 15): events are claimed per destination (scheme, host and port
-- of the callback URL), so a slow, stalled or failing destination holds only its own events. The claim walks
-- this index twice: a skip scan over the distinct destinations with pending events (one probe each, however
-- long a destination's backlog), then, per destination that has room, its due events in order. The expression
-- is the one the claim uses (CallbackDispatcher.DESTINATION); a URL that does not parse falls into ''.
create index event_outbox_destination_pending on event_outbox
    ((coalesce(lower(substring(url from '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*')), '')), next_attempt_at, id)
    where state = 'pending';

-- The claim's order rule for events without a message (message.received, read receipts): "no earlier pending
-- event of the same contact". event_outbox_contact covers every event the contact ever had; this one only
-- the pending ones without a message, so the check stays one short probe for a long-standing customer.
create index event_outbox_contact_pending on event_outbox (contact_phone, id)
    where state = 'pending' and message_id is null;
