// Posts API Gateway (HTTP API v2) events through the Lambda mock event server of a local Callbridge run and
// prints what each one did; with a sandbox URL, also prints the Pipedrive objects the run created.
//   node tools/post-events.mjs http://localhost:8080 events [http://127.0.0.1:<sandbox port>]
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [base, dir = 'events', sandbox = ''] = process.argv.slice(2);
if (!base) {
  console.error('usage: node tools/post-events.mjs <handler base url> [events dir] [sandbox url]');
  process.exit(2);
}
const token = process.env.CALLBRIDGE_WEBHOOK_TOKEN;

async function sandboxState() {
  if (!sandbox) return null;
  const res = await fetch(`${sandbox}/__sandbox/state`);
  return res.ok ? res.json() : null;
}

const before = await sandboxState();
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
let failures = 0;
for (const file of files) {
  const event = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  if (token && event.headers) event.headers['x-webhook-token'] = token;
  let line;
  try {
    const res = await fetch(`${base}/_lambda_`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    const reply = await res.json();
    let body = {};
    try { body = JSON.parse(reply.body ?? '{}'); } catch { body = { error: String(reply.body).slice(0, 120) }; }
    const ids = ['personId', 'dealId', 'activityId'].filter((k) => body[k] != null).map((k) => `${k}=${body[k]}`);
    line = `HTTP ${reply.statusCode}  ${String(body.status ?? '?').padEnd(9)} ${ids.join(' ')} ${body.message ?? body.error ?? ''}`;
    if (reply.statusCode >= 500) failures++;
  } catch (e) {
    line = `no answer: ${e.message}`;
    failures++;
  }
  console.log(`  ${file.padEnd(46)} ${line.trim()}`);
}

const after = await sandboxState();
if (before && after) {
  const known = (kind) => new Set((before[kind] ?? []).map((o) => o.id));
  console.log('\n  LOCAL PIPEDRIVE SANDBOX (not a real Pipedrive): what the events changed');
  for (const p of (after.persons ?? []).filter((o) => !known('persons').has(o.id))) {
    const phones = (p.phones ?? []).map((x) => (typeof x === 'string' ? x : x.value)).join(', ');
    console.log(`    new person   #${p.id} ${p.name} (${phones})`);
  }
  for (const d of (after.deals ?? []).filter((o) => !known('deals').has(o.id))) {
    console.log(`    new deal     #${d.id} "${d.title}" person #${d.person_id} owner #${d.owner_id}`);
  }
  const beforeActivities = new Map((before.activities ?? []).map((a) => [a.id, JSON.stringify(a)]));
  for (const a of after.activities ?? []) {
    const was = beforeActivities.get(a.id);
    if (was === JSON.stringify(a)) continue;
    const where = a.deal_id ? `deal #${a.deal_id}` : `person #${a.person_id} (no deal)`;
    console.log(`    ${was ? 'updated' : 'new'} activity #${a.id} "${a.subject}" on ${where}, owner #${a.owner_id}, ` +
      `${a.due_date} ${a.due_time} UTC, ${a.duration ?? 'no duration'}, ${a.done ? 'done' : 'to do'}`);
  }
}
process.exit(failures ? 1 : 0);
