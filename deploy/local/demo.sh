#!/usr/bin/env bash
# The whole system on this machine, without Docker: installs what is missing,
# starts the native stack, builds and starts the seven services as separate
# processes, and loads the demo practice.
#
#   demo.sh up | down | status
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUN=$REPO/.local/services
cd "$REPO"

SERVICES=(practice-directory:3001 group-config:3002 phr-preferences:3003 messaging-intake:3004 routing-assignment:3005 inbox-projection:3006 access-audit:3007)

say() { printf '%s\n' "$*" >&2; }

service_up() { curl -fsS "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1; }

start_services() {
  mkdir -p "$RUN"
  eval "$(bash deploy/local/stack.sh env)"
  export AUTH_JWT_SECRET=${AUTH_JWT_SECRET:-dev-only-change-me-0123456789abcdef}
  local entry name port
  for entry in "${SERVICES[@]}"; do
    name=${entry%%:*} port=${entry##*:}
    if service_up "$port"; then
      say "$name: already answering on $port"
      continue
    fi
    PORT=$port setsid nohup node "services/$name/dist/main.js" >"$RUN/$name.log" 2>&1 </dev/null &
    echo $! >"$RUN/$name.pid"
  done
  for entry in "${SERVICES[@]}"; do
    name=${entry%%:*} port=${entry##*:}
    local deadline=$((SECONDS + 60))
    until service_up "$port"; do
      if ((SECONDS >= deadline)); then
        say "$name did not become ready; last lines of $RUN/$name.log:"
        tail -n 30 "$RUN/$name.log" >&2
        exit 1
      fi
      sleep 0.5
    done
    printf '%-20s http://127.0.0.1:%s  (OpenAPI: /docs)\n' "$name" "$port"
  done
}

stop_services() {
  local entry name pid
  for entry in "${SERVICES[@]}"; do
    name=${entry%%:*}
    [[ -f $RUN/$name.pid ]] || continue
    pid=$(cat "$RUN/$name.pid")
    kill -TERM "$pid" 2>/dev/null && say "$name: stopping (pid $pid)"
    rm -f "$RUN/$name.pid"
  done
}

case ${1:-up} in
  up)
    [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error
    bash deploy/local/stack.sh up
    npx nx run-many -t build --output-style=static >"$REPO/.local/build.log" 2>&1 ||
      { tail -n 40 "$REPO/.local/build.log" >&2; exit 1; }
    start_services
    if [[ -f tools/demo/seed.ts ]]; then
      node --import @swc-node/register/esm-register tools/demo/seed.ts
    fi
    ;;
  down)
    stop_services
    bash deploy/local/stack.sh down
    ;;
  status)
    for entry in "${SERVICES[@]}"; do
      name=${entry%%:*} port=${entry##*:}
      if service_up "$port"; then state=up; else state=down; fi
      printf '%-20s %-6s http://127.0.0.1:%s\n' "$name" "$state" "$port"
    done
    bash deploy/local/stack.sh status
    ;;
  *) say "usage: $0 up | down | status"; exit 2 ;;
esac
