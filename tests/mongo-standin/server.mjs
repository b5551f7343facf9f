// Entry point of the MongoDB stand-in used by Gauge's development stack and
// tests in place of a real mongod (Debian ships none). Parses the command
// line, replays --dbpath, listens, and shuts down cleanly on SIGTERM/SIGINT.
// The one line on stdout announces the real port, so callers can pass 0.
//
//   node tests/mongo-standin/server.mjs --host 127.0.0.1 --port 0 --dbpath DIR
//        [--socket PATH] [--verbose]
//
// --socket also listens on a unix socket, as mongod does by default
// (/tmp/mongodb-PORT.sock): a client on the same host skips the TCP stack.
import fs from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { createDispatcher } from './commands.mjs';
import { Cursors } from './cursors.mjs';
import { Storage } from './storage.mjs';
import { ProtocolError, serveConnection } from './wire.mjs';

const log = (message) => process.stderr.write(`mongo-standin: ${message}\n`);

function usage(problem) {
  log(`${problem}\nusage: server.mjs --dbpath DIR [--host 127.0.0.1] [--port 27017] [--socket PATH] [--verbose]`);
  process.exit(2);
}

let options;
try {
  options = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '27017' },
      dbpath: { type: 'string' },
      socket: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  }).values;
} catch (err) {
  usage(err.message);
}
const port = Number(options.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`invalid --port '${options.port}'`);
if (!options.dbpath) usage('--dbpath is required');

// Losing the journal means acknowledged writes might not survive a restart:
// stop at once, as mongod does, rather than keep answering.
function fatal(err) {
  log(`fatal: journal write failed: ${err.message}`);
  process.exit(1);
}

let storage;
try {
  storage = new Storage(options.dbpath, { log, onFatal: fatal });
} catch (err) {
  log(`cannot open --dbpath ${options.dbpath}: ${err.stack}`);
  process.exit(1);
}
const cursors = new Cursors();
const execute = createDispatcher({ storage, cursors, log, verbose: options.verbose });
const sockets = new Set();
let connections = 0;

function serve(socket) {
  const connection = { id: ++connections };
  sockets.add(socket);
  if (socket.setNoDelay) socket.setNoDelay(true);
  if (options.verbose) log(`conn${connection.id} from ${socket.remoteAddress}:${socket.remotePort}`);
  // A client that hangs up while its request is being handled makes the
  // reply's write fail; that must not take the whole server down.
  socket.on('error', (err) => options.verbose && log(`conn${connection.id}: ${err.message}`));
  serveConnection(socket, (request) => execute(request, connection))
    .catch((err) => {
      if (options.verbose || err instanceof ProtocolError) log(`conn${connection.id}: ${err.message}`);
    })
    .finally(() => {
      sockets.delete(socket);
      socket.destroy();
    });
}

const server = net.createServer(serve);
const unixServer = options.socket ? net.createServer(serve) : null;

function listenOrExit(srv, where, ...args) {
  srv.on('error', (err) => {
    log(`cannot listen on ${where}: ${err.message}`);
    process.exit(1);
  });
  return new Promise((resolve) => srv.listen(...args, resolve));
}

if (unixServer) {
  // A socket file left by a killed run would make listen fail.
  fs.rmSync(options.socket, { force: true });
  await listenOrExit(unixServer, options.socket, options.socket);
}
await listenOrExit(server, `${options.host}:${port}`, port, options.host);
process.stdout.write(`mongo-standin listening on ${options.host}:${server.address().port}\n`);

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  if (options.verbose) log(`${signal}: shutting down`);
  server.close();
  unixServer?.close();
  for (const socket of sockets) socket.destroy();
  cursors.close();
  await storage.close();
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
