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
# A script that leaves its processes running (deploy/local/cluster.sh up) sets LIB_KEEP_PROCESSES.
if [ -z "${LIB_KEEP_PROCESSES:-}" ]; then trap cleanup EXIT; fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

free_member_port() { # a free port below Linux's ephemeral range: a cluster member listed before it starts
  # cannot then be the source port of another member's dial to it (a connection to itself).
  python3 -c 'import random, socket
for _ in range(1000):
    p = random.randrange(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()'
}

now() { date +%s.%N; }

# How long a started process gets to answer (READY_SECONDS): JVM starts are mostly CPU, and on a
# loaded machine several starting at once took over 40 s. A process that exits is reported at once.
READY_SECONDS=${READY_SECONDS:-180}

await_ready() { # url pid log [curl flags...]: polls the url until curl succeeds; dies with the log
  local url=$1 pid=$2 log=$3 deadline=$((SECONDS + READY_SECONDS))
  shift 3
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$pid" 2>/dev/null || { echo "pid $pid exited; $log:" >&2; cat "$log" >&2; exit 1; }
    curl -s "$@" -o /dev/null "$url" && return 0
    sleep 0.2
  done
  echo "nothing answered $url within ${READY_SECONDS} s; $log:" >&2; cat "$log" >&2; exit 1
}

location() { # headers-file base-url -> absolute Location URL
  local loc
  loc=$(tr -d '\r' < "$1" | awk 'tolower($1)=="location:" {print $2}' | tail -1)
  case "$loc" in http*) echo "$loc" ;; *) echo "$2$loc" ;; esac
}

start_node() { # storage-yaml [jvm args...]: writes $ROOT/$NODE_NAME/config.yml and starts $JAR in the
  # background on a free port with -Xmx$NODE_HEAP, logging to $ROOT/$NODE_NAME.log (NODE_NAME defaults
  # to node); sets NODE_PORT, NODE (its base URL) and NODE_PID. NODE_LOG_LEVEL (warn) is its log.level;
  # the access log (one line per request) is written at any level.
  # storage-yaml is the driver's section under storage:, indented by two spaces; NODE_EXTRA_YAML,
  # when set, is appended as further top-level sections (proxy: ...).
  local storage=$1 name=${NODE_NAME:-node}
  shift
  NODE_PORT=$(free_port)
  NODE=http://127.0.0.1:$NODE_PORT
  mkdir -p "$ROOT/$name"
  cat > "$ROOT/$name/config.yml" <<YAML
version: 0.1
log:
  level: ${NODE_LOG_LEVEL:-warn}
http:
  addr: 127.0.0.1:$NODE_PORT
storage:
$storage
  delete:
    enabled: true
${NODE_EXTRA_YAML:-}
YAML
  java -Xmx"$NODE_HEAP" "$@" -jar "$JAR" serve "$ROOT/$name/config.yml" > "$ROOT/$name.log" 2>&1 &
  NODE_PID=$!
  started "$NODE_PID"
}

