#!/usr/bin/env bash
# Native local stack for machines without Docker (dev and CI): a real Apache
# Kafka broker (KRaft, single node), FerretDB (MongoDB wire protocol) on
# PostgreSQL, and Redis, all bound to 127.0.0.1; on request also a Prometheus
# server scraping the services (deploy/observability). See deploy/local/README.md.
#
#   stack.sh up [prometheus] | down | status | env | reset
#   stack.sh start | stop | restart  kafka|postgres|mongodb|redis|prometheus
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${GM_STACK_CACHE:-$HOME/.cache/group-messages-stack}
STACK=${GM_STACK_DIR:-$REPO/.local/stack}
DATA=$STACK/data LOGS=$STACK/logs RUN=$STACK/run

HOST=127.0.0.1
KAFKA_PORT=${GM_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${GM_KAFKA_CONTROLLER_PORT:-9093}
MONGO_PORT=${GM_MONGO_PORT:-27017}
REDIS_PORT=${GM_REDIS_PORT:-6379}
POSTGRES_PORT=${GM_POSTGRES_PORT:-54329}
PROMETHEUS_PORT=${GM_PROMETHEUS_PORT:-9090}
# Order matters: FerretDB (mongodb) stores its data in PostgreSQL.
SERVERS=(kafka postgres mongodb redis)
# Started only when named (`up prometheus`, `start prometheus`); status and down
# include them once started.
OPTIONAL_SERVERS=(prometheus)
PROMETHEUS_CONFIG=$REPO/deploy/observability/prometheus.yml

KAFKA_LIBS=$CACHE/kafka-libs-$(sha256sum <"$HERE/kafka/pom.xml" | cut -c1-16)
# FerretDB is built from the Go module proxy with the project's patches
# applied (ferretdb/patches, ADR 0015); GM_FERRETDB_BUILD=stock builds it
# without them, for before/after benchmarks.
FERRETDB_BUILD=${GM_FERRETDB_BUILD:-patched}
case $FERRETDB_BUILD in
  patched) FERRETDB_PATCHES=("$HERE"/ferretdb/patches/*.patch) ;;
  stock) FERRETDB_PATCHES=() ;;
  *) echo "stack: GM_FERRETDB_BUILD is 'patched' or 'stock', not '$FERRETDB_BUILD'" >&2; exit 2 ;;
esac
FERRETDB_BIN=$CACHE/ferretdb-$FERRETDB_BUILD-$(cd "$HERE/ferretdb" && cat go.mod go.sum main.go "${FERRETDB_PATCHES[@]}" | sha256sum | cut -c1-16)

# ---------------------------------------------------------------- helpers

say() { printf '%s\n' "$*" >&2; }
die() { say "stack: $*"; exit 1; }

port_of() { case $1 in kafka) echo "$KAFKA_PORT" ;; postgres) echo "$POSTGRES_PORT" ;; mongodb) echo "$MONGO_PORT" ;; redis) echo "$REDIS_PORT" ;; prometheus) echo "$PROMETHEUS_PORT" ;; esac; }
marker_of() { case $1 in kafka) echo kafka.Kafka ;; postgres) echo postgres ;; mongodb) echo ferretdb ;; redis) echo redis-server ;; prometheus) echo prometheus ;; esac; }
timeout_of() { case $1 in kafka) echo 90 ;; *) echo 30 ;; esac; }

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

# pid of the server this script started, if it is still alive.
pid_of() {
  local f=$RUN/$1.pid pid
  [[ -f $f ]] || return 1
  read -r pid _ <"$f"
  if kill -0 "$pid" 2>/dev/null && grep -qa "$2" "/proc/$pid/cmdline" 2>/dev/null; then
    echo "$pid"
  else
    rm -f "$f"
    return 1
  fi
}

# spawn NAME CMD...: run CMD detached (own session, survives the caller).
spawn() {
  local name=$1
  shift
  mkdir -p "$LOGS" "$RUN"
  [[ -f $LOGS/$name.log ]] && mv -f "$LOGS/$name.log" "$LOGS/$name.log.1"
  setsid nohup "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo "$! $(port_of "$name")" >"$RUN/$name.pid" # pid, port it was started on
}

# wait_ready NAME: poll NAME_ready within a bound; fail early if it exited.
wait_ready() {
  local name=$1 secs deadline
  secs=$(timeout_of "$name")
  deadline=$((SECONDS + secs))
  until "${name}_ready"; do
    if ! pid_of "$name" "$(marker_of "$name")" >/dev/null; then
      say "stack: $name exited during startup; last lines of $LOGS/$name.log:"
    elif ((SECONDS >= deadline)); then
      say "stack: $name not ready after ${secs}s; last lines of $LOGS/$name.log:"
    else
      sleep 0.5
      continue
    fi
    tail -n 30 "$LOGS/$name.log" >&2 2>/dev/null || true
    exit 1
  done
}

# terminate NAME MARKER SECONDS: TERM the started process, KILL after a bound.
terminate() {
  local name=$1 pid i
  if ! pid=$(pid_of "$1" "$2"); then
    say "$name: not started by this script, nothing to stop"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < $3 * 2; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name: still running after $3s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$RUN/$name.pid"
  say "$name: stopped (pid $pid)"
}

# Missing prerequisites, named all at once before any work is done.
check_prereqs() {
  local missing=() s
  for s in "$@"; do
    case $s in
      kafka)
        command -v java >/dev/null || missing+=("java (JDK 17+, runs Kafka)")
        [[ -f $KAFKA_LIBS/.complete ]] || command -v mvn >/dev/null ||
          missing+=("mvn (Maven, resolves Kafka from Maven Central once)")
        ;;
      mongodb)
        [[ -x $FERRETDB_BIN ]] || command -v go >/dev/null ||
          missing+=("go (Go 1.24+, builds FerretDB once)")
        [[ -x $FERRETDB_BIN ]] || ((${#FERRETDB_PATCHES[@]} == 0)) || command -v patch >/dev/null ||
          missing+=("patch (applies ferretdb/patches once)")
        ;;
      postgres)
        pg_bin >/dev/null || { [[ $EUID == 0 ]] && command -v apt-get >/dev/null; } ||
          missing+=("PostgreSQL server binaries (e.g. 'sudo apt-get install postgresql')")
        ;;
      redis)
        command -v redis-server >/dev/null || { [[ $EUID == 0 ]] && command -v apt-get >/dev/null; } ||
          missing+=("redis-server (e.g. 'sudo apt-get install redis-server')")
        ;;
      prometheus)
        command -v prometheus >/dev/null || { [[ $EUID == 0 ]] && command -v apt-get >/dev/null; } ||
          missing+=("prometheus (e.g. 'sudo apt-get install --no-install-recommends prometheus')")
        command -v curl >/dev/null || missing+=("curl (Prometheus readiness)")
        ;;
    esac
  done
  for s in timeout setsid sha256sum; do
    command -v "$s" >/dev/null || missing+=("$s (coreutils/util-linux)")
  done
  ((${#missing[@]} == 0)) || die "missing prerequisites: $(printf '\n  - %s' "${missing[@]}")"
}

# ---------------------------------------------------------------- kafka

kafka_addr() { echo "$HOST:$KAFKA_PORT"; }

kafka_install() {
  [[ -f $KAFKA_LIBS/.complete ]] && return
  say "kafka: resolving jars from Maven Central into $KAFKA_LIBS (once)"
  rm -rf "$KAFKA_LIBS" "$KAFKA_LIBS.tmp"
  mkdir -p "$CACHE"
  mvn -B -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS.tmp" >"$CACHE/mvn.log" 2>&1 ||
    die "kafka: mvn failed, see $CACHE/mvn.log: $(tail -n 20 "$CACHE/mvn.log")"
  touch "$KAFKA_LIBS.tmp/.complete"
  mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
}

kafka_config() {
  local conf=$STACK/conf
  mkdir -p "$conf" "$DATA/kafka"
  cat >"$conf/kafka.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA/kafka
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  cat >"$conf/kafka-log4j2.yaml" <<'EOF'
Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        Pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.server.KafkaRaftServer
        level: INFO
EOF
}

KAFKA_JAVA=(java -Xms256m -Xmx768m -Dlog4j2.configurationFile="$STACK/conf/kafka-log4j2.yaml" -cp "$KAFKA_LIBS/*")

kafka_start() {
  kafka_install
  port_open "$KAFKA_CONTROLLER_PORT" && die "kafka: controller port $KAFKA_CONTROLLER_PORT is taken (GM_KAFKA_CONTROLLER_PORT)"
  kafka_config
  if [[ ! -f $DATA/kafka/meta.properties ]]; then
    say "kafka: formatting storage in $DATA/kafka (once)"
    "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -c "$STACK/conf/kafka.properties" \
      -t "$("${KAFKA_JAVA[@]}" kafka.tools.StorageTool random-uuid)" >/dev/null
  fi
  spawn kafka "${KAFKA_JAVA[@]}" kafka.Kafka "$STACK/conf/kafka.properties"
}

# Ready = client port accepts and (for a broker we started) it logged startup.
kafka_ready() {
  port_open "$KAFKA_PORT" || return 1
  pid_of kafka kafka.Kafka >/dev/null || return 0
  grep -q 'Kafka Server started' "$LOGS/kafka.log"
}

kafka_stop() { terminate kafka kafka.Kafka 30; }

# ---------------------------------------------------------------- postgres (FerretDB's storage)

postgres_addr() { echo "postgres://postgres@$HOST:$POSTGRES_PORT/postgres"; }

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir && -x $dir/initdb ]] && echo "$dir"
}

postgres_install() {
  pg_bin >/dev/null && return
  say "postgres: installing Debian package postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
}

# PostgreSQL refuses to run as root: as root, run it as the 'postgres' user (from /,
# since the caller's working directory may be one that user cannot enter).
AS_PG=()
[[ $EUID == 0 ]] && AS_PG=(setpriv --reuid=postgres --regid=postgres --clear-groups -- env -C /)
as_pg() { "${AS_PG[@]}" "$@"; }

# Where PostgreSQL keeps its data. Normally data/postgres in the stack dir. As root,
# PostgreSQL runs as 'postgres', which must be able to enter every folder on the way:
# a checkout under a mode-700 home is not, so then the data lives in a folder of its
# own outside (PG_OUTSIDE, or GM_STACK_PG_DIR), recorded in data/postgres.dir. Logs,
# pid files and the initdb log stay in the stack dir (root writes them); no socket.
PG_DIR_FILE=$DATA/postgres.dir
PG_OUTSIDE=/var/tmp/group-messages-stack/$(printf '%s' "$STACK" | sha256sum | cut -c1-12)
pg_dir() {
  if [[ -n ${GM_STACK_PG_DIR:-} ]]; then
    echo "$GM_STACK_PG_DIR"
  elif [[ -f $PG_DIR_FILE ]]; then
    cat "$PG_DIR_FILE"
  else
    echo "$DATA/postgres"
  fi
}

# pg_blocker PATH: the first folder on the way to PATH that 'postgres' cannot enter.
pg_blocker() {
  local path=$1 prefix='' part
  local IFS=/
  for part in ${path#/}; do
    prefix=$prefix/$part
    [[ -d $prefix ]] || break
    as_pg test -x "$prefix" || { echo "$prefix"; return 0; }
  done
  return 1
}

# Choose (once) and prepare the data directory; fail early, saying what to change.
pg_prepare_dir() {
  local dir blocker
  dir=$(pg_dir)
  if [[ $EUID == 0 && -z ${GM_STACK_PG_DIR:-} && ! -f $PG_DIR_FILE ]]; then
    mkdir -p "$DATA"
    if blocker=$(pg_blocker "$DATA"); then
      [[ -f $DATA/postgres/PG_VERSION ]] &&
        die "postgres: its data is in $DATA/postgres, but the postgres user cannot enter $blocker (mode $(stat -c %a "$blocker")); allow it (chmod o+x $blocker) or run 'stack.sh reset'"
      dir=$PG_OUTSIDE
      say "postgres: the postgres user cannot enter $blocker (mode $(stat -c %a "$blocker")); keeping PostgreSQL's data in $dir"
      echo "$dir" >"$PG_DIR_FILE"
    fi
  fi
  if [[ $EUID == 0 ]]; then
    mkdir -p "$(dirname "$dir")"
    [[ -d $dir ]] || mkdir "$dir"
    chown postgres: "$dir" && chmod 700 "$dir"
    if blocker=$(pg_blocker "$dir"); then
      die "postgres: the postgres user cannot enter $blocker (mode $(stat -c %a "$blocker")) on the way to its data $dir; set GM_STACK_PG_DIR to a folder it can reach (default for this stack: $PG_OUTSIDE) or allow it (chmod o+x $blocker)"
    fi
  else
    mkdir -p "$dir"
    chmod 700 "$dir"
  fi
  echo "$dir"
}

postgres_start() {
  postgres_install
  local bin dir
  bin=$(pg_bin)
  dir=$(pg_prepare_dir)
  if [[ ! -f $dir/PG_VERSION ]]; then
    say "postgres: initialising $dir (once)"
    as_pg "$bin/initdb" -D "$dir" -A trust -U postgres -E UTF8 >"$STACK/initdb.log" 2>&1 ||
      die "postgres: initdb failed: $(tail -n 20 "$STACK/initdb.log")"
  fi
  local run_as=("${AS_PG[@]}")
  # plan_cache_mode: FerretDB passes field names as statement parameters
  # (`_jsonb->$1`), and only a plan made with the values matches the
  # expression indexes (ADR 0015).
  spawn postgres "${run_as[@]}" "$bin/postgres" -D "$dir" -p "$POSTGRES_PORT" \
    -c listen_addresses="$HOST" -c unix_socket_directories= -c max_connections=200 \
    -c plan_cache_mode=force_custom_plan
}

postgres_ready() { [[ $(timeout 3 "$(pg_bin)/pg_isready" -q -h "$HOST" -p "$POSTGRES_PORT"; echo $?) == 0 ]]; }

# SIGINT is PostgreSQL's fast shutdown (TERM would wait for FerretDB's connections).
postgres_stop() {
  local pid i
  if ! pid=$(pid_of postgres postgres); then
    say "postgres: not started by this script, nothing to stop"
    return 0
  fi
  kill -INT "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  rm -f "$RUN/postgres.pid"
  say "postgres: stopped (pid $pid)"
}

# ---------------------------------------------------------------- mongodb (FerretDB)

mongodb_addr() { echo "mongodb://$HOST:$MONGO_PORT"; }

mongodb_install() {
  [[ -x $FERRETDB_BIN ]] && return
  say "mongodb: building FerretDB ($FERRETDB_BUILD) into $FERRETDB_BIN (once, ~2 min)"
  mkdir -p "$CACHE"
  local work module src
  work=$(mktemp -d "$CACHE/ferretdb-build.XXXXXX")
  cp "$HERE"/ferretdb/{go.mod,go.sum,main.go} "$work/"
  if ((${#FERRETDB_PATCHES[@]})); then
    # The module as the proxy serves it, copied, patched, and used in its place.
    module=$(cd "$work" && go list -m -f '{{.Path}}@{{.Version}}' github.com/FerretDB/FerretDB)
    src=$(cd "$work" && go mod download -json "$module" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    [[ -d $src ]] || die "mongodb: cannot download $module"
    cp -r "$src" "$work/FerretDB" && chmod -R u+w "$work/FerretDB"
    local patch
    for patch in "${FERRETDB_PATCHES[@]}"; do
      patch -s -p1 -d "$work/FerretDB" <"$patch" || die "mongodb: $(basename "$patch") does not apply to $module"
    done
    (cd "$work" && go mod edit -replace github.com/FerretDB/FerretDB=./FerretDB)
  fi
  (cd "$work" && go build -trimpath -o "$FERRETDB_BIN.tmp" .) || { rm -rf "$work"; die "mongodb: FerretDB build failed"; }
  rm -rf "$work"
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
}

mongodb_start() {
  mongodb_install
  postgres_ready || die "mongodb: FerretDB needs PostgreSQL; run 'stack.sh start postgres'"
  spawn mongodb "$FERRETDB_BIN" -listen "$HOST:$MONGO_PORT" -postgresql-url "$(postgres_addr)" -log-level error
}

# Ready = port accepts and, when the repo's mongodb driver is installed, a ping.
mongodb_ready() {
  port_open "$MONGO_PORT" || return 1
  [[ -d $REPO/node_modules/mongodb ]] || return 0
  (cd "$REPO" && timeout 10 node -e '
    const { MongoClient } = require("mongodb");
    const c = new MongoClient(process.argv[1], { serverSelectionTimeoutMS: 3000 });
    c.db("admin").command({ ping: 1 }).then(() => c.close(), () => process.exit(1));
  ' "$(mongodb_addr)") >/dev/null 2>&1
}

mongodb_stop() { terminate mongodb ferretdb 10; }

# ---------------------------------------------------------------- redis

redis_addr() { echo "redis://$HOST:$REDIS_PORT"; }

redis_install() {
  command -v redis-server >/dev/null && return
  say "redis: installing Debian package redis-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null
}

redis_start() {
  redis_install
  mkdir -p "$DATA/redis"
  spawn redis redis-server --bind "$HOST" --port "$REDIS_PORT" --daemonize no \
    --save "" --appendonly yes --dir "$DATA/redis" --logfile ""
}

redis_ready() { [[ $(timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

redis_stop() { terminate redis redis-server 10; }

# ---------------------------------------------------------------- prometheus (optional)

prometheus_addr() { echo "http://$HOST:$PROMETHEUS_PORT"; }

# Debian's package (2.42) also installs a system service: if the install started it
# (no policy-rc.d), stop it again, so that only the stack's server runs.
prometheus_install() {
  command -v prometheus >/dev/null && return
  say "prometheus: installing Debian package prometheus"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  if [[ -d /run/systemd/system ]]; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  elif [[ -x /etc/init.d/prometheus ]]; then
    /etc/init.d/prometheus stop >/dev/null 2>&1 || true
  fi
}

# The services' demo ports (deploy/observability/prometheus.yml) and the alert rules
# next to it; TSDB in the stack dir.
prometheus_start() {
  prometheus_install
  [[ -f $PROMETHEUS_CONFIG ]] || die "prometheus: $PROMETHEUS_CONFIG is missing"
  mkdir -p "$DATA/prometheus"
  spawn prometheus prometheus --config.file="$PROMETHEUS_CONFIG" \
    --storage.tsdb.path="$DATA/prometheus" --storage.tsdb.retention.time=7d \
    --web.listen-address="$HOST:$PROMETHEUS_PORT" --web.enable-lifecycle
}

prometheus_ready() { timeout 3 curl -fsS "$(prometheus_addr)/-/ready" >/dev/null 2>&1; }

prometheus_stop() { terminate prometheus prometheus 10; }

# Optional servers this script started (a pid file, alive or not).
started_optional() {
  local s
  for s in "${OPTIONAL_SERVERS[@]}"; do [[ -f $RUN/$s.pid ]] && echo "$s"; done
  return 0
}

# ---------------------------------------------------------------- commands

# launch NAME unless it (ours or anybody's) already answers; wait with wait_ready.
launch() {
  local s=$1
  if "${s}_ready"; then
    pid_of "$s" "$(marker_of "$s")" >/dev/null || say "$s: $("${s}_addr") answers (not started by stack.sh), reusing"
    return
  fi
  if pid_of "$s" "$(marker_of "$s")" >/dev/null; then
    local started_port
    read -r _ started_port <"$RUN/$s.pid"
    [[ $started_port == "$(port_of "$s")" ]] ||
      die "$s: already started by this script on port $started_port; run 'stack.sh stop $s' first"
  else
    port_open "$(port_of "$s")" && die "$s: port $(port_of "$s") is taken by something that does not answer like $s"
    "${s}_start"
  fi
}

# wait_all NAME...: every server answers (or exit with its log).
wait_all() {
  local s pid
  for s in "$@"; do
    wait_ready "$s"
    if pid=$(pid_of "$s" "$(marker_of "$s")"); then say "$s: up (pid $pid)"; fi
  done
}

print_addrs() {
  local s
  for s in "${SERVERS[@]}" $(started_optional); do printf '%-10s %s\n' "$s" "$("${s}_addr")"; done
}

# up [OPTIONAL...]: the four servers, plus the optional ones named.
cmd_up() {
  local s
  for s in "$@"; do
    [[ " ${OPTIONAL_SERVERS[*]} " == *" $s "* ]] || die "up: expected nothing or an optional server (${OPTIONAL_SERVERS[*]}), not '$s'"
  done
  check_prereqs "${SERVERS[@]}" "$@"
  # Build/resolve first (slow only once), then start everything.
  kafka_install
  postgres_install
  mongodb_install
  redis_install
  # promtool (same package) checks the alert rules and dashboard in the tests; installed,
  # not started. Best effort: only the checks that need it fail without it.
  if [[ $EUID == 0 ]] && command -v apt-get >/dev/null; then prometheus_install || say "prometheus: not installed"; fi
  # Kafka starts in the background while the storage chain comes up in order.
  launch kafka
  launch postgres
  wait_all postgres
  launch mongodb
  launch redis
  for s in "$@"; do
    "${s}_install"
    launch "$s"
  done
  wait_all kafka mongodb redis "$@"
  print_addrs
}

cmd_down() {
  local s
  for s in $(started_optional); do "${s}_stop"; done
  for s in kafka mongodb postgres redis; do "${s}_stop"; done
}

cmd_status() {
  local s state rc=0 pid dir
  for s in "${SERVERS[@]}" $(started_optional); do
    if "${s}_ready"; then
      if pid=$(pid_of "$s" "$(marker_of "$s")"); then state="up (pid $pid)"; else state="up (not started by stack.sh)"; fi
    else
      state=down rc=1
    fi
    if [[ $s == postgres ]]; then
      dir=$(pg_dir)
      if [[ -n ${GM_STACK_PG_DIR:-} ]]; then
        state+=", data in $dir (GM_STACK_PG_DIR)"
      elif [[ $dir != "$DATA/postgres" ]]; then
        state+=", data in $dir (the postgres user cannot enter the stack dir)"
      fi
    fi
    printf '%-10s %-28s %s\n' "$s" "$("${s}_addr")" "$state"
  done
  return $rc
}

cmd_env() {
  echo "export KAFKA_BROKERS=$HOST:$KAFKA_PORT"
  echo "export MONGODB_URI=$(mongodb_addr)"
  echo "export REDIS_URL=$(redis_addr)"
}

cmd_reset() {
  local pg
  pg=$(pg_dir)
  cmd_down
  # PostgreSQL's data outside the stack dir (see pg_dir): only a data directory.
  if [[ $pg != "$DATA/postgres" && -d $pg ]]; then
    if [[ -f $pg/PG_VERSION || -z $(ls -A "$pg") ]]; then
      rm -rf "$pg"
      rmdir "$(dirname "$pg")" 2>/dev/null || true
      say "stack: PostgreSQL data wiped ($pg)"
    else
      say "stack: $pg is not a PostgreSQL data directory, left alone"
    fi
  fi
  rm -rf "$DATA" "$LOGS"
  say "stack: data and logs wiped ($STACK)"
}

server_arg() {
  case ${1:-} in
    kafka | postgres | mongodb | redis | prometheus) ;;
    *) die "expected a server name: kafka, postgres, mongodb, redis or prometheus" ;;
  esac
}

usage() {
  cat >&2 <<EOF
usage: $0 up [prometheus] | down | status | env | reset
       $0 start | stop | restart  kafka|postgres|mongodb|redis|prometheus
EOF
  exit 2
}

# Plain statements (not && chains) so that `set -e` applies inside functions.
one() {
  server_arg "${2:-}"
  if [[ $1 == stop ]]; then
    "${2}_stop"
    return
  fi
  check_prereqs "$2"
  [[ $1 == restart ]] && "${2}_stop"
  launch "$2"
  wait_all "$2"
  print_addrs | grep "^$2 "
}

case ${1:-} in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  reset) cmd_reset ;;
  start | stop | restart) one "$@" ;;
  *) usage ;;
esac
