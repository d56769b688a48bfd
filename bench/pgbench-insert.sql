-- (a) The physical limit of accepting: one outbound_message row per transaction, the columns the
-- gateway's accept path writes (MessageRepository.INSERT), with the schema's indexes and NOTIFY trigger.
insert into outbound_message (id, api_key_id, idempotency_key, request_hash, sender, recipient, type, category,
    priority, content, reply_to, fallback_template, callback_url, metadata, status, send_at, expires_at,
    next_attempt_at, created_at, updated_at)
values (gen_random_uuid(), 'bench', null, md5(random()::text), 'main', '+5511' || (900000000 + :client_id), 'template',
    'utility', 1, '{"type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}'::jsonb,
    null, null, null, null, 'queued', null, null, now(), now(), now());