start_distribution() { # name [extra-yaml] [storage-yaml]: writes $ROOT/<name>/config.yml and starts
  # $DISTRIBUTION in the background on a free port, logging to $ROOT/<name>.log; sets DIST_PORT and
  # DIST_PID. extra-yaml holds further top-level sections; storage-yaml replaces the default driver
  # (filesystem under $ROOT/<name>/storage), indented by two spaces like start_node's.
  local name=$1 extra=${2:-} storage=${3:-"  filesystem:
    rootdirectory: $ROOT/$1/storage"}
  DIST_PORT=$(free_port)
  mkdir -p "$ROOT/$name"
  cat > "$ROOT/$name/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
$storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$DIST_PORT
$extra
YAML
  # Its AWS SDK refuses to start when AWS_CA_BUNDLE is set (to a bundle it cannot read).
  env -u AWS_CA_BUNDLE "$DISTRIBUTION" serve "$ROOT/$name/config.yml" > "$ROOT/$name.log" 2>&1 &
  DIST_PID=$!
  started "$DIST_PID"
}

image_bytes() { # oci-layout: the bytes a pull of its first manifest moves (manifest, config, layers)
  python3 - "$1" <<'PY'
import json, os, sys
root = sys.argv[1]
index = json.load(open(os.path.join(root, "index.json")))
digest = index["manifests"][0]["digest"].split(":")[1]
manifest = open(os.path.join(root, "blobs/sha256", digest), "rb").read()
m = json.loads(manifest)
print(len(manifest) + m["config"]["size"] + sum(l["size"] for l in m["layers"]))
PY
}

cold_pull() { # name registry-host:port egress-log: $CLIENTS skopeo copies of $IMAGE_REF (repo:tag)
  # start at once; prints the wall time until the last finished, the upstream egress the log gained
  # meanwhile (field 4 of each line: $bytes_sent), egress / $IMAGE_BYTES, the least time that egress
  # needs on one link of $LINK_BYTES_PER_S, and failed clients. The pulled copies are removed after;
  # each client's start and end (epoch seconds) are appended to $ROOT/clients-<name>.txt.
  local name=$1 registry=$2 log=$3 before start end egress i pid failed=0 pids=()
  before=$(wc -l < "$log")
  start=$(now)
  mkdir -p "$ROOT/pulls"
  for i in $(seq 1 "$CLIENTS"); do
    # Each client's start, end and exit status go to $ROOT/clients-<name>.txt (bench/cold-timeline.py).
    (
      t0=$(now)
      rc=0
      "$SKOPEO" --insecure-policy copy --retry-times 0 --src-tls-verify=false \
        "docker://$registry/$IMAGE_REF" "dir:$ROOT/pulls/$name-$i" > "$ROOT/pulls-$name-$i.log" 2>&1 || rc=$?
      echo "$i $t0 $(now) $rc" >> "$ROOT/clients-$name.txt"
      exit "$rc"
    ) &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
  end=$(now)
  rm -rf "$ROOT/pulls"
  egress=$(tail -n +"$((before + 1))" "$log" | awk '{s += $4} END {print s + 0}')
  python3 - "$name" "$start" "$end" "$egress" "$IMAGE_BYTES" "$failed" "$CLIENTS" "$LINK_BYTES_PER_S" <<'PY'
import sys
name, start, end, egress, image, failed, clients, rate = sys.argv[1:]
egress, image, rate = int(egress), int(image), float(rate)
print(f"{name:18s} {clients} clients  wall {float(end) - float(start):6.1f} s  upstream egress {egress / 1e6:7.1f} MB"
      f"  = {egress / image:5.2f} x image  (>= {egress / rate:5.1f} s on one link of {rate / 1e6:.1f} MB/s)"
      f"  failed clients: {failed}")
# For bench/run.sh: name clients wall-seconds egress-bytes image-bytes failed
print(f"RESULT cold {name} {clients} {float(end) - float(start):.2f} {egress} {image} {failed}")
PY
}

start_s3proxy() { # sets S3_PORT, S3 and S3_PID: S3Proxy on $ROOT/s3 (filesystem), keys $AK/$SK, ready
  S3_PORT=$(free_port)
  S3=http://127.0.0.1:$S3_PORT
  cat > "$ROOT/s3proxy.properties" <<PROPS
s3proxy.endpoint=$S3
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$AK
s3proxy.credential=$SK
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$ROOT/s3
PROPS
  cat > "$ROOT/s3proxy-logback.xml" <<'XML'
<configuration><appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
<encoder><pattern>%msg%n</pattern></encoder></appender><root level="WARN"><appender-ref ref="OUT"/></root></configuration>
XML
  java -Xmx1g -Dlogback.configurationFile="$ROOT/s3proxy-logback.xml" -cp "$(cat "$S3PROXY_CP_FILE")" \
    org.gaul.s3proxy.Main --properties "$ROOT/s3proxy.properties" > "$ROOT/s3proxy.log" 2>&1 &
  S3_PID=$!
  started "$S3_PID"
  await_ready "$S3/" "$S3_PID" "$ROOT/s3proxy.log"
}

s3_yaml() { # bucket -> the storage section for that bucket of $S3 (keys $AK/$SK), indented by two spaces,
  # with redirects disabled so every byte passes through the registry; both registries read it
  cat <<YAML
  s3:
    accesskey: $AK
    secretkey: $SK
    region: us-east-1
    regionendpoint: $S3
    bucket: $1
    forcepathstyle: true
    secure: false
    v4auth: true
  redirect:
    disable: true
YAML
}

nginx_start() { # name conf-body port...: nginx with its own prefix $ROOT/<name>, waits for its ports;
  # the body goes in the http block, or with NGINX_CONTEXT=stream in a stream block (TCP proxying)
  local name=$1 body=$2 port
  shift 2
  mkdir -p "$ROOT/$name/logs"
  if [ "${NGINX_CONTEXT:-http}" = stream ]; then
    cat > "$ROOT/$name/nginx.conf" <<CONF
load_module $NGINX_STREAM_MODULE;
worker_processes ${NGINX_WORKERS:-1};
error_log $ROOT/$name/logs/error.log warn;
pid $ROOT/$name/nginx.pid;
events { worker_connections 4096; }
stream {
$body
}
CONF
  else
    cat > "$ROOT/$name/nginx.conf" <<CONF
worker_processes ${NGINX_WORKERS:-1};
error_log $ROOT/$name/logs/error.log warn;
pid $ROOT/$name/nginx.pid;
events { worker_connections 4096; }
http {
  log_format egress '\$request_method \$uri \$status \$bytes_sent \$upstream_addr \$msec \$request_time';
  client_body_temp_path $ROOT/$name/body;
  proxy_temp_path $ROOT/$name/proxy;
  fastcgi_temp_path $ROOT/$name/fastcgi;
  uwsgi_temp_path $ROOT/$name/uwsgi;
  scgi_temp_path $ROOT/$name/scgi;
$body
}
CONF
  fi
  "$NGINX" -p "$ROOT/$name" -c "$ROOT/$name/nginx.conf" -e "$ROOT/$name/logs/error.log" -g 'daemon off;' \
    > "$ROOT/$name.log" 2>&1 &
  local pid=$!
  started "$pid"
  for port in "$@"; do await_ready "http://127.0.0.1:$port/" "$pid" "$ROOT/$name/logs/error.log"; done
}

start_floor() { # oci-layout repo:tag: nginx sending the layout's files (its own blobs, hard-linked) under
  # registry-API paths with sendfile, as a registry with nothing to decide would; sets FLOOR_PORT
  local layout=$1 ref=$2 floor_manifest
  local FLOOR_DIR=$ROOT/floor-files
  python3 - "$layout" "$FLOOR_DIR" "$ref" <<'PY'
import json, os, shutil, sys
layout, out, ref = sys.argv[1:]
repo, tag = ref.rsplit(":", 1)
index = json.load(open(os.path.join(layout, "index.json")))
entry = index["manifests"][0]
manifest_path = os.path.join(layout, "blobs", "sha256", entry["digest"].split(":")[1])
manifest = json.load(open(manifest_path))
media = manifest.get("mediaType", entry.get("mediaType", "application/vnd.oci.image.manifest.v1+json"))
blobs = os.path.join(out, "v2", repo, "blobs")
manifests = os.path.join(out, "v2", repo, "manifests")
os.makedirs(blobs)
os.makedirs(manifests)
def place(source, target):
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    os.chmod(target, 0o644)
for descriptor in [manifest["config"]] + manifest["layers"]:
    place(os.path.join(layout, "blobs", "sha256", descriptor["digest"].split(":")[1]),
          os.path.join(blobs, descriptor["digest"]))
for name in (tag, entry["digest"]):
    place(manifest_path, os.path.join(manifests, name))
with open(os.path.join(out, "manifest.conf"), "w") as f:
    f.write(f"default_type {media};\nadd_header Docker-Content-Digest {entry['digest']};\n")
PY
  chmod -R o+rX "$FLOOR_DIR"
  FLOOR_PORT=$(free_port)
  nginx_start floor "
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    server {
      listen 127.0.0.1:$FLOOR_PORT;
      root $FLOOR_DIR;
      location = /v2/ {
        default_type application/json;
        add_header Docker-Distribution-API-Version registry/2.0;
        return 200 '{}';
      }
      location ~ ^/v2/.+/manifests/ {
        types { }
        include $FLOOR_DIR/manifest.conf;
      }
      location ~ ^/v2/.+/blobs/ {
        types { }
        default_type application/octet-stream;
      }
    }" "$FLOOR_PORT"
  floor_manifest="http://127.0.0.1:$FLOOR_PORT/v2/${ref%:*}/manifests/${ref##*:}"
  [ "$(curl -sS -o /dev/null -w '%{http_code}' "$floor_manifest")" = 200 ] || { echo "the floor does not serve $floor_manifest" >&2; exit 1; }
}

# --- A cluster of Fleet Mirror nodes beside one of Distribution proxies, each behind a balancer
# (cluster-cold-pull.sh, signed-cold-pull.sh). They read NODES, NODE_HEAP, JAR, DISTRIBUTION, NGINX,
# ROOT, S3 (with $AK/$SK) and LINK_PORT (the upstream link both sides mirror).

cluster_members() { # n: SECRET (a fresh cluster secret), MEMBER_PORTS (free member ports) and MEMBERS
  # (their YAML list) for n members on loopback
  local i
  SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  MEMBER_PORTS=()
  for i in $(seq 1 "$1"); do MEMBER_PORTS+=("$(free_member_port)"); done
  MEMBERS=$(printf '"127.0.0.1:%s", ' "${MEMBER_PORTS[@]}")
  MEMBERS="[${MEMBERS%, }]"
}

start_fm_cluster() { # bucket [proxy-yaml] [extra-yaml]: $NODES nodes fm-1.. on the bucket, one Hazelcast
  # cluster; proxy-yaml goes under proxy: (indented by two spaces), extra-yaml after cluster:. Returns once
  # every node sees every member; sets FM_PORTS, FM_PIDS and SECRET.
  local bucket=$1 proxy=${2:-} extra=${3:-} i port attempt status
  cluster_members "$NODES"
  FM_PORTS=()
  FM_PIDS=()
  for i in $(seq 1 "$NODES"); do
    NODE_NAME=fm-$i NODE_EXTRA_YAML="proxy:
  remoteurl: http://127.0.0.1:$LINK_PORT
${proxy}  spooldirectory: $ROOT/fm-$i/spool
cluster:
  name: bench-$$
  port: ${MEMBER_PORTS[$((i - 1))]}
  members: $MEMBERS
  secret: $SECRET
  minimumSize: 1
$extra" start_node "$(s3_yaml "$bucket")" -Dhazelcast.phone.home.enabled=false
    FM_PORTS+=("$NODE_PORT")
    FM_PIDS+=("$NODE_PID")
    await_ready "$NODE/v2/" "$NODE_PID" "$ROOT/fm-$i.log" -f
  done
  # Until every node sees all members the first fills would not be shared.
  for port in "${FM_PORTS[@]}"; do
    for attempt in $(seq 1 300); do
      status=$(curl -s -o "$ROOT/cluster.json" -w '%{http_code}' -H "X-Fleetmirror-Cluster-Secret: $SECRET" \
        "http://127.0.0.1:$port/admin/v1/cluster" || true)
      [ "$status" = 200 ] && [ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["members"]))' \
        "$ROOT/cluster.json")" = "$NODES" ] && break
      [ "$attempt" = 300 ] && { echo "node on $port does not see $NODES members (is $JAR older than this checkout?)" >&2; exit 1; }
      sleep 0.2
    done
  done
}

