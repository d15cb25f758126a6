#!/usr/bin/env bash
# Upstream egress and wall time of 16 clients cold-pulling one image through a pull-through cache,
# Fleet Mirror next to CNCF Distribution 2.8.2 in proxy mode (proxy.remoteurl), in the same run.
#
# The upstream is Debian's docker-registry behind a bandwidth-limited link, and nginx in front of
# that link, whose access log ($bytes_sent) measures what crossed it. LINK=shared (default): all
# connections share RATE (bench/shared-link.py between nginx and the registry), as on a real
# uplink. LINK=connection: nginx's limit_rate, RATE per connection, so a mirror that opens 16
# upstream connections gets 16 times the bandwidth. Each line also prints the least time its
# egress needs on one shared link of RATE.
#
#   bench/proxy-cold-pull.sh                       # 60 MB image (two 30 MiB layers), 16 clients, one 20 MiB/s link
#   CLIENTS=8 LAYERS="10 10" RATE=5m LINK=connection bench/proxy-cold-pull.sh
#   BENCH_DIR=/var/tmp/fm-proxy KEEP=1 bench/proxy-cold-pull.sh
#
# Needs: java 17, maven (only if the jar is missing), python3, curl, nginx, skopeo, docker-registry.
set -euo pipefail

CLIENTS=${CLIENTS:-16}
LAYERS=${LAYERS:-"30 30"}
RATE=${RATE:-20m}
LINK=${LINK:-shared}
NODE_HEAP=${NODE_HEAP:-256m}
REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
JAR=$REPO_DIR/node/target/fleetmirror.jar
DISTRIBUTION=${DISTRIBUTION:-/usr/bin/docker-registry}
NGINX=${NGINX:-/usr/sbin/nginx}
SKOPEO=${SKOPEO:-/usr/bin/skopeo}

if [ ! -f "$JAR" ]; then
  echo "building $JAR" >&2
  (cd "$REPO_DIR" && mvn -B -q -DskipTests package -pl node -am)
fi
for tool in "$DISTRIBUTION" "$NGINX" "$SKOPEO"; do
  [ -x "$tool" ] || { echo "$tool is missing" >&2; exit 1; }
done
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY

ROOT=${BENCH_DIR:-$(mktemp -d /tmp/fleetmirror-proxy-bench.XXXXXX)}
mkdir -p "$ROOT"
# nginx workers run as another user when started by root: they must reach their temp directories.
chmod 755 "$ROOT"
source "$REPO_DIR/bench/lib.sh"
registry() { # name [extra-yaml]: a docker-registry that answers
  start_distribution "$@"
  await_ready "http://127.0.0.1:$DIST_PORT/v2/" "$DIST_PID" "$ROOT/$1.log"
}

# 1. The image, pushed to the upstream directly.
echo "image: layers of $LAYERS MiB" >&2
python3 "$REPO_DIR/tools/mkimage.py" "$ROOT/image" v1 $LAYERS --seed 7 > "$ROOT/image.txt"
IMAGE_BYTES=$(image_bytes "$ROOT/image")
IMAGE_REF=bench/app:v1
registry upstream
UP_PORT=$DIST_PORT
"$SKOPEO" --insecure-policy copy --dest-tls-verify=false "oci:$ROOT/image:v1" "docker://127.0.0.1:$UP_PORT/bench/app:v1" > /dev/null

# 2. The bandwidth-limited link, and nginx in front of it counting what crosses it.
RATE_BYTES=$(python3 -c "import sys; r=sys.argv[1]; u={'k':1024,'m':1048576,'g':1073741824}.get(r[-1].lower(),1); print(int(float(r[:-1] if r[-1].isalpha() else r)*u))" "$RATE")
if [ "$LINK" = shared ]; then
  THROTTLE_PORT=$(free_port)
  python3 "$REPO_DIR/bench/shared-link.py" "$THROTTLE_PORT" "$UP_PORT" "$RATE_BYTES" > "$ROOT/shared-link.log" 2>&1 &
  started $!
  await_ready "http://127.0.0.1:$THROTTLE_PORT/v2/" $! "$ROOT/shared-link.log"
  BEHIND_NGINX=$THROTTLE_PORT
  LIMIT=""
else
  BEHIND_NGINX=$UP_PORT
  LIMIT="limit_rate $RATE;"
fi
LINK_PORT=$(free_port)
mkdir -p "$ROOT/nginx/logs"
cat > "$ROOT/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $ROOT/nginx/logs/error.log warn;
pid $ROOT/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  log_format egress '\$request_method \$uri \$status \$bytes_sent';
  access_log $ROOT/nginx/logs/access.log egress;
  client_body_temp_path $ROOT/nginx/body;
  proxy_temp_path $ROOT/nginx/proxy;
  fastcgi_temp_path $ROOT/nginx/fastcgi;
  uwsgi_temp_path $ROOT/nginx/uwsgi;
  scgi_temp_path $ROOT/nginx/scgi;
  server {
    listen 127.0.0.1:$LINK_PORT;
    client_max_body_size 0;
    location / {
      $LIMIT
      proxy_pass http://127.0.0.1:$BEHIND_NGINX;
      proxy_set_header Host \$http_host;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
"$NGINX" -p "$ROOT/nginx" -c "$ROOT/nginx/nginx.conf" -g 'daemon off;' > "$ROOT/nginx.log" 2>&1 &
started $!
await_ready "http://127.0.0.1:$LINK_PORT/v2/" $! "$ROOT/nginx.log"

# 3. The two mirrors of that link, each with empty storage.
NODE_EXTRA_YAML="proxy:
  remoteurl: http://127.0.0.1:$LINK_PORT
  spooldirectory: $ROOT/node/spool" start_node "  filesystem:
    rootdirectory: $ROOT/node/storage"
await_ready "$NODE/v2/" "$NODE_PID" "$ROOT/node.log"
registry distribution-proxy "proxy:
  remoteurl: http://127.0.0.1:$LINK_PORT"

echo "image bytes: $IMAGE_BYTES, link: $LINK $RATE/s" >&2
EGRESS_LOG=$ROOT/nginx/logs/access.log
LINK_BYTES_PER_S=$RATE_BYTES
cold_pull fleetmirror "127.0.0.1:$NODE_PORT" "$EGRESS_LOG"
cold_pull distribution "127.0.0.1:$DIST_PORT" "$EGRESS_LOG"
# The clients' own cost (16 skopeo processes writing and hashing the image), nothing fetched upstream:
cold_pull fleetmirror-warm "127.0.0.1:$NODE_PORT" "$EGRESS_LOG"
grep -E "WARN|ERROR" "$ROOT/node.log" | head -20 >&2 || true
