#!/usr/bin/env bash
# Local Kafka (KRaft, single node) + Redis stack for development and tests.
# Usage: scripts/stack.sh up|down|status|restart kafka|redis|redis-auth|logs [kafka|redis|redis-auth] [-f]|install
# State, logs and pid files live in .stack/ at the repository root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="$ROOT/.stack"
LOG_DIR="$STACK_DIR/logs"
RUN_DIR="$STACK_DIR/run"
KAFKA_LIBS="$STACK_DIR/kafka-libs"
KAFKA_DIR="$STACK_DIR/kafka"
KAFKA_TEMPLATE_DIR="$ROOT/scripts/kafka"

# Overridable so a second checkout can run its own stack beside this one (set MODSTREAM_TEST_* to match).
KAFKA_PORT="${MODSTREAM_STACK_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${MODSTREAM_STACK_KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_SASL_PORT="${MODSTREAM_STACK_KAFKA_SASL_PORT:-19094}"
REDIS_PORT="${MODSTREAM_STACK_REDIS_PORT:-16379}"
REDIS_AUTH_PORT="${MODSTREAM_STACK_REDIS_AUTH_PORT:-16380}"
SASL_USER=modstream
SASL_PASSWORD=modstream-secret
KAFKA_HEAP="${MODSTREAM_STACK_KAFKA_HEAP:-512m}"
KAFKA_READY_TIMEOUT_S="${MODSTREAM_STACK_KAFKA_TIMEOUT_S:-120}"
REDIS_READY_TIMEOUT_S=15
STOP_TIMEOUT_S=30

log() { printf '[stack] %s\n' "$*"; }
die() {
  printf '[stack] ERROR: %s\n' "$*" >&2
  exit 1
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  log "installing $* with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

install_redis() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  apt_install redis-server
}

install_kafka() {
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
  local stamp="$KAFKA_LIBS/.pom.sha256" wanted
  wanted="$(sha256sum "$KAFKA_TEMPLATE_DIR/pom.xml" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null || true)" = "$wanted" ] && ls "$KAFKA_LIBS"/kafka_2.13-*.jar >/dev/null 2>&1; then
    return 0
  fi
  rm -rf "$KAFKA_LIBS"
  mkdir -p "$KAFKA_LIBS"
  log "resolving Kafka jars from Maven Central into $KAFKA_LIBS"
  mvn -B -q -f "$KAFKA_TEMPLATE_DIR/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" >"$LOG_DIR/maven.log" 2>&1 ||
    die "resolving Kafka jars from Maven Central failed; see $LOG_DIR/maven.log"
  ls "$KAFKA_LIBS"/kafka_2.13-*.jar >/dev/null 2>&1 || die "no kafka_2.13 jar in $KAFKA_LIBS"
  printf '%s\n' "$wanted" >"$stamp"
}

install_all() {
  mkdir -p "$LOG_DIR" "$RUN_DIR"
  install_redis
  install_kafka
}

# --- process bookkeeping -------------------------------------------------------------------

pid_file() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }

# A pid counts as ours only if it is alive and its command line or working directory points
# into .stack/, so a recycled pid or someone else's broker is never touched.
is_ours() {
  local pid="$1"
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  local cmdline cwd
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null || true)"
  case "$cmdline $cwd" in
    *"$STACK_DIR"*) return 0 ;;
    *) return 1 ;;
  esac
}

running_pid() {
  local file pid
  file="$(pid_file "$1")"
  [ -f "$file" ] || return 1
  pid="$(cat "$file" 2>/dev/null || true)"
  is_ours "$pid" || return 1
  printf '%s' "$pid"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop_service() {
  local name="$1" pid waited=0
  if ! pid="$(running_pid "$name")"; then
    rm -f "$(pid_file "$name")"
    log "$name: not running"
    return 0
  fi
  log "$name: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  while [ -d "/proc/$pid" ] && [ "$waited" -lt $((STOP_TIMEOUT_S * 10)) ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  if [ -d "/proc/$pid" ]; then
    log "$name: still running after ${STOP_TIMEOUT_S}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while [ -d "/proc/$pid" ]; do sleep 0.1; done
  fi
  rm -f "$(pid_file "$name")"
  log "$name: stopped"
}

# Closes every descriptor above stderr in the calling (sub)shell, so a long-lived service never inherits
# the stack lock or a lock the caller holds (e.g. `flock some.lock bash scripts/stack.sh restart kafka`).
close_inherited_fds() {
  local fd
  for fd in /proc/"$BASHPID"/fd/*; do
    fd="${fd##*/}"
    if [ "$fd" -gt 2 ]; then { exec {fd}>&-; } 2>/dev/null || true; fi
  done
}

