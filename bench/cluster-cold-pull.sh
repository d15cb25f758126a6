#!/usr/bin/env bash
# Upstream egress and cold wall time of 16 clients pulling one image through a cluster of pull-through
# caches behind a load balancer: 3 Fleet Mirror nodes on one S3 bucket (one Hazelcast cluster) next to
# 3 CNCF Distribution 2.8.2 proxies (proxy.remoteurl, s3 driver) on a second bucket of the same
# S3Proxy, in the same run, behind the same kind of balancer.
#
# The upstream is Debian's docker-registry behind one bandwidth-limited link that all connections
# share (bench/shared-link.py, RATE_MBPS), and nginx in front of that link, whose access log
# ($bytes_sent) measures what crossed it. Each balancer is, by BALANCER (lib.sh), HAProxy in TCP mode
# with splice (l4, the default: round robin per connection, as a fleet's TCP/L4 balancer), nginx's
# stream module (l4-nginx) or nginx proxying HTTP round robin per request (http: no keepalive to
# the backends, no buffering, every byte copied through nginx). skopeo opens a connection per request,
# so either way one client's blob requests land on different nodes.
#
#   bench/cluster-cold-pull.sh                          # ~68 MB image, 16 clients, 3+3 nodes, 40 MB/s link
#   CLIENTS=8 LAYERS="10 10" RATE_MBPS=20 bench/cluster-cold-pull.sh
#   BENCH_DIR=/var/tmp/fm-cluster KEEP=1 bench/cluster-cold-pull.sh
#   FM_EXTRA_YAML=$'localcache:\n  enabled: false' bench/cluster-cold-pull.sh   # more Fleet Mirror config (here: no local tier)
#   WARM_RUNS=3 bench/cluster-cold-pull.sh              # the warm phases 3 times over, interleaved
#   BALANCER=http bench/cluster-cold-pull.sh            # the L7 balancer of the earlier measurements
#   KEEP=1 NODE_LOG_LEVEL=info bench/cluster-cold-pull.sh; bench/cold-timeline.py <kept dir>  # where the cold wall goes
#   WARMUP=1 bench/cluster-cold-pull.sh                 # both clusters pull another image first (running JVMs)
#
# After the cold phases, the warm phases (WARM_RUNS rounds, the order turning each round) pull the
# same image through each balancer again, and through nginx serving the image as static files under
# registry-API paths (/v2/, /v2/<repo>/manifests/<ref>, /v2/<repo>/blobs/<digest>) with sendfile:
# `floor` straight, `floor-lb` behind the same kind of balancer. That is the least wall these
# CLIENTS skopeo processes need on this machine (they hash and write every byte themselves). Each
# warm phase records the 1-minute load average when it started; the script ends with a table of
# warm walls and the ratios Fleet Mirror / Distribution and Fleet Mirror / floor.
#
# Needs: java 17, maven (builds the jar and S3Proxy's classpath when missing), python3, curl, nginx,
# skopeo, docker-registry; HAProxy (BALANCER=l4, installed with apt-get when missing) or
# libnginx-mod-stream (BALANCER=l4-nginx, likewise).
set -euo pipefail

CLIENTS=${CLIENTS:-16}
WARM_RUNS=${WARM_RUNS:-1}
NODES=${NODES:-3}
LAYERS=${LAYERS:-"32.5 32.5"}
RATE_MBPS=${RATE_MBPS:-40}
NODE_HEAP=${NODE_HEAP:-256m}
REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
JAR=${JAR:-$REPO_DIR/node/target/fleetmirror.jar}
S3PROXY_CP_FILE=$REPO_DIR/s3proxy-runtime/target/classes/fleetmirror/s3proxy.classpath
DISTRIBUTION=${DISTRIBUTION:-/usr/bin/docker-registry}
NGINX=${NGINX:-/usr/sbin/nginx}
SKOPEO=${SKOPEO:-/usr/bin/skopeo}
AK=bench-access
SK=bench-secret

if [ ! -f "$JAR" ] || [ ! -f "$S3PROXY_CP_FILE" ]; then
  echo "building the node jar and S3Proxy's classpath" >&2
  (cd "$REPO_DIR" && mvn -B -q -DskipTests -pl node -am package)
fi
for tool in "$DISTRIBUTION" "$NGINX" "$SKOPEO"; do
  [ -x "$tool" ] || { echo "$tool is missing" >&2; exit 1; }
done
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY

ROOT=${BENCH_DIR:-$(mktemp -d /tmp/fleetmirror-cluster-bench.XXXXXX)}
mkdir -p "$ROOT/s3"
# nginx workers run as another user when started by root: they must reach their temp directories.
chmod 755 "$ROOT"
source "$REPO_DIR/bench/lib.sh"
ensure_balancer

