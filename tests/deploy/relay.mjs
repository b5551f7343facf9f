// relay.mjs SOCKET HOST PORT - run inside a lab host's namespace: every
// connection to the unix socket SOCKET is piped to HOST:PORT from there, so
// the test process (outside the lab) can open connections that start in
// that host, with that host's address as their source.
import fs from 'node:fs';
import net from 'node:net';

const [sock, host, port] = process.argv.slice(2);
fs.rmSync(sock, { force: true });
net.createServer((c) => {
  const up = net.connect({ host, port: Number(port) });
  c.pipe(up).pipe(c);
  const end = () => { c.destroy(); up.destroy(); };
  c.on('error', end);
  up.on('error', end);
  c.on('close', end);
  up.on('close', end);
}).listen(sock);
process.on('SIGTERM', () => process.exit(0));
