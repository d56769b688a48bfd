-- Issue 18 follow-up: when a paused template unpauses. Meta's PAUSED webhook names the pause (other_info.title
-- FIRST_PAUSE: 3 hours, SECOND_PAUSE: 6 hours), so a message waiting for the template can wait for the end of
-- the pause instead of being rejected. Null: not paused, or paused with no end known (then waiting messages are
-- rejected as before).
alter table message_template add column paused_until timestamptz;
