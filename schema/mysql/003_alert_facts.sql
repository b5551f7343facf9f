-- An alert names the reading it reports, and since when its condition held.
--
-- alert_state.condition_since: for a pending or alarm state, the time of
-- the first reading that met the condition (for no_data, the last reading
-- before the silence).  `since` says when the state itself began, so an
-- alarm raised after a minimum duration has both.
--
-- alert_events.rule_kind and condition_since: copied like the names, so a
-- message, the alert log and /verify can say "no data since ..." or "above
-- the limit since ..." after the rule is gone.  reading_at already holds
-- the reading's own time; value is NULL for no_data.
ALTER TABLE alert_state ADD COLUMN condition_since DATETIME(3) NULL AFTER since;
ALTER TABLE alert_events ADD COLUMN rule_kind ENUM('above','below','outside','no_data') NULL AFTER kind,
  ADD COLUMN condition_since DATETIME(3) NULL AFTER reading_at;
