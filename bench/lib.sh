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

start_node() { # storage-yaml [jvm args...]: writes $ROOT/$NODE_NAME/config.yml and starts $JAR in the
  # background on a free port with -Xmx$NODE_HEAP, logging to $ROOT/$NODE_NAME.log (NODE_NAME defaults
  # to node); sets NODE_PORT, NODE (its base URL) and NODE_PID.
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
  level: warn
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
  # needs on one link of $LINK_BYTES_PER_S, and failed clients. The pulled copies are removed after.
  local name=$1 registry=$2 log=$3 before start end egress i pid failed=0 pids=()
  before=$(wc -l < "$log")
  start=$(now)
  mkdir -p "$ROOT/pulls"
  for i in $(seq 1 "$CLIENTS"); do
    "$SKOPEO" --insecure-policy copy --retry-times 0 --src-tls-verify=false \
      "docker://$registry/$IMAGE_REF" "dir:$ROOT/pulls/$name-$i" > "$ROOT/pulls-$name-$i.log" 2>&1 &
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

nginx_start() { # name conf-body port...: nginx with its own prefix $ROOT/<name>, waits for its ports
  local name=$1 body=$2 port
  shift 2
  mkdir -p "$ROOT/$name/logs"
  cat > "$ROOT/$name/nginx.conf" <<CONF
worker_processes ${NGINX_WORKERS:-1};
error_log $ROOT/$name/logs/error.log warn;
pid $ROOT/$name/nginx.pid;
events { worker_connections 4096; }
http {
  log_format egress '\$request_method \$uri \$status \$bytes_sent \$upstream_addr';
  client_body_temp_path $ROOT/$name/body;
  proxy_temp_path $ROOT/$name/proxy;
  fastcgi_temp_path $ROOT/$name/fastcgi;
  uwsgi_temp_path $ROOT/$name/uwsgi;
  scgi_temp_path $ROOT/$name/scgi;
$body
}
CONF
  "$NGINX" -p "$ROOT/$name" -c "$ROOT/$name/nginx.conf" -e "$ROOT/$name/logs/error.log" -g 'daemon off;' \
    > "$ROOT/$name.log" 2>&1 &
  local pid=$!
  started "$pid"
  for port in "$@"; do await_ready "http://127.0.0.1:$port/" "$pid" "$ROOT/$name/logs/error.log"; done
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

start_balancers() { # nginx round robin per request over FM_PORTS and over DIST_PORTS (no keepalive to the
  # backends, no buffering), access logs in $ROOT/balancers/logs/<side>.log; sets FM_LB and DIST_LB
  FM_LB=$(free_port)
  DIST_LB=$(free_port)
  nginx_start balancers "
  upstream fleetmirror {
$(balancer_backends "${FM_PORTS[@]}")
  }
  upstream distribution {
$(balancer_backends "${DIST_PORTS[@]}")
  }
$(balancer_server fleetmirror "$FM_LB")
$(balancer_server distribution "$DIST_LB")" "$FM_LB" "$DIST_LB"
}

balancer_backends() { local port; for port in "$@"; do printf '    server 127.0.0.1:%s;\n' "$port"; done; }

balancer_server() { # name listen-port
  cat <<SERVER
  server {
    listen 127.0.0.1:$2;
    access_log $ROOT/balancers/logs/$1.log egress;
    client_max_body_size 0;
    proxy_buffering off;
    proxy_request_buffering off;
    location / {
      proxy_pass http://$1;
      proxy_set_header Host \$http_host;
      proxy_http_version 1.1;
    }
  }
SERVER
}