start_dist_cluster() { # bucket: $NODES Distribution proxies dist-1.. of the link on the bucket; sets DIST_PORTS
  local i
  DIST_PORTS=()
  for i in $(seq 1 "$NODES"); do
    start_distribution "dist-$i" "proxy:
  remoteurl: http://127.0.0.1:$LINK_PORT" "$(s3_yaml "$1")"
    DIST_PORTS+=("$DIST_PORT")
    await_ready "http://127.0.0.1:$DIST_PORT/v2/" "$DIST_PID" "$ROOT/dist-$i.log"
  done
}

# The balancer in front of each cluster (and of the floor), by BALANCER:
#   l4        (default) HAProxy in `mode tcp` with `option splice-auto`: round robin per connection,
#             the bytes moved by the kernel (splice), as a TCP load balancer (an NLB, HAProxy in TCP
#             mode) in front of a fleet does;
#   l4-nginx  nginx's stream module (Debian's libnginx-mod-stream): round robin per connection,
#             the bytes copied through nginx's buffers;
#   http      nginx proxying HTTP: round robin per request (no keepalive to the backends, no
#             buffering), every byte copied through nginx's buffers.
# Every kind appends one line per connection (l4, l4-nginx) or per request (http) to
# $ROOT/<name>/logs/access.log: "side CONN - - bytes-to-client backend ..." or
# "side METHOD path status bytes-to-client backend ...", so field 5 is the bytes and 6 the backend.
BALANCER=${BALANCER:-l4}
HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
NGINX_STREAM_MODULE=${NGINX_STREAM_MODULE:-/usr/lib/nginx/modules/ngx_stream_module.so}

