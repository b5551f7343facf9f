-- Last use of each API key moves out of api_keys into its own table.
--
-- The key lookup runs on every API request; MariaDB answers it from the
-- query cache (SELECT SQL_CACHE, see README) as long as api_keys, devices
-- and device_groups do not change.  Any write to a table drops every cached
-- result that read it, so revocation still takes effect at once, but a
-- last-used write on api_keys itself (one a minute per key and host) would
-- keep emptying the cache.  Here those writes touch nothing the lookup reads.
CREATE TABLE api_key_usage (
  key_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  last_used_at DATETIME(3) NOT NULL,
  last_used_ip VARCHAR(45) NOT NULL,
  CONSTRAINT api_key_usage_key_fk FOREIGN KEY (key_id) REFERENCES api_keys (id) ON DELETE CASCADE
) ENGINE=InnoDB;

INSERT INTO api_key_usage (key_id, last_used_at, last_used_ip)
  SELECT id, last_used_at, COALESCE(last_used_ip, '') FROM api_keys WHERE last_used_at IS NOT NULL;

ALTER TABLE api_keys DROP COLUMN last_used_at, DROP COLUMN last_used_ip;
