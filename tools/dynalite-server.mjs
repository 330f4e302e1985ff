#!/usr/bin/env node
// In-memory DynamoDB API (dynalite) for tests when Docker/LocalStack is not available.
//
//   node tools/dynalite-server.mjs [port]     (port 0 or omitted = pick a free port)
//
// Prints exactly "PORT=<n>" as the first stdout line once listening (the Java test helper
// io.callbridge.testing.dynamodb.DynamoDbServer waits for it). Exits when stdin closes (so a
// dead parent process leaves no orphan), on SIGTERM/SIGINT/SIGHUP, and if the server fails.
// dynalite is resolved from this project's node_modules (run `npm ci` at the project root).
import { createRequire } from 'node:module';

const require = createRequire(new URL('../package.json', import.meta.url));
let dynalite;
try {
  dynalite = require('dynalite');
} catch (e) {
  console.error(`dynalite-server: cannot load 'dynalite' from the project's node_modules (run "npm ci" in the project root): ${e.message}`);
  process.exit(2);
}

const arg = process.argv[2];
const port = arg === undefined || arg === '' ? 0 : Number(arg);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`dynalite-server: invalid port '${arg}'`);
  process.exit(2);
}

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  // Data is in memory only: nothing to flush. Do not wait for keep-alive connections.
  process.exit(code);
}

server.on('error', (err) => {
  console.error(`dynalite-server: ${err.message}`);
  stop(1);
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`PORT=${server.address().port}\n`);
  console.error(`dynalite-server: in-memory DynamoDB API on http://127.0.0.1:${server.address().port} (pid ${process.pid})`);
});

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => stop(0));

// Parent-death detection: the parent keeps our stdin open; EOF/close means it is gone.
process.stdin.on('end', () => stop(0));
process.stdin.on('close', () => stop(0));
process.stdin.on('error', () => stop(0));
process.stdin.resume();