ensure_balancer() { # installs the Debian package BALANCER needs when it is missing, as .ci/run does
  local package="" sudo=""
  case "$BALANCER" in
    l4) [ -x "$HAPROXY" ] || package=haproxy ;;
    l4-nginx) [ -f "$NGINX_STREAM_MODULE" ] || package=libnginx-mod-stream ;;
    http) ;;
    *) echo "BALANCER=$BALANCER: use l4, l4-nginx or http" >&2; exit 1 ;;
  esac
  [ -z "$package" ] && return 0
  echo "installing $package (BALANCER=$BALANCER)" >&2
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$package" >&2
  # Debian's package may start a service of its own; the bench runs its own HAProxy processes.
  if [ "$package" = haproxy ] && command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet haproxy 2>/dev/null; then
    $sudo systemctl stop haproxy || true
  fi
}

start_balancers() { # one balancer process (kind $BALANCER) in front of FM_PORTS and of DIST_PORTS,
  # logging to $ROOT/balancers/logs/access.log; sets FM_LB and DIST_LB
  FM_LB=$(free_port)
  DIST_LB=$(free_port)
  start_balancer balancers "fleetmirror $FM_LB ${FM_PORTS[*]}" "distribution $DIST_LB ${DIST_PORTS[*]}"
}

start_balancer() { # name "side listen-port backend-port..."...: one process of kind $BALANCER under
  # $ROOT/<name>, each side round robin over its backends, on 127.0.0.1; returns once its ports answer
  local name=$1 spec side port backends ports=() body=""
  shift
  for spec in "$@"; do
    read -r side port backends <<< "$spec"
    ports+=("$port")
    # shellcheck disable=SC2086 # backends: a list of ports
    case "$BALANCER" in
      l4) body+=$(haproxy_side "$side" "$port" $backends)$'\n' ;;
      l4-nginx) body+=$(nginx_stream_side "$name" "$side" "$port" $backends)$'\n' ;;
      http) body+=$(nginx_http_side "$name" "$side" "$port" $backends)$'\n' ;;
      *) echo "BALANCER=$BALANCER: use l4, l4-nginx or http" >&2; exit 1 ;;
    esac
  done
  case "$BALANCER" in
    l4) haproxy_start "$name" "$body" "${ports[@]}" ;;
    l4-nginx) NGINX_CONTEXT=stream nginx_start "$name" "$body" "${ports[@]}" ;;
    http) nginx_start "$name" "$body" "${ports[@]}" ;;
  esac
}

