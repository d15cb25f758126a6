#!/usr/bin/env bash
# Upstream egress of a SIGNED image pulled by 16 clients through a cluster of pull-through caches
# (3 Fleet Mirror nodes on one S3 bucket and one Hazelcast cluster) next to 3 CNCF Distribution 2.8.2
# proxies on a second bucket, in the same run, each behind a round-robin balancer (BALANCER, lib.sh:
# HAProxy in TCP mode by default); and how
# often the upstream is asked for the image's referrers per tag TTL for the whole cluster.
#
# Each client does what a signature-enforcing node does: pull the image (skopeo), then ask the
# referrers API for its digest (falling back to the OCI referrers tag schema, GET manifests/sha256-<hex>,
# on a 404 as the spec says: Distribution 2.8 has no referrers API), then fetch every referrer's
# manifest and blobs, checking every digest. The upstream is Debian's docker-registry holding the
# image, a signature and an SBOM (artifacts with a subject) and the referrers tag index listing
# them, behind nginx whose access log ($bytes_sent) measures what crossed the upstream link.
#
#   bench/signed-cold-pull.sh                        # 16 clients, 3+3 nodes, 2 x 8 MiB layers
#   CLIENTS=8 LAYERS="20 20" TAGTTL=30s ROUNDS=3 bench/signed-cold-pull.sh
#
# The rounds after the cold one must fit in one TAGTTL for the "within one tag TTL" count to mean
# that (each prints its wall time); the round after the sleep is past it.
#
# Needs: java 17, maven (builds the jar and S3Proxy's classpath when missing), python3, curl, nginx,
# skopeo, docker-registry; HAProxy for the default BALANCER=l4 (installed with apt-get when missing).
set -euo pipefail

CLIENTS=${CLIENTS:-16}
NODES=${NODES:-3}
LAYERS=${LAYERS:-"8 8"}
TAGTTL=${TAGTTL:-1m}
ROUNDS=${ROUNDS:-3}
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

ROOT=${BENCH_DIR:-$(mktemp -d /tmp/fleetmirror-signed-bench.XXXXXX)}
mkdir -p "$ROOT/s3"
chmod 755 "$ROOT"
source "$REPO_DIR/bench/lib.sh"
ensure_balancer

# 1. The image and its referrers, pushed straight to the upstream.
python3 "$REPO_DIR/tools/mkimage.py" "$ROOT/image" v1 $LAYERS --seed 11 > "$ROOT/image.txt"
IMAGE_BYTES=$(image_bytes "$ROOT/image")
REPO=bench/signed
IMAGE_REF=$REPO:v1
start_distribution upstream
UP_PORT=$DIST_PORT
await_ready "http://127.0.0.1:$UP_PORT/v2/" "$DIST_PID" "$ROOT/upstream.log"
"$SKOPEO" --insecure-policy copy --dest-tls-verify=false "oci:$ROOT/image:v1" "docker://127.0.0.1:$UP_PORT/$IMAGE_REF" > /dev/null
# Prints the signature bytes a verifying client moves: the tag index, each referrer's manifest and blobs.
SIG_BYTES=$(python3 "$REPO_DIR/bench/signed-referrers.py" push "http://127.0.0.1:$UP_PORT" "$REPO" v1)
SUBJECT=$(python3 "$REPO_DIR/bench/signed-referrers.py" digest "http://127.0.0.1:$UP_PORT" "$REPO" v1)

# 2. nginx in front of the upstream, counting what crosses the link.
LINK_PORT=$(free_port)
nginx_start link "
  server {
    listen 127.0.0.1:$LINK_PORT;
    access_log $ROOT/link/logs/access.log egress;
    client_max_body_size 0;
    proxy_buffering off;
    location / {
      proxy_pass http://127.0.0.1:$UP_PORT;
      proxy_set_header Host \$http_host;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
    }
  }" "$LINK_PORT"
EGRESS_LOG=$ROOT/link/logs/access.log

