#!/usr/bin/env bash
# The native stack works from a checkout in any folder: a clone inside a folder of mode
# 700 (as a checkout under a home directory), run as root, where PostgreSQL (run as the
# 'postgres' user) cannot enter the stack dir. Starts the stack there on ports of its own
# (with the optional Prometheus), checks status, stops it, resets it and removes the
# clone. Uses this work tree's deploy/local and deploy/observability (uncommitted changes
# included) and the shared cache (Kafka jars, FerretDB build). About 30 s with a warm cache.
#
#   bash deploy/local/test-any-folder.sh
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Ports of its own, so that it runs beside the default stack.
export GM_KAFKA_PORT=${TEST_KAFKA_PORT:-29092}
export GM_KAFKA_CONTROLLER_PORT=${TEST_KAFKA_CONTROLLER_PORT:-29093}
export GM_MONGO_PORT=${TEST_MONGO_PORT:-47017}
export GM_POSTGRES_PORT=${TEST_POSTGRES_PORT:-55439}
export GM_REDIS_PORT=${TEST_REDIS_PORT:-26379}
export GM_PROMETHEUS_PORT=${TEST_PROMETHEUS_PORT:-29090}
unset GM_STACK_DIR GM_STACK_PG_DIR
PORTS=("$GM_KAFKA_PORT" "$GM_KAFKA_CONTROLLER_PORT" "$GM_MONGO_PORT" "$GM_POSTGRES_PORT" "$GM_REDIS_PORT" "$GM_PROMETHEUS_PORT")

say() { printf 'any-folder: %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

if [[ $EUID != 0 ]]; then
  # Without root, PostgreSQL runs as the caller, who can enter the checkout.
  say "runs as root only (the case it tests does not arise otherwise); nothing done"
  exit 0
fi
for p in "${PORTS[@]}"; do
  port_open "$p" && fail "port $p is taken; set TEST_*_PORT (see the top of this script)"
done

started=$SECONDS
work=$(mktemp -d /tmp/gm-any-folder.XXXXXX)
chmod 700 "$work"
clone=$work/gm
stack() { bash "$clone/deploy/local/stack.sh" "$@"; }
cleanup() {
  local rc=$?
  if [[ -f $clone/deploy/local/stack.sh ]]; then
    stack reset >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  for p in "${PORTS[@]}"; do port_open "$p" && say "port $p still open after cleanup" && rc=1; done
  if ((rc == 0)); then
    say "passed in $((SECONDS - started))s"
  else
    say "failed after $((SECONDS - started))s"
  fi
  exit $rc
}
trap cleanup EXIT

say "cloning into $clone (folder mode 700)"
git clone -q "$REPO" "$clone"
rm -rf "$clone/deploy/local" "$clone/deploy/observability"
cp -r "$REPO/deploy/local" "$REPO/deploy/observability" "$clone/deploy/"
setpriv --reuid=postgres --regid=postgres --clear-groups -- test -x "$clone" &&
  fail "the postgres user can enter $clone: the test would not test anything"

say "GM_STACK_PG_DIR in a folder postgres cannot enter: fails early, saying what to change"
out=$(GM_STACK_PG_DIR=$work/pg stack start postgres 2>&1) && fail "start postgres succeeded: $out"
grep -q "set GM_STACK_PG_DIR to a folder it can reach" <<<"$out" || fail "unexpected message: $out"

say "up prometheus"
out=$(stack up prometheus 2>&1) || fail "up failed: $out"
printf '%s\n' "$out" | sed 's/^/  /' >&2
grep -q "keeping PostgreSQL's data in /var/tmp/group-messages-stack/" <<<"$out" ||
  fail "up did not say where PostgreSQL's data went"

say "status"
out=$(stack status 2>&1) || fail "status says not all up: $out"
printf '%s\n' "$out" | sed 's/^/  /' >&2
grep -q '^postgres .*up (pid [0-9]*), data in /var/tmp/group-messages-stack/' <<<"$out" ||
  fail "status does not show PostgreSQL's data outside the stack dir"
grep -q '^prometheus .*up (pid [0-9]*)' <<<"$out" || fail "status does not show prometheus"
pgdir=$(cat "$clone/.local/stack/data/postgres.dir")
[[ $(stat -c '%U %a' "$pgdir") == 'postgres 700' ]] || fail "$pgdir is not postgres's, mode 700"
[[ $(redis-cli -h 127.0.0.1 -p "$GM_REDIS_PORT" ping) == PONG ]] || fail "redis does not answer"
curl -fsS "http://127.0.0.1:$GM_PROMETHEUS_PORT/api/v1/rules" | grep -q GmConsumerLagHigh ||
  fail "prometheus did not load the alert rules"

say "down"
stack down 2>&1 | sed 's/^/  /' >&2
stack status >/dev/null 2>&1 && fail "status says up after down"
for p in "${PORTS[@]}"; do port_open "$p" && fail "port $p still open after down"; done

say "reset"
stack reset 2>&1 | sed 's/^/  /' >&2
[[ ! -e $pgdir ]] || fail "reset left $pgdir"
