// Just enough RFC 5322 / RFC 2047 to make an SES Content.Raw message readable
// in the outbox (who it is from and to, what the subject says). It is not a
// MIME parser: the full decoded message is stored alongside for anything
// this does not cover.

function decodeEncodedWords(text) {
  return text
    .replace(/\?=\s+=\?/g, '?==?') // whitespace between encoded words is not content
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (whole, charset, encoding, data) => {
      try {
        const bytes =
          encoding.toUpperCase() === 'B'
            ? Buffer.from(data, 'base64')
            : Buffer.from(
                data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))),
                'latin1',
              );
        return new TextDecoder(charset.toLowerCase()).decode(bytes);
      } catch {
        return whole;
      }
    });
}

// Returns { headers: {lower-case name: [values]}, body } for a message text.
export function parseMessage(text) {
  const split = /\r?\n\r?\n/.exec(text);
  const head = split ? text.slice(0, split.index) : text;
  const body = split ? text.slice(split.index + split[0].length) : '';
  const headers = {};
  let current = null;
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && current) {
      current.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    current = { name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() };
    (headers[current.name] ??= []).push(current);
  }
  const decoded = {};
  for (const [name, entries] of Object.entries(headers)) decoded[name] = entries.map((e) => decodeEncodedWords(e.value));
  return { headers: decoded, body };
}

// "a@x.com, B <b@y.com>" -> ["a@x.com", "B <b@y.com>"]; commas inside quotes
// belong to display names, not the list.
export function splitAddressList(value) {
  const out = [];
  let current = '';
  let quoted = false;
  for (const ch of value ?? '') {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      if (current.trim()) out.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