# --- Redis ----------------------------------------------------------------------------------

redis_ping() {
  local port="$1"
  shift
  [ "$(redis-cli -h 127.0.0.1 -p "$port" "$@" --no-auth-warning ping 2>/dev/null || true)" = "PONG" ]
}

start_redis() {
  local name="$1" port="$2"
  shift 2
  local auth=("$@") pid
  if pid="$(running_pid "$name")"; then
    log "$name: already running (pid $pid, port $port)"
    return 0
  fi
  port_in_use "$port" && die "port $port is in use by a process this stack did not start"
  local data_dir="$STACK_DIR/$name"
  rm -rf "$data_dir"
  mkdir -p "$data_dir"
  log "$name: starting on 127.0.0.1:$port"
  local args=(--bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize yes
    --dir "$data_dir" --pidfile "$(pid_file "$name")" --logfile "$LOG_DIR/$name.log")
  if [ "${#auth[@]}" -gt 0 ]; then args+=(--requirepass "${auth[1]}"); fi
  (close_inherited_fds && exec redis-server "${args[@]}") || die "$name failed to start; see $LOG_DIR/$name.log"
  local deadline=$((SECONDS + REDIS_READY_TIMEOUT_S))
  until redis_ping "$port" "${auth[@]}"; do
    [ "$SECONDS" -lt "$deadline" ] || die "$name not ready after ${REDIS_READY_TIMEOUT_S}s; see $LOG_DIR/$name.log"
    sleep 0.1
  done
  log "$name: ready"
}

# --- Kafka ----------------------------------------------------------------------------------

