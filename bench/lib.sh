# Shared by the bench scripts: sourced, never run. The caller sets ROOT (its work directory)
# before it starts processes, and `set -euo pipefail` before sourcing.

# Both registries read REGISTRY_* variables as config overrides: none may leak in from the shell.
for var in $(compgen -e | grep '^REGISTRY_' || true); do unset "$var"; done

STARTED_PIDS=()
# Remembers a process this script started, so the EXIT trap stops exactly it, by its pid.
started() { STARTED_PIDS+=("$1"); }

cleanup() {
  # Last started first: a node goes down before the storage it reads.
  local i pid
  for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${STARTED_PIDS[$i]}
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  if [ -z "${KEEP:-}" ]; then rm -rf "$ROOT"; else echo "kept $ROOT" >&2; fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

now() { date +%s.%N; }

await_ready() { # url pid log [curl flags...]: polls the url until curl succeeds; dies with the log
  local url=$1 pid=$2 log=$3
  shift 3
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { echo "pid $pid exited; $log:" >&2; cat "$log" >&2; exit 1; }
    curl -s "$@" -o /dev/null "$url" && return 0
    sleep 0.2
  done
  echo "nothing answered $url; $log:" >&2; cat "$log" >&2; exit 1
}

location() { # headers-file base-url -> absolute Location URL
  local loc
  loc=$(tr -d '\r' < "$1" | awk 'tolower($1)=="location:" {print $2}' | tail -1)
  case "$loc" in http*) echo "$loc" ;; *) echo "$2$loc" ;; esac
}

start_node() { # storage-yaml [jvm args...]: writes $ROOT/node/config.yml and starts $JAR in the background
  # on a free port with -Xmx$NODE_HEAP; sets NODE_PORT, NODE (its base URL) and NODE_PID.
  # storage-yaml is the driver's section under storage:, indented by two spaces; NODE_EXTRA_YAML,
  # when set, is appended as further top-level sections (proxy: ...).
  local storage=$1
  shift
  NODE_PORT=$(free_port)
  NODE=http://127.0.0.1:$NODE_PORT
  mkdir -p "$ROOT/node"
  cat > "$ROOT/node/config.yml" <<YAML
version: 0.1
log:
  level: warn
http:
  addr: 127.0.0.1:$NODE_PORT
storage:
$storage
  delete:
    enabled: true
${NODE_EXTRA_YAML:-}
YAML
  java -Xmx"$NODE_HEAP" "$@" -jar "$JAR" serve "$ROOT/node/config.yml" > "$ROOT/node.log" 2>&1 &
  NODE_PID=$!
  started "$NODE_PID"
}

start_distribution() { # name [extra-yaml]: writes $ROOT/<name>/config.yml (filesystem storage under
  # $ROOT/<name>/storage) and starts $DISTRIBUTION in the background on a free port, logging to
  # $ROOT/<name>.log; sets DIST_PORT and DIST_PID. extra-yaml holds further top-level sections.
  local name=$1 extra=${2:-}
  DIST_PORT=$(free_port)
  mkdir -p "$ROOT/$name"
  cat > "$ROOT/$name/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $ROOT/$name/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$DIST_PORT
$extra
YAML
  "$DISTRIBUTION" serve "$ROOT/$name/config.yml" > "$ROOT/$name.log" 2>&1 &
  DIST_PID=$!
  started "$DIST_PID"
}
