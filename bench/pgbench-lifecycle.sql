-- (b) The naive message lifecycle: five transactions per message, one commit per step
-- (accept insert, dispatcher claim, sent, delivered, read). pgbench's tps = messages per second.
insert into outbound_message (id, api_key_id, idempotency_key, request_hash, sender, recipient, type, category,
    priority, content, reply_to, fallback_template, callback_url, metadata, status, send_at, expires_at,
    next_attempt_at, created_at, updated_at)
values (gen_random_uuid(), 'bench', null, md5(random()::text), 'main', '+5511' || (900000000 + :client_id), 'template',
    'utility', 1, '{"type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}'::jsonb,
    null, null, null, null, 'queued', null, null, now(), now(), now()) returning id \gset
update outbound_message set status = 'sending', lease_owner = 'bench', lease_expires_at = now() + interval '60 seconds',
    updated_at = now() where id = :id;
update outbound_message set status = 'sent', wamid = 'wamid.' || :id::text, sent_at = now(), attempts = attempts + 1,
    lease_owner = null, lease_expires_at = null, updated_at = now() where id = :id;
update outbound_message set status = 'delivered', updated_at = now() where id = :id;
update outbound_message set status = 'read', updated_at = now() where id = :id;
