// CRC-32C (Castagnoli), the checksum OP_MSG uses for its optional trailer; the
// journal reuses it to tell a torn or garbled final record from a good one.
// Node 18 has no built-in CRC-32C, so this is the classic table-driven form.

const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  TABLE[n] = c;
}

export function crc32c(bytes) {
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
