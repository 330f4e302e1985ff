#!/usr/bin/env bash
# Callbridge, locally and end to end: MyOperator webhooks -> the real Lambda handler (Quarkus dev mode's
# Lambda mock event server on http://localhost:8080) -> an embedded DynamoDB-compatible store (dynalite)
# -> Pipedrive.
#
#   ./run-local.sh                      # against a LOCAL PIPEDRIVE SANDBOX (in memory, clearly labelled)
#   CALLBRIDGE_PIPEDRIVE_BASE_URL=https://acme.pipedrive.com CALLBRIDGE_PIPEDRIVE_API_TOKEN=... ./run-local.sh
#                                       # against your real Pipedrive (writes real activities!)
#
# It posts every event in events/ through the handler, prints what each did, then keeps serving
# http://localhost:8080/webhooks/myoperator until Ctrl-C. Set QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE to use
# another DynamoDB instead of dynalite, CALLBRIDGE_LOCAL_SEND_EVENTS=false to skip posting the events.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
OUT="$ROOT/target/local-run"
PORT=${CALLBRIDGE_LOCAL_PORT:-8080}

say() { printf '\033[1m[run-local]\033[0m %s\n' "$*"; }
die() { printf '[run-local] ERROR: %s\n' "$*" >&2; exit 1; }

command -v java >/dev/null || die "Java 17 is needed (java not found)"
command -v node >/dev/null || die "Node.js 20 is needed for the embedded DynamoDB (node not found)"
command -v curl >/dev/null || die "curl is needed"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # quarkus:dev forks the application JVM; stop it too
  pkill -f "$ROOT/target/callbridge-dev.jar" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT"
if [ ! -f node_modules/dynalite/package.json ]; then
  say "installing dynalite (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Reads "PORT=<n>" from a coprocess's stdout (the tools print it once they listen).
read_port() {
  local fd=$1 what=$2 line
  if ! IFS= read -r -t 120 -u "$fd" line || [[ "$line" != PORT=* ]]; then
    die "$what did not start (see $OUT)"
  fi
  echo "${line#PORT=}"
}

if [ -z "${QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE:-}" ]; then
  # The wrapper exits when its stdin (this script's pipe) closes, so it never outlives the script.
  coproc DYNALITE { exec node tools/dynalite-server.mjs 0 2>"$OUT/dynalite.log"; }
  PIDS+=("$DYNALITE_PID")
  DYNAMO_PORT=$(read_port "${DYNALITE[0]}" dynalite)
  export QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE="http://127.0.0.1:$DYNAMO_PORT"
  export QUARKUS_DYNAMODB_AWS_REGION=us-east-1
  export QUARKUS_DYNAMODB_AWS_CREDENTIALS_TYPE=static
  export QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID=local
  export QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY=local
  say "embedded DynamoDB (dynalite, in memory) on $QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE"
else
  say "DynamoDB at $QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE"
fi
export CALLBRIDGE_CREATE_TABLE=${CALLBRIDGE_CREATE_TABLE:-true}
export CALLBRIDGE_TABLE=${CALLBRIDGE_TABLE:-callbridge-local}

SANDBOX_URL=""
if [ -z "${CALLBRIDGE_PIPEDRIVE_API_TOKEN:-}" ]; then
  say "no CALLBRIDGE_PIPEDRIVE_API_TOKEN: starting the LOCAL PIPEDRIVE SANDBOX (not a real Pipedrive)"
  ./mvnw -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$OUT/classpath.txt" >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; die "build failed"; }
  # (bash warns about a second coprocess; the warning is harmless and silenced)
  { coproc SANDBOX { exec java -cp "target/test-classes:target/classes:$(cat "$OUT/classpath.txt")" \
      io.callbridge.testing.pipedrive.PipedriveSandbox --port 0 --token sandbox-token 2>"$OUT/sandbox.log"; }; } 2>/dev/null
  PIDS+=("$SANDBOX_PID")
  SANDBOX_PORT=$(read_port "${SANDBOX[0]}" "the Pipedrive sandbox")
  SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT"
  export CALLBRIDGE_PIPEDRIVE_BASE_URL="$SANDBOX_URL"
  export CALLBRIDGE_PIPEDRIVE_API_TOKEN=sandbox-token
  export CALLBRIDGE_DEFAULT_OWNER_EMAIL=${CALLBRIDGE_DEFAULT_OWNER_EMAIL:-admin@example.com}
  say "Pipedrive SANDBOX on $SANDBOX_URL (its log: $OUT/sandbox.log)"
