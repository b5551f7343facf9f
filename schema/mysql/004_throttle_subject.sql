-- A sign-in counter per e-mail and address is keyed "email|address": up to
-- 254 + 1 + 45 characters.  At 254 the e-mail had to be cut to fit, so two
-- long addresses with the same beginning shared one counter.  Nothing a
-- client sends is cut to fit: the subject holds the whole pair.
ALTER TABLE login_throttle MODIFY subject VARCHAR(300) NOT NULL;
