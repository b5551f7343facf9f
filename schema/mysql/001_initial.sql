-- 001_initial.sql - the whole relational model of Gauge.
--
-- Conventions: InnoDB, utf8mb4, all times are UTC DATETIME(3) (the app sets
-- time_zone = '+00:00' on every connection).  Secrets are stored only as
-- SHA-256 hashes (keys, tokens, codes) or bcrypt (passwords) or encrypted
-- with the server key (TOTP secrets, Twilio tokens).  Public ids (uid) are
-- random so that knowing one id never lets anyone guess another.
-- Statements end with ';' at the end of a line (gaugectl migrate splits there).

CREATE TABLE accounts (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  require_2fa TINYINT(1) NOT NULL DEFAULT 0,
  twilio_account_sid VARCHAR(64) NULL,
  twilio_auth_token_enc VARBINARY(512) NULL,
  twilio_from_number VARCHAR(20) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT UNSIGNED NOT NULL,
  email VARCHAR(254) NOT NULL,
  password_hash VARCHAR(128) NULL COMMENT 'bcrypt $2b$; NULL until the user sets one',
  role ENUM('admin','user','viewer') NOT NULL DEFAULT 'user',
  totp_secret_enc VARBINARY(256) NULL,
  totp_enabled TINYINT(1) NOT NULL DEFAULT 0,
  totp_last_step BIGINT NULL COMMENT 'last accepted TOTP time step: a code works once',
  password_changed_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY users_email (email),
  KEY users_account (account_id),
  CONSTRAINT users_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE recovery_codes (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  code_hash BINARY(32) NOT NULL,
  used_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY recovery_codes_user_code (user_id, code_hash),
  CONSTRAINT recovery_codes_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE sessions (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash BINARY(32) NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  csrf_secret BINARY(32) NOT NULL,
  mfa_pending TINYINT(1) NOT NULL DEFAULT 0 COMMENT 'password checked, second factor not yet',
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_seen_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at DATETIME(3) NOT NULL COMMENT 'absolute timeout',
  ip VARCHAR(45) NOT NULL,
  user_agent VARCHAR(255) NOT NULL DEFAULT '',
  UNIQUE KEY sessions_token (token_hash),
  KEY sessions_user (user_id),
  CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Failed sign-ins counted per email and per client address, shared by all
-- workers and hosts because it lives here.
CREATE TABLE login_throttle (
  scope ENUM('email','ip') NOT NULL,
  subject VARCHAR(254) NOT NULL,
  failures INT UNSIGNED NOT NULL DEFAULT 0,
  window_start DATETIME(3) NOT NULL,
  locked_until DATETIME(3) NULL,
  PRIMARY KEY (scope, subject)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One-time links: set-password for invited users, password reset.
CREATE TABLE one_time_tokens (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  purpose ENUM('set_password','reset_password') NOT NULL,
  token_hash BINARY(32) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  used_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY one_time_tokens_hash (token_hash),
  CONSTRAINT one_time_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE device_groups (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uid CHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  account_id BIGINT UNSIGNED NOT NULL,
  name VARCHAR(100) NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY device_groups_uid (uid),
  UNIQUE KEY device_groups_account_name (account_id, name),
  CONSTRAINT device_groups_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Readings themselves live in MongoDB under the numeric id.
CREATE TABLE devices (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uid CHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  account_id BIGINT UNSIGNED NOT NULL,
  group_id BIGINT UNSIGNED NULL,
  name VARCHAR(100) NOT NULL,
  public_read TINYINT(1) NOT NULL DEFAULT 0 COMMENT 'key authentication off: read-only by id',
  last_seen_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY devices_uid (uid),
  KEY devices_account (account_id),
  KEY devices_group (group_id),
  CONSTRAINT devices_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE,
  CONSTRAINT devices_group_fk FOREIGN KEY (group_id) REFERENCES device_groups (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Device keys have device_id set; account keys have it NULL.  A key works
-- while revoked_at is NULL and expires_at (set when rotated with a grace
-- period) is NULL or in the future.
CREATE TABLE api_keys (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT UNSIGNED NOT NULL,
  device_id BIGINT UNSIGNED NULL,
  kind ENUM('device','account') NOT NULL,
  key_hash BINARY(32) NOT NULL,
  display_prefix VARCHAR(16) CHARACTER SET ascii NOT NULL,
  created_by_user_id BIGINT UNSIGNED NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at DATETIME(3) NULL,
  revoked_at DATETIME(3) NULL,
  last_used_at DATETIME(3) NULL,
  last_used_ip VARCHAR(45) NULL,
  UNIQUE KEY api_keys_hash (key_hash),
  KEY api_keys_device (device_id),
  KEY api_keys_account (account_id, kind),
  CONSTRAINT api_keys_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE,
  CONSTRAINT api_keys_device_fk FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE,
  CONSTRAINT api_keys_kind_ck CHECK ((kind = 'device') = (device_id IS NOT NULL))
) ENGINE=InnoDB;

CREATE TABLE alert_rules (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT UNSIGNED NOT NULL,
  device_id BIGINT UNSIGNED NULL,
  group_id BIGINT UNSIGNED NULL,
  name VARCHAR(100) NOT NULL,
  channel VARCHAR(64) NOT NULL,
  kind ENUM('above','below','outside','no_data') NOT NULL,
  threshold DOUBLE NULL COMMENT 'above/below limit; low limit for outside',
  threshold_high DOUBLE NULL COMMENT 'high limit for outside',
  clear_threshold DOUBLE NULL COMMENT 'hysteresis: value that clears above/below (low side for outside)',
  clear_threshold_high DOUBLE NULL,
  no_data_minutes INT UNSIGNED NULL,
  min_duration_s INT UNSIGNED NOT NULL DEFAULT 0,
  reminder_s INT UNSIGNED NULL,
  notify_clear TINYINT(1) NOT NULL DEFAULT 1,
  enabled TINYINT(1) NOT NULL DEFAULT 1,
  created_by_user_id BIGINT UNSIGNED NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY alert_rules_account (account_id),
  KEY alert_rules_device (device_id),
  KEY alert_rules_group (group_id),
  CONSTRAINT alert_rules_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE,
  CONSTRAINT alert_rules_device_fk FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE,
  CONSTRAINT alert_rules_group_fk FOREIGN KEY (group_id) REFERENCES device_groups (id) ON DELETE CASCADE,
  CONSTRAINT alert_rules_target_ck CHECK ((device_id IS NULL) <> (group_id IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE alert_recipients (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  rule_id BIGINT UNSIGNED NOT NULL,
  kind ENUM('email','sms') NOT NULL,
  address VARCHAR(254) NOT NULL,
  UNIQUE KEY alert_recipients_rule_address (rule_id, kind, address),
  CONSTRAINT alert_recipients_rule_fk FOREIGN KEY (rule_id) REFERENCES alert_rules (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Evaluation state per rule and device: ok, pending (condition holds, not
-- yet for min_duration), alarm.
CREATE TABLE alert_state (
  rule_id BIGINT UNSIGNED NOT NULL,
  device_id BIGINT UNSIGNED NOT NULL,
  state ENUM('ok','pending','alarm') NOT NULL DEFAULT 'ok',
  since DATETIME(3) NOT NULL,
  last_value DOUBLE NULL,
  last_reading_at DATETIME(3) NULL,
  last_notified_at DATETIME(3) NULL,
  acknowledged_at DATETIME(3) NULL,
  acknowledged_by_user_id BIGINT UNSIGNED NULL,
  PRIMARY KEY (rule_id, device_id),
  CONSTRAINT alert_state_rule_fk FOREIGN KEY (rule_id) REFERENCES alert_rules (id) ON DELETE CASCADE,
  CONSTRAINT alert_state_device_fk FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- The alert log: one row per alert event, with the code anyone holding the
-- message can check at /verify/{code}.  Kept when rules or devices go, so
-- verification keeps working; names are copied for that reason.
CREATE TABLE alert_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  verify_code CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  account_id BIGINT UNSIGNED NOT NULL,
  rule_id BIGINT UNSIGNED NULL,
  device_id BIGINT UNSIGNED NULL,
  device_name VARCHAR(100) NOT NULL,
  rule_name VARCHAR(100) NOT NULL,
  channel VARCHAR(64) NOT NULL,
  kind ENUM('alarm','reminder','clear','no_data','digest') NOT NULL,
  value DOUBLE NULL,
  reading_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY alert_events_code (verify_code),
  KEY alert_events_account (account_id, created_at),
  CONSTRAINT alert_events_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The outbox: one row per message to send, written in the same transaction
-- as its event, claimed by one gauge-alertd at a time (lease), retried with
-- backoff until sent or permanently failed.
CREATE TABLE alert_outbox (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id BIGINT UNSIGNED NOT NULL,
  transport ENUM('email','sms') NOT NULL,
  recipient VARCHAR(254) NOT NULL,
  status ENUM('pending','sending','sent','failed','held','digested','unknown') NOT NULL DEFAULT 'pending'
    COMMENT 'held: over the recipient budget, waiting for a digest; unknown: interrupted mid-send',
  is_digest TINYINT(1) NOT NULL DEFAULT 0,
  digest_id BIGINT UNSIGNED NULL COMMENT 'for held rows: the digest that carried them',
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  lease_owner VARCHAR(64) NULL,
  lease_until DATETIME(3) NULL,
  last_error VARCHAR(512) NULL,
  provider_message_id VARCHAR(128) NULL,
  sent_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY alert_outbox_due (status, next_attempt_at),
  KEY alert_outbox_recipient (recipient, created_at),
  KEY alert_outbox_event (event_id),
  CONSTRAINT alert_outbox_event_fk FOREIGN KEY (event_id) REFERENCES alert_events (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Readings gauge-alertd has evaluated within its look-back window.  Writers
-- insert concurrently, so a reading may become visible after later ones;
-- the window is re-read each cycle and this set says which were done.
CREATE TABLE alertd_seen (
  reading_oid BINARY(12) NOT NULL PRIMARY KEY,
  received_at DATETIME(3) NOT NULL,
  KEY alertd_seen_received (received_at)
) ENGINE=InnoDB;

-- Progress and liveness of the alert workers, for `gaugectl status`.
CREATE TABLE alertd_state (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value VARCHAR(255) NOT NULL,
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;

CREATE TABLE audit_log (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT UNSIGNED NULL,
  actor_user_id BIGINT UNSIGNED NULL,
  actor_key_id BIGINT UNSIGNED NULL,
  actor_label VARCHAR(254) NOT NULL COMMENT 'email, key prefix or "gaugectl", kept if the actor is deleted',
  action VARCHAR(64) NOT NULL,
  target_type VARCHAR(32) NULL,
  target_id VARCHAR(64) NULL,
  detail TEXT NULL COMMENT 'JSON',
  result VARCHAR(255) NULL COMMENT 'outcome, filled in once known (e.g. readings deleted)',
  ip VARCHAR(45) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY audit_log_account (account_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
