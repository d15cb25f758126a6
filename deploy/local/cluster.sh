#!/usr/bin/env bash
# A Fleet Mirror cluster on this machine, on loopback only: 3 nodes (one Hazelcast cluster), one S3
# endpoint (S3Proxy, filesystem-backed) holding their bucket, and nginx balancing clients over the
# nodes round robin — the shape of a production deployment, to try it here.
#
#   deploy/local/cluster.sh up        # starts everything, returns once the cluster serves
#   deploy/local/cluster.sh status    # processes, members, the balancer's URL; exit 1 if any is down
#   deploy/local/cluster.sh down      # stops every process it started, by its pid
#
# Settings (environment): PORT (balancer, default 5000), NODES (3), STATE_DIR (where configs, logs,
# pids and the bucket live; default /tmp/fleetmirror-local), NODE_HEAP (256m), UPSTREAM (the
# mirrored registry, default Docker Hub as docker.io/*), JAR (default node/target/fleetmirror.jar,
# built when missing), NGINX (the nginx binary, default /usr/sbin/nginx). KEEP_DATA=1 makes `down`
# keep STATE_DIR.
#
# Needs: java 17, maven (to build the jar and S3Proxy's classpath once), curl, python3, nginx.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${PORT:-5000}
NODES=${NODES:-3}
STATE_DIR=${STATE_DIR:-/tmp/fleetmirror-local}
NODE_HEAP=${NODE_HEAP:-256m}
UPSTREAM=${UPSTREAM:-https://registry-1.docker.io}
JAR=${JAR:-$REPO_DIR/node/target/fleetmirror.jar}
S3PROXY_CP_FILE=$REPO_DIR/s3proxy-runtime/target/classes/fleetmirror/s3proxy.classpath
NGINX=${NGINX:-/usr/sbin/nginx}
AK=local-access
SK=local-secret
BUCKET=fleetmirror

usage() {
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

pids() { # the pids `up` recorded, one per line: name pid
  [ -f "$STATE_DIR/pids" ] && cat "$STATE_DIR/pids" || true
}

status() {
  if [ ! -f "$STATE_DIR/pids" ]; then
    echo "not running (no $STATE_DIR/pids)"
    return 1
  fi
  local down=0 name pid
  while read -r name pid; do
    if alive "$pid"; then echo "$name: running (pid $pid)"; else echo "$name: DOWN (pid $pid)"; down=1; fi
  done < <(pids)
  local balancer secret
  balancer=$(cat "$STATE_DIR/balancer.url")
  secret=$(cat "$STATE_DIR/secret.txt")
  echo "registry: $balancer (push and pull here)"
  local node
  for node in $(cat "$STATE_DIR/nodes.txt"); do
    curl -s -m 3 -H "X-Fleetmirror-Cluster-Secret: $secret" "$node/admin/v1/cluster" > "$STATE_DIR/cluster.json" \
      || { echo "$node: no answer"; down=1; continue; }
    python3 - "$node" "$STATE_DIR/cluster.json" <<'PY' || down=1
import json, sys
node, path = sys.argv[1], sys.argv[2]
view = json.load(open(path))
quorum = "quorum reached" if view['quorum'] else "no quorum"
print(f"{node}: sees {len(view['members'])} member(s), {quorum}, "
      f"{len(view['fills'])} fill(s) in flight")
PY
  done
  return $down
}

down() {
  if [ ! -f "$STATE_DIR/pids" ]; then
    echo "not running"
    return 0
  fi
  # Balancer first, storage last: nodes never lose their bucket while they serve.
  local name pid
  while read -r name pid; do
    if alive "$pid"; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
      alive "$pid" && kill -9 "$pid" 2>/dev/null || true
      echo "stopped $name (pid $pid)"
    fi
  done < <(pids | tac)
  rm -f "$STATE_DIR/pids"
  if [ -z "${KEEP_DATA:-}" ]; then rm -rf "$STATE_DIR"; fi
}

up() {
  if [ -f "$STATE_DIR/pids" ] && status > /dev/null 2>&1; then
    echo "already running: $(cat "$STATE_DIR/balancer.url")"
    return 0
  fi
  if [ ! -f "$JAR" ] || [ ! -f "$S3PROXY_CP_FILE" ]; then
    echo "building the node jar and S3Proxy's classpath" >&2
    (cd "$REPO_DIR" && mvn -B -q -DskipTests -pl node -am package)
  fi
  [ -x "$NGINX" ] || { echo "$NGINX is missing (apt-get install nginx)" >&2; exit 1; }
  ROOT=$STATE_DIR
  mkdir -p "$ROOT/s3/$BUCKET"
  chmod 755 "$ROOT"
  LIB_KEEP_PROCESSES=1
  # shellcheck source=../../bench/lib.sh
  source "$REPO_DIR/bench/lib.sh"
  # Whatever fails on the way stops what was started; once up, the processes outlive this script.
  KEEP=1
  trap 'echo "start-up failed; stopping what was started (logs in $ROOT)" >&2; cleanup' EXIT
  : > "$ROOT/pids.partial"

  start_s3proxy
  echo "s3proxy $S3_PID" >> "$ROOT/pids.partial"

  local secret members i
  secret=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  local member_ports=() node_urls=()
  for i in $(seq 1 "$NODES"); do member_ports+=("$(free_member_port)"); done
  members=$(printf '"127.0.0.1:%s", ' "${member_ports[@]}")
  members="[${members%, }]"
  for i in $(seq 1 "$NODES"); do
    NODE_NAME=node-$i NODE_EXTRA_YAML="proxy:
  spooldirectory: $ROOT/node-$i/spool
upstreams:
  - name: upstream
    url: $UPSTREAM
    prefix: docker.io/
cluster:
  name: local
  port: ${member_ports[$((i - 1))]}
  members: $members
  secret: $secret
  minimumSize: 1" start_node "  s3:
    accesskey: $AK
    secretkey: $SK
    region: us-east-1
    regionendpoint: $S3
    bucket: $BUCKET
    forcepathstyle: true
    secure: false
  redirect:
    disable: true"
    echo "node-$i $NODE_PID" >> "$ROOT/pids.partial"
    node_urls+=("$NODE")
  done
  for i in $(seq 1 "$NODES"); do
    await_ready "${node_urls[$((i - 1))]}/v2/" "$(awk -v n="node-$i" '$1==n {print $2}' "$ROOT/pids.partial")" "$ROOT/node-$i.log" -f
  done
  local servers="" url
  for url in "${node_urls[@]}"; do servers+="    server ${url#http://};"$'\n'; done
  nginx_start balancer "
  upstream nodes {
$servers  }
  server {
    listen 127.0.0.1:$PORT;
    client_max_body_size 0;
    proxy_buffering off;
    proxy_request_buffering off;
    location / {
      proxy_pass http://nodes;
      proxy_set_header Host \$http_host;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_read_timeout 900s;
    }
  }" "$PORT"
  echo "balancer ${STARTED_PIDS[-1]}" >> "$ROOT/pids.partial"

  # The cluster has formed when every node sees every member (within READY_SECONDS, as the starts).
  local deadline=$((SECONDS + READY_SECONDS))
  for url in "${node_urls[@]}"; do
    until curl -s -o "$ROOT/cluster.json" -H "X-Fleetmirror-Cluster-Secret: $secret" "$url/admin/v1/cluster" \
        && [ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["members"]))' "$ROOT/cluster.json")" = "$NODES" ]; do
      [ "$SECONDS" -lt "$deadline" ] || { echo "$url does not see $NODES members within ${READY_SECONDS} s; see $ROOT/node-*.log" >&2; exit 1; }
      sleep 0.2
    done
  done
  echo "$secret" > "$ROOT/secret.txt"
  printf '%s\n' "${node_urls[@]}" > "$ROOT/nodes.txt"
  echo "http://127.0.0.1:$PORT" > "$ROOT/balancer.url"
  mv "$ROOT/pids.partial" "$ROOT/pids"
  trap - EXIT
  echo "Fleet Mirror: $NODES nodes on one S3 bucket behind http://127.0.0.1:$PORT (state in $ROOT)"
  echo "  skopeo copy --dest-tls-verify=false oci:DIR:TAG docker://127.0.0.1:$PORT/team/app:TAG"
  echo "  $0 status | down"
}

case "${1:-}" in
  up) up ;;
  status) status ;;
  down) down ;;
  *) usage ;;
esac