haproxy_side() { # side listen-port backend-port...
  local side=$1 port=$2 i=0 backend
  shift 2
  printf 'frontend %s\n  bind 127.0.0.1:%s\n  default_backend %s\nbackend %s\n  balance roundrobin\n' \
    "$side" "$port" "$side" "$side"
  for backend in "$@"; do
    i=$((i + 1))
    printf '  server s%s 127.0.0.1:%s\n' "$i" "$backend"
  done
}

haproxy_start() { # name config-body port...: HAProxy in the foreground under $ROOT/<name> (its
  # connection log on its stdout, into logs/access.log; HAPROXY_THREADS threads, else one per core);
  # returns once its ports answer
  local name=$1 body=$2 port pid
  shift 2
  [ -x "$HAPROXY" ] || { echo "$HAPROXY is missing (BALANCER=l4: ensure_balancer installs it)" >&2; exit 1; }
  mkdir -p "$ROOT/$name/logs"
  cat > "$ROOT/$name/haproxy.cfg" <<CONF
global
  maxconn 4096
  log stdout format raw local0 info
${HAPROXY_THREADS:+  nbthread $HAPROXY_THREADS}
defaults
  mode tcp
  log global
  # Splice (kernel pipes between the two sockets) once a connection moves enough to be worth it.
  option splice-auto
  timeout connect 5s
  timeout client 10m
  timeout server 10m
  # side CONN - - bytes-to-client backend accept-time(s) duration(ms) bytes-from-client termination
  log-format "%f CONN - - %B %si:%sp %Ts.%ms %Tt %U %ts"
$body
CONF
  "$HAPROXY" -db -f "$ROOT/$name/haproxy.cfg" > "$ROOT/$name/logs/access.log" 2> "$ROOT/$name.log" &
  pid=$!
  started "$pid"
  for port in "$@"; do await_ready "http://127.0.0.1:$port/" "$pid" "$ROOT/$name.log"; done
}

