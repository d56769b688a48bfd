-- A free-form message Meta accepted and then failed with 131047 (the window was closed after all) gets its
-- fallback template sent as a new message: the failed one keeps its forward-only history, the template has
-- its own wamid and timeline, and points back at the message it stands in for. One per message at most.
alter table outbound_message add column fallback_of uuid;
create unique index outbound_message_fallback_of on outbound_message (fallback_of) where fallback_of is not null;
