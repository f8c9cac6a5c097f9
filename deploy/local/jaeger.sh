#!/usr/bin/env bash
# Jaeger v2 (github.com/jaegertracing/jaeger cmd/jaeger, built from the Go
# module proxy like FerretDB) as a real OTLP receiver for the services'
# traces, on 127.0.0.1: OTLP/HTTP in, traces in memory, the query API out.
#
#   bash deploy/local/jaeger.sh build    # once per machine (7–9 min cold), cached
#   bash deploy/local/jaeger.sh start    # build if needed, start, wait until healthy
#   bash deploy/local/jaeger.sh stop
#   bash deploy/local/jaeger.sh status
#   bash deploy/local/jaeger.sh env      # export OTEL_EXPORTER_OTLP_ENDPOINT=...
#
# Ports: GM_JAEGER_OTLP_PORT (4318), GM_JAEGER_QUERY_PORT (16686),
# GM_JAEGER_QUERY_GRPC_PORT (16685), GM_JAEGER_HEALTH_PORT (13133).
# State: GM_JAEGER_DIR (default <repo>/.local/jaeger): pid file and log.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${GM_STACK_CACHE:-$HOME/.cache/group-messages-stack}
DIR=${GM_JAEGER_DIR:-$REPO/.local/jaeger}
export GM_JAEGER_OTLP_PORT=${GM_JAEGER_OTLP_PORT:-4318}
export GM_JAEGER_QUERY_PORT=${GM_JAEGER_QUERY_PORT:-16686}
export GM_JAEGER_QUERY_GRPC_PORT=${GM_JAEGER_QUERY_GRPC_PORT:-16685}
export GM_JAEGER_HEALTH_PORT=${GM_JAEGER_HEALTH_PORT:-13133}
BIN=$CACHE/jaeger-$(cat "$HERE/jaeger/go.mod" "$HERE/jaeger/go.sum" | sha256sum | cut -c1-16)

say() { printf 'jaeger: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
healthy() { curl -fsS -o /dev/null "http://127.0.0.1:$GM_JAEGER_HEALTH_PORT/status" 2>/dev/null; }
pid() { [[ -f $DIR/jaeger.pid ]] && kill -0 "$(cat "$DIR/jaeger.pid")" 2>/dev/null && cat "$DIR/jaeger.pid"; }

build() {
  [[ -x $BIN ]] && return
  command -v go >/dev/null || die "go is needed to build Jaeger (once)"
  say "building $(sed -n 's/^tool //p' "$HERE/jaeger/go.mod") into $BIN (once, 7–9 min)"
  mkdir -p "$CACHE"
  local work
  work=$(mktemp -d "$CACHE/jaeger-build.XXXXXX")
  cp "$HERE"/jaeger/{go.mod,go.sum} "$work/"
  (cd "$work" && go build -trimpath -o "$BIN.tmp" github.com/jaegertracing/jaeger/cmd/jaeger) ||
    { rm -rf "$work"; die "build failed"; }
  rm -rf "$work"
  mv "$BIN.tmp" "$BIN"
}

start() {
  if pid >/dev/null; then healthy && return; fi
  build
  mkdir -p "$DIR"
  [[ -f $DIR/jaeger.log ]] && mv "$DIR/jaeger.log" "$DIR/jaeger.log.1"
  setsid nohup "$BIN" --config "file:$HERE/jaeger/config.yaml" >"$DIR/jaeger.log" 2>&1 </dev/null &
  echo $! >"$DIR/jaeger.pid"
  for _ in $(seq 1 150); do
    healthy && { say "up: OTLP http://127.0.0.1:$GM_JAEGER_OTLP_PORT, query http://127.0.0.1:$GM_JAEGER_QUERY_PORT"; return; }
    pid >/dev/null || die "exited: $(tail -n 20 "$DIR/jaeger.log")"
    sleep 0.2
  done
  die "not healthy after 30 s: $(tail -n 20 "$DIR/jaeger.log")"
}

stop() {
  local p
  p=$(pid) || { rm -f "$DIR/jaeger.pid"; return 0; }
  kill "$p" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$p" 2>/dev/null || true
  rm -f "$DIR/jaeger.pid"
}

case ${1:-} in
  build) build ;;
  start) start ;;
  stop) stop ;;
  status) if pid >/dev/null && healthy; then echo "jaeger up (query http://127.0.0.1:$GM_JAEGER_QUERY_PORT)"; else echo "jaeger down"; exit 1; fi ;;
  env) echo "export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$GM_JAEGER_OTLP_PORT" ;;
  *) die "usage: jaeger.sh build|start|stop|status|env" ;;
esac
