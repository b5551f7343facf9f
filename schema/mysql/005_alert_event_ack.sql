-- Acknowledgement per alert event, so the alert history (dashboard and
-- GET /api/v1/alert-events) can say who acknowledged an alarm and when,
-- after the alarm has cleared and alert_state has moved on.  An
-- acknowledgement stamps every alarm, no_data and reminder event of the
-- alarm it stops (from its latest alarm or no_data event on).
-- acknowledged_by is a label like audit_log.actor_label: the user's e-mail
-- or the account key's prefix, kept if the user or key goes.
--
-- alert_events_account_id: the history is paged newest first by id within
-- an account.  alert_events_pair: the latest alarm of a rule on a device.
--
-- alert_rules.enabled_at: when a disabled rule was last enabled again.
-- gauge-alertd does not evaluate a rule against readings received before
-- it, so a crossing while the rule was disabled sends nothing, not even
-- after the rule is enabled (its look-back window would otherwise reach it).
ALTER TABLE alert_rules ADD COLUMN enabled_at DATETIME(3) NULL AFTER enabled;
ALTER TABLE alert_events ADD COLUMN acknowledged_at DATETIME(3) NULL AFTER created_at,
  ADD COLUMN acknowledged_by VARCHAR(254) NULL AFTER acknowledged_at,
  ADD KEY alert_events_account_id (account_id, id),
  ADD KEY alert_events_pair (rule_id, device_id, kind);