# 1. The image, pushed straight to the upstream.
echo "image: layers of $LAYERS MiB" >&2
python3 "$REPO_DIR/tools/mkimage.py" "$ROOT/image" v1 $LAYERS --seed 7 > "$ROOT/image.txt"
IMAGE_BYTES=$(image_bytes "$ROOT/image")
IMAGE_REF=bench/app:v1
start_distribution upstream
UP_PORT=$DIST_PORT
await_ready "http://127.0.0.1:$UP_PORT/v2/" "$DIST_PID" "$ROOT/upstream.log"
"$SKOPEO" --insecure-policy copy --dest-tls-verify=false "oci:$ROOT/image:v1" "docker://127.0.0.1:$UP_PORT/$IMAGE_REF" > /dev/null

# 2. One shared link of RATE_MBPS to the upstream, and nginx in front of it counting what crosses it.
LINK_BYTES_PER_S=$((RATE_MBPS * 1000000))
THROTTLE_PORT=$(free_port)
python3 "$REPO_DIR/bench/shared-link.py" "$THROTTLE_PORT" "$UP_PORT" "$LINK_BYTES_PER_S" > "$ROOT/shared-link.log" 2>&1 &
started $!
await_ready "http://127.0.0.1:$THROTTLE_PORT/v2/" $! "$ROOT/shared-link.log"
LINK_PORT=$(free_port)
nginx_start link "
  server {
    listen 127.0.0.1:$LINK_PORT;
    access_log $ROOT/link/logs/access.log egress;
    client_max_body_size 0;
    proxy_buffering off;
    location / {
      proxy_pass http://127.0.0.1:$THROTTLE_PORT;
      proxy_set_header Host \$http_host;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
    }
  }" "$LINK_PORT"
EGRESS_LOG=$ROOT/link/logs/access.log

# 3. S3Proxy (filesystem backend) with a bucket for each side, behind a counting proxy (bench/s3-count.py):
# the S3 requests of each phase are counted at the endpoint.
start_s3proxy
S3_DIRECT=$S3
COUNT_PORT=$(free_port)
# Every S3 request with its times, for bench/cold-timeline.py.
S3_COUNT_LOG=${S3_COUNT_LOG:-$ROOT/s3-requests.log} \
  python3 "$REPO_DIR/bench/s3-count.py" "$COUNT_PORT" "$S3_DIRECT" > "$ROOT/s3-count.log" 2>&1 &
started $!
S3=http://127.0.0.1:$COUNT_PORT
await_ready "$S3/__count" $! "$ROOT/s3-count.log"
for bucket in fleetmirror distribution; do
  curl -sS -f -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" "$S3/$bucket"
done

# 4. The two clusters of mirrors, each with empty storage; 5. their balancers.
start_fm_cluster fleetmirror "" "${FM_EXTRA_YAML:-}"
start_dist_cluster distribution
start_balancers

# 6. The floor: nginx sending the image's files under registry-API paths, as a registry with nothing
#    to decide would: what the clients need at least; straight, and behind the same kind of balancer.
start_floor "$ROOT/image" "$IMAGE_REF"
FLOOR_LB=$(free_port)
start_balancer floor-balancer "floor $FLOOR_LB $FLOOR_PORT"