nginx_stream_side() { # name side listen-port backend-port...
  local name=$1 side=$2 port=$3
  shift 3
  cat <<SIDE
  log_format conn_$side '$side CONN - - \$bytes_sent \$upstream_addr \$msec \$session_time \$bytes_received \$status';
  upstream $side {
$(balancer_backends "$@")
  }
  server {
    listen 127.0.0.1:$port;
    access_log $ROOT/$name/logs/access.log conn_$side;
    proxy_pass $side;
  }
SIDE
}

nginx_http_side() { # name side listen-port backend-port...
  local name=$1 side=$2 port=$3
  shift 3
  cat <<SIDE
  log_format req_$side '$side \$request_method \$uri \$status \$bytes_sent \$upstream_addr \$msec \$request_time \$upstream_header_time';
  upstream $side {
$(balancer_backends "$@")
  }
  server {
    listen 127.0.0.1:$port;
    access_log $ROOT/$name/logs/access.log req_$side;
    client_max_body_size 0;
    proxy_buffering off;
    proxy_request_buffering off;
    location / {
      proxy_pass http://$side;
      proxy_set_header Host \$http_host;
      proxy_http_version 1.1;
    }
  }
SIDE
}

balancer_backends() { local port; for port in "$@"; do printf '    server 127.0.0.1:%s;\n' "$port"; done; }

balancer_log_summary() { # log side: what the side's balancer sent each backend (requests or connections, bytes)
  # (a line without a backend, "-", is a request the balancer answered itself: skopeo's TLS attempt on http)
  awk -v side="$2" '$1 == side && $6 != "-" {n[$6]++; b[$6] += $5; k = ($2 == "CONN") ? "connections" : "requests"}
    END {for (s in n) printf "%s: %d %s, %.1f MB  ", s, n[s], k, b[s] / 1e6}' "$1"
}
