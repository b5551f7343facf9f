-- Webhooks as an alert channel (issue 13, part 1).
--
-- accounts.webhook_secret_enc: the account's webhook signing secret
-- ("whsec_..."), sealed with the server key like twilio_auth_token_enc
-- (AAD "account:<id>:webhook").  NULL until an administrator generates one;
-- a rule with a webhook recipient is refused until then.
--
-- A recipient may now be an https:// URL of up to 2048 bytes: kind and
-- transport gain 'webhook', and the address columns grow.  A unique key
-- over 2048 utf8mb4 characters is longer than InnoDB allows, so the
-- recipients' uniqueness is kept on a SHA-256 of the address (a stored
-- generated column); the outbox's per-recipient index (the hourly budget's
-- count) becomes a prefix index, which finds the same rows.
ALTER TABLE accounts ADD COLUMN webhook_secret_enc VARBINARY(256) NULL AFTER twilio_from_number;
-- (One statement: the rule_id foreign key needs an index starting with
-- rule_id at every moment.)
ALTER TABLE alert_recipients DROP KEY alert_recipients_rule_address,
  MODIFY kind ENUM('email','sms','webhook') NOT NULL,
  MODIFY address VARCHAR(2048) NOT NULL,
  ADD COLUMN address_sha256 BINARY(32) AS (UNHEX(SHA2(address, 256))) STORED,
  ADD UNIQUE KEY alert_recipients_rule_address (rule_id, kind, address_sha256);
ALTER TABLE alert_outbox DROP KEY alert_outbox_recipient,
  MODIFY transport ENUM('email','sms','webhook') NOT NULL,
  MODIFY recipient VARCHAR(2048) NOT NULL,
  ADD KEY alert_outbox_recipient (recipient(191), created_at);