echo "image bytes: $IMAGE_BYTES, $NODES nodes each, one shared link of $RATE_MBPS MB/s" >&2
BLOBS=$(python3 -c 'import json,sys,glob,os
d=sys.argv[1]; idx=json.load(open(os.path.join(d,"index.json")))
m=json.load(open(os.path.join(d,"blobs",*idx["manifests"][0]["digest"].split(":"))))
print(1+len(m["layers"]))' "$ROOT/image")
# Blob requests by method that reached the upstream (through the link) since log line $1 of $EGRESS_LOG.
upstream_blob_requests() {
  tail -n +"$(($1 + 1))" "$EGRESS_LOG" | awk '$2 ~ /\/blobs\// {n[$1]++} END {printf "HEAD %d GET %d", n["HEAD"] + 0, n["GET"] + 0}'
}
# One phase: the pull, then what the upstream saw of blobs and what S3 served (GETs counted at the endpoint).
WALLS=$ROOT/warm-walls.txt
: > "$WALLS"
phase() { # name balancer-port
  local before s3 gets load line
  before=$(wc -l < "$EGRESS_LOG")
  curl -s -X POST "$S3/__reset" > /dev/null
  load=$(cut -d' ' -f1 /proc/loadavg)
  line=$(cold_pull "$1" "127.0.0.1:$2" "$EGRESS_LOG")
  # the load on the human line only: bench/run.sh splits the RESULT line into its fields
  echo "${line%%$'\n'*}  (load $load)"
  echo "${line#*$'\n'}"
  echo "$1 $(sed -n 's/.* wall *\([0-9.]*\) s .*failed clients: \([0-9]*\).*/\1 \2/p' <<< "$line") $load" >> "$WALLS"
  s3=$(curl -s "$S3/__count")
  gets=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("GET", 0))' "$s3")
  echo "$1: upstream blob requests: $(upstream_blob_requests "$before")  S3 GETs $gets ($(python3 -c "print(f'{$gets / $BLOBS:.1f}')") per blob of $BLOBS), all S3: $s3" >&2
  echo "RESULT phase $1 $(upstream_blob_requests "$before") S3GET $gets BLOBS $BLOBS"
}
# With WARMUP=1, both clusters first pull another image (WARMUP_LAYERS, its own blobs) the same way,
# untimed: the cold phases then meet running nodes (JIT-compiled code, open pools), as in a fleet
# that has served before, rather than processes that have just started.
if [ "${WARMUP:-0}" = 1 ]; then
  python3 "$REPO_DIR/tools/mkimage.py" "$ROOT/warmup-image" v1 ${WARMUP_LAYERS:-8 8} --seed 8 > /dev/null
  "$SKOPEO" --insecure-policy copy --dest-tls-verify=false "oci:$ROOT/warmup-image:v1" \
    "docker://127.0.0.1:$UP_PORT/bench/warmup:v1" > /dev/null
  for lb in "$FM_LB" "$DIST_LB"; do
    IMAGE_REF=bench/warmup:v1 IMAGE_BYTES=$(image_bytes "$ROOT/warmup-image") \
      cold_pull "warmup-$lb" "127.0.0.1:$lb" "$EGRESS_LOG" | grep -v '^RESULT' >&2
  done
fi
phase fleetmirror "$FM_LB"
phase distribution "$DIST_LB"
# Warm fleet pulls, the same shape: every blob is stored on each side now; and the floor, straight
# and behind a balancer. The order turns each round.
warm=("fleetmirror-warm $FM_LB" "distribution-warm $DIST_LB" "floor $FLOOR_PORT" "floor-lb $FLOOR_LB")
for round in $(seq 1 "$WARM_RUNS"); do
  for ((i = 0; i < ${#warm[@]}; i++)); do
    read -r name port <<< "${warm[$(((i + round - 1) % ${#warm[@]}))]}"
    phase "$name" "$port"
  done
done
for pid in "${FM_PIDS[@]}"; do
  echo "fleetmirror node $pid: peak RSS $(awk '/VmHWM/ {print $2 / 1024 " MiB"}' "/proc/$pid/status") (heap capped at -Xmx$NODE_HEAP)" >&2
  echo "RESULT hwm $pid $(awk '/VmHWM/ {print $2}' "/proc/$pid/status")"
done
for side in fleetmirror distribution; do
  echo "$side: balancer ($BALANCER) to each backend, all phases: $(balancer_log_summary "$ROOT/balancers/logs/access.log" "$side")" >&2
done
python3 - "$WALLS" <<'PY'
import sys
from collections import defaultdict
walls, loads, failed = defaultdict(list), defaultdict(list), 0
for line in open(sys.argv[1]):
    name, wall, bad, load = line.split()
    walls[name].append(float(wall)); loads[name].append(float(load)); failed += int(bad)
mean = lambda xs: sum(xs) / len(xs)
print()
print(f"{'warm fleet pull':22s} {'walls (s)':>22s} {'mean':>6s}  load (1 min)")
for name in ("floor", "floor-lb", "fleetmirror-warm", "distribution-warm"):
    if walls[name]:
        print(f"{name:22s} {' / '.join(f'{w:.1f}' for w in walls[name]):>22s} {mean(walls[name]):6.1f}"
              f"  {' / '.join(f'{l:.1f}' for l in loads[name])}")
fm, dist, floor, floor_lb = (mean(walls[n]) if walls[n] else None for n in ("fleetmirror-warm", "distribution-warm", "floor", "floor-lb"))
if fm and dist and floor:
    print(f"Fleet Mirror / Distribution {fm / dist:.2f}x   Fleet Mirror / floor {fm / floor:.2f}x"
          f"   Fleet Mirror / floor behind the balancer {fm / floor_lb:.2f}x   Distribution / floor {dist / floor:.2f}x")
    print(f"RESULT warm fm {fm:.2f} dist {dist:.2f} floor {floor:.2f} floor_lb {floor_lb:.2f}")
if failed:
    print(f"warning: {failed} clients failed in the warm phases")
PY
grep -h -E "WARN|ERROR" "$ROOT"/fm-*.log | grep -v "configuration key" | head -20 >&2 || true
grep -h -i -E "level=error|panic" "$ROOT"/dist-*.log | head -10 >&2 || true