kafka_java() {
  java -Xms128m -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:TieredStopAtLevel=1 \
    -Djava.awt.headless=true -Dkafka.logs.dir="$LOG_DIR" \
    -Dlog4j.configuration="file:$KAFKA_TEMPLATE_DIR/log4j.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

render_kafka_config() {
  mkdir -p "$KAFKA_DIR"
  sed -e "s|@PLAINTEXT_PORT@|$KAFKA_PORT|g" \
    -e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
    -e "s|@SASL_PORT@|$KAFKA_SASL_PORT|g" \
    -e "s|@DATA_DIR@|$KAFKA_DIR/data|g" \
    "$KAFKA_TEMPLATE_DIR/server.properties.template" >"$KAFKA_DIR/server.properties"
}

kafka_ports_free() {
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_SASL_PORT"; do
    port_in_use "$port" && die "port $port is in use by a process this stack did not start"
  done
  return 0
}

# `up`: fresh storage on every start (formatted with the SCRAM users), then the broker.
start_kafka() {
  local pid
  if pid="$(running_pid kafka)"; then
    log "kafka: already running (pid $pid)"
    wait_kafka_ready "$pid"
    return 0
  fi
  kafka_ports_free
  rm -rf "$KAFKA_DIR"
  render_kafka_config
  : >"$LOG_DIR/kafka.log"
  log "kafka: formatting storage"
  # A cluster id is 16 random bytes in unpadded base64url (what `StorageTool random-uuid` prints).
  local cluster_id
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  kafka_java kafka.tools.StorageTool format -t "$cluster_id" \
    -c "$KAFKA_DIR/server.properties" \
    --add-scram "SCRAM-SHA-256=[name=$SASL_USER,password=$SASL_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]" \
    >"$LOG_DIR/kafka-format.log" 2>&1 || die "kafka storage format failed; see $LOG_DIR/kafka-format.log"
  launch_kafka
}

# `restart kafka`: stops the broker (SIGTERM, SIGKILL after STOP_TIMEOUT_S) and starts it again on the
# storage it had: topics, messages, committed offsets and SCRAM users survive. Also starts a broker that
# died, as long as its storage is there.
restart_kafka() {
  [ -f "$KAFKA_DIR/data/meta.properties" ] ||
    die "kafka: no storage in $KAFKA_DIR/data to restart on; run \`$0 up\` first"
  stop_service kafka
  kafka_ports_free
  render_kafka_config
  launch_kafka
}

# Starts the broker on the storage in $KAFKA_DIR and waits until it is ready. kafka.log is appended to
# across restarts; readiness is looked for after the size it had at launch.
launch_kafka() {
  local log_file="$LOG_DIR/kafka.log"
  touch "$log_file"
  stat -c %s "$log_file" >"$RUN_DIR/kafka.log-offset"
  log "kafka: starting on 127.0.0.1:$KAFKA_PORT (SASL 127.0.0.1:$KAFKA_SASL_PORT)"
  (cd "$KAFKA_DIR" && close_inherited_fds && exec setsid nohup java -Xms128m -Xmx"$KAFKA_HEAP" -XX:+UseG1GC \
    -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true -Dkafka.logs.dir="$LOG_DIR" \
    -Dlog4j.configuration="file:$KAFKA_TEMPLATE_DIR/log4j.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_DIR/server.properties" \
    >"$LOG_DIR/kafka.out" 2>&1 </dev/null) &
  local new_pid=$!
  printf '%s' "$new_pid" >"$(pid_file kafka)"
  wait_kafka_ready "$new_pid"
}

wait_kafka_ready() {
  local pid="$1" log_file="$LOG_DIR/kafka.log" started=$SECONDS offset
  local deadline=$((SECONDS + KAFKA_READY_TIMEOUT_S))
  offset="$(cat "$RUN_DIR/kafka.log-offset" 2>/dev/null || echo 0)"
  # Not a pipe: with pipefail, grep -q leaving early would fail the test through tail's SIGPIPE.
  until grep -q 'Kafka Server started' < <(tail -c +"$((offset + 1))" "$log_file" 2>/dev/null); do
    [ -d "/proc/$pid" ] || die "kafka exited during startup; see $log_file and $LOG_DIR/kafka.out"
    [ "$SECONDS" -lt "$deadline" ] || die "kafka not ready after ${KAFKA_READY_TIMEOUT_S}s; see $log_file"
    sleep 0.2
  done
  log "kafka: ready (waited $((SECONDS - started))s)"
}

# --- commands -------------------------------------------------------------------------------

print_connections() {
  cat <<EOF
[stack] connection strings:
  Kafka (PLAINTEXT)           127.0.0.1:$KAFKA_PORT
  Kafka (SASL_PLAINTEXT)      127.0.0.1:$KAFKA_SASL_PORT  SCRAM-SHA-256 / SCRAM-SHA-512  user $SASL_USER  password $SASL_PASSWORD
  Redis                       redis://127.0.0.1:$REDIS_PORT
  Redis (requirepass)         redis://:$SASL_PASSWORD@127.0.0.1:$REDIS_AUTH_PORT
  logs                        $LOG_DIR
EOF
}

cmd_up() {
  local started=$SECONDS
  install_all
  start_redis redis "$REDIS_PORT"
  start_redis redis-auth "$REDIS_AUTH_PORT" -a "$SASL_PASSWORD"
  start_kafka
  log "stack up in $((SECONDS - started))s"
  print_connections
}

cmd_down() {
  stop_service kafka
  stop_service redis-auth
  stop_service redis
}

cmd_restart() {
  case "${1:-}" in
    kafka) restart_kafka ;;
    redis)
      stop_service redis
      start_redis redis "$REDIS_PORT"
      ;;
    redis-auth)
      stop_service redis-auth
      start_redis redis-auth "$REDIS_AUTH_PORT" -a "$SASL_PASSWORD"
      ;;
    *) die "unknown service '${1:-}' (kafka, redis or redis-auth)" ;;
  esac
}

cmd_status() {
  local name pid all=0
  for name in kafka redis redis-auth; do
    if pid="$(running_pid "$name")"; then
      log "$name: running (pid $pid)"
    else
      log "$name: stopped"
      all=1
    fi
  done
  if [ "$all" -eq 0 ]; then print_connections; fi
  return "$all"
}

cmd_logs() {
  local which="${1:-kafka}" follow=()
  [ "${2:-}" = "-f" ] && follow=(-F)
  case "$which" in
    kafka | redis | redis-auth) tail -n 100 "${follow[@]}" "$LOG_DIR/$which.log" ;;
    *) die "unknown log '$which' (kafka, redis or redis-auth)" ;;
  esac
}

# Serialises up/down/install between shells sharing this checkout.
lock_stack() {
  exec 9>"$STACK_DIR/stack.lock"
  if ! flock -n 9; then
    log "waiting for another stack command in this checkout to finish"
    flock -w 300 9 || die "another stack command held $STACK_DIR/stack.lock for 300s"
  fi
}

main() {
  mkdir -p "$LOG_DIR" "$RUN_DIR"
  case "${1:-}" in
    up | down | restart | install) lock_stack ;;
  esac
  case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    restart) cmd_restart "${2:-}" ;;
    status) cmd_status ;;
    logs) cmd_logs "${2:-}" "${3:-}" ;;
    install) install_all ;;
    *)
      echo "usage: $0 up|down|status|restart kafka|redis|redis-auth|logs [kafka|redis|redis-auth] [-f]|install" >&2
      exit 2
      ;;
  esac
}

main "$@"