# 3. S3Proxy with a bucket for each side; 4. the two clusters of mirrors.
start_s3proxy
for bucket in fleetmirror distribution; do
  curl -sS -f -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" "$S3/$bucket"
done
start_fm_cluster fleetmirror "  tagttl: $TAGTTL
"
start_dist_cluster distribution

# 5. The balancers.
start_balancers

signed_pull() { # name registry-host:port: $CLIENTS clients at once pull the image and verify-fetch its referrers;
  # prints the upstream egress gained meanwhile against image + signatures, and failed clients
  local name=$1 registry=$2 before egress i pid failed=0 pids=() start end
  before=$(wc -l < "$EGRESS_LOG")
  start=$(now)
  mkdir -p "$ROOT/pulls"
  for i in $(seq 1 "$CLIENTS"); do
    ( "$SKOPEO" --insecure-policy copy --retry-times 0 --src-tls-verify=false \
        "docker://$registry/$IMAGE_REF" "dir:$ROOT/pulls/$name-$i" \
      && python3 "$REPO_DIR/bench/signed-referrers.py" verify "http://$registry" "$REPO" v1 ) \
      > "$ROOT/pulls-$name-$i.log" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
  end=$(now)
  rm -rf "$ROOT/pulls"
  egress=$(tail -n +"$((before + 1))" "$EGRESS_LOG" | awk '{s += $4} END {print s + 0}')
  python3 - "$name" "$egress" "$IMAGE_BYTES" "$SIG_BYTES" "$failed" "$CLIENTS" "$start" "$end" <<'PY'
import sys
name, egress, image, sig, failed, clients, start, end = sys.argv[1:]
egress, image, sig = int(egress), int(image), int(sig)
print(f"{name:22s} {clients} clients  wall {float(end) - float(start):5.1f} s  upstream egress {egress / 1e6:7.2f} MB = {egress / (image + sig):5.2f} x"
      f" (image {image / 1e6:.2f} MB + signatures {sig / 1e3:.1f} kB)  failed clients: {failed}")
print(f"RESULT signed {name} {clients} {egress} {image} {sig} {failed}")
PY
}

referrer_asks() { # the upstream requests about the subject's referrers so far: API and tag-schema reads
  local api tag
  api=$(awk -v d="/referrers/$SUBJECT" 'index($2, d) {n++} END {print n + 0}' "$EGRESS_LOG")
  tag=$(awk -v t="/manifests/${SUBJECT/:/-}" '$2 ~ t"$" {n++} END {print n + 0}' "$EGRESS_LOG")
  echo "$api referrers-API, $tag referrers-tag"
}

echo "image $IMAGE_BYTES bytes, signatures $SIG_BYTES bytes, $NODES nodes each, tagttl $TAGTTL (Fleet Mirror)" >&2
signed_pull fleetmirror "127.0.0.1:$FM_LB"
echo "fleetmirror after the cold round: upstream asked $(referrer_asks)"
for round in $(seq 1 "$ROUNDS"); do signed_pull "fleetmirror-again-$round" "127.0.0.1:$FM_LB"; done
echo "fleetmirror after $ROUNDS more rounds within one tag TTL: upstream asked $(referrer_asks)"
# Past the TTL the next round may re-check the list once for the cluster.
sleep "$(python3 -c "import re,sys; v='$TAGTTL'; m=re.fullmatch(r'(\d+)(s|m)', v); print(int(m[1]) * (60 if m[2]=='m' else 1) + 2)")"
signed_pull fleetmirror-after-ttl "127.0.0.1:$FM_LB"
echo "fleetmirror after one more round past the TTL: upstream asked $(referrer_asks)"
BEFORE_DIST=$(referrer_asks)
signed_pull distribution "127.0.0.1:$DIST_LB"
echo "distribution: upstream referrers asks before its round: $BEFORE_DIST; after: $(referrer_asks)"
grep -h -E "WARN|ERROR" "$ROOT"/fm-*.log | grep -v "configuration key" | head -20 >&2 || true
