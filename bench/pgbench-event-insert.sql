-- The reference of the callback benchmark (bench/callbacks.sh): one event_outbox row per transaction, as
-- EventOutbox appends a message.status event with a callback URL, with the schema's indexes.
insert into event_outbox (type, message_id, contact_phone, url, payload, state, next_attempt_at, created_at)
values ('message.status', gen_random_uuid(), '+5511' || (900000000 + :client_id), 'http://127.0.0.1:9/bench',
    '{"messageId":"0190a9a4-7c3e-7000-8000-000000000000","status":"delivered","to":"+5511987654321","from":"main","metadata":{}}'::jsonb,
    'pending', now() + interval '1 day', now());