else
  [ -n "${CALLBRIDGE_PIPEDRIVE_BASE_URL:-}" ] || die "CALLBRIDGE_PIPEDRIVE_BASE_URL must be set with CALLBRIDGE_PIPEDRIVE_API_TOKEN"
  say "REAL Pipedrive at $CALLBRIDGE_PIPEDRIVE_BASE_URL: the sample events will create real activities"
fi
# Fresh secrets for each local run unless you set them: the mock server listens on every interface.
random_token() { node -e "process.stdout.write(require('crypto').randomBytes(18).toString('base64url'))"; }
export CALLBRIDGE_WEBHOOK_TOKEN=${CALLBRIDGE_WEBHOOK_TOKEN:-$(random_token)}
export CALLBRIDGE_ADMIN_TOKEN=${CALLBRIDGE_ADMIN_TOKEN:-$(random_token)}

say "starting the Lambda handler (Quarkus dev mode, log: $OUT/quarkus.log)"
./mvnw -B quarkus:dev -Dquarkus.console.enabled=false -Ddebug=false -Dquarkus.analytics.disabled=true \
  -Dquarkus.lambda.mock-event-server.dev-port="$PORT" >"$OUT/quarkus.log" 2>&1 </dev/null &
PIDS+=("$!")
for _ in $(seq 1 300); do
  if curl -s -o /dev/null "http://localhost:$PORT/webhooks/myoperator" 2>/dev/null; then break; fi
  kill -0 "${PIDS[-1]}" 2>/dev/null || { tail -n 40 "$OUT/quarkus.log"; die "Quarkus dev mode stopped"; }
  sleep 1
done
curl -s -o /dev/null "http://localhost:$PORT/webhooks/myoperator" || die "the handler did not come up (see $OUT/quarkus.log)"

QUARKUS_PID=${PIDS[-1]}
if [ "${CALLBRIDGE_LOCAL_SEND_EVENTS:-true}" = "true" ]; then
  say "posting events/*.json through the Lambda handler"
  node tools/post-events.mjs "http://localhost:$PORT" events "$SANDBOX_URL" || true
fi

# What EventBridge does in AWS: post the scheduled replay event every CALLBRIDGE_LOCAL_REPLAY_SECONDS.
REPLAY_EVERY=${CALLBRIDGE_LOCAL_REPLAY_SECONDS:-20}
( while sleep "$REPLAY_EVERY"; do
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
      --data @events/internal/schedule-replay.json "http://localhost:$PORT/_lambda_" || true
  done ) &
PIDS+=("$!")

cat <<EOT

  Webhook: http://localhost:$PORT/webhooks/myoperator   header X-Webhook-Token: $CALLBRIDGE_WEBHOOK_TOKEN
  Admin:   http://localhost:$PORT/admin/calls?status=parked   header X-Admin-Token: $CALLBRIDGE_ADMIN_TOKEN
  Users:   POST http://localhost:$PORT/admin/sync, GET http://localhost:$PORT/admin/mappings (same header)
           (no MyOperator API locally: the sync maps the agents seen in webhooks to the Pipedrive users)
  Parked calls are replayed every ${REPLAY_EVERY} s (in AWS: ReplayFunction's schedule, every minute). Logs: $OUT/
  Note: Quarkus' local Lambda emulator listens on all network interfaces and handles one request at a
  time; use it on a trusted machine only. Ctrl-C stops everything.

EOT
wait "$QUARKUS_PID"
