// Address checks shared by the providers. Deliberately "plausible", not
// RFC-complete: the point is to catch what a C client gets wrong (empty
// strings, stray CR/LF from a config file, a missing '+' on a number), not
// to replicate every rule of the real services.

// Control characters in an address are how header injection starts; refuse
// them before anything else.
const CONTROL = /[\u0000-\u001f\u007f]/;
const LOCAL = "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const ADDR_SPEC = new RegExp(`^${LOCAL}@${LABEL}(?:\\.${LABEL})+$`);

// Accepts "user@example.com" and "Display Name <user@example.com>".
// Returns the bare address, or null if it is not plausible.
export function emailAddress(value) {
  if (typeof value !== 'string' || value.length > 320 || CONTROL.test(value)) return null;
  const named = /^\s*(?:"[^"]*"|[^<>"]*)\s*<([^<>]+)>\s*$/.exec(value);
  const bare = (named ? named[1] : value).trim();
  return ADDR_SPEC.test(bare) ? bare : null;
}

// E.164: '+', then 8-15 digits, and no country code starts with 0.
export function isE164(value) {
  return typeof value === 'string' && /^\+[1-9]\d{7,14}$/.test(value);
}

// Twilio also sends from short codes and alphanumeric sender IDs.
export function isTwilioSender(value) {
  return isE164(value) || /^\d{5,6}$/.test(value) || /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(value);
}
