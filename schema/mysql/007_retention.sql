-- Data retention (README, "Data retention"): readings older than a number
-- of days are deleted by `gaugectl prune` (run hourly by the shipped
-- gauge-prune.timer).  accounts.retention_days is the account's default,
-- devices.retention_days a device's own window, which beats the default.
-- NULL: no window of its own (a device then follows the account; an
-- account without one keeps readings forever).  The range is retention.c's
-- rule, repeated here so that no other writer can store a nonsense window.
ALTER TABLE accounts ADD COLUMN retention_days INT UNSIGNED NULL AFTER require_2fa,
  ADD CONSTRAINT accounts_retention_ck CHECK (retention_days BETWEEN 1 AND 36500);
ALTER TABLE devices ADD COLUMN retention_days INT UNSIGNED NULL AFTER public_read,
  ADD CONSTRAINT devices_retention_ck CHECK (retention_days BETWEEN 1 AND 36500);
