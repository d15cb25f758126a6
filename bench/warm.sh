#!/usr/bin/env bash
# Warm reads on the same S3 endpoint: Fleet Mirror vs CNCF Distribution 2.8.2, in the same run.
#
#   a. blob throughput: aggregate MB/s of GETs of one warm layer (LAYER_MIB, 64) by 1 and by 32
#      kept-alive connections (bench/BlobLoad.java, DURATION seconds), through each registry's pull-through cache and
#      straight from S3Proxy (the backend read directly, SigV4-signed); and through a second Fleet
#      Mirror node on the same bucket with the local disk tier (localcache), which sends the layer
#      from its own disk (Distribution has no such tier: its row is the same measurement); through a
#      third node with presigned redirects (storage.redirect.disable: false; the client follows the
#      307 to S3Proxy over a second kept-alive connection); and nginx sending the same layer file
#      from local disk with sendfile (NGINX_WORKERS, default auto; a hard link to the tier's own copy,
#      so both send the same file from the same page cache): the machine's limit for this load client;
#      with TRANSPORT_AB=1 also a tier node on Netty's NIO transport (http.nativetransport: false),
#      with LOOPS_AB=1 instead a tier node serving on one event loop (http.eventloops: 1)
#      beside the default (epoll), interleaved in the same runs;
#   c. S3 requests per warm blob GET, counted at the S3 endpoint (bench/s3-count.py in front of
#      S3Proxy) for nodes without the tier, with it, with redirects, and for Distribution's proxy;
#   b. tag resolves: HEAD /v2/<repo>/manifests/<tag> with the manifest Accept headers, 32
#      connections (ab), requests per second: through each pull-through cache (a tag confirmed upstream
#      within Fleet Mirror's tagttl; Distribution's proxy asks its upstream for every tag request),
#      and on a hosted repository of each (pushed, no upstream involved).
#
# Both registries run with redirects disabled (but the redirect row) (every byte passes through them) on buckets of one
# S3Proxy (filesystem backend); the upstream is Debian's docker-registry. Each measurement runs
# RUNS times, alternating which registry goes first. Prints a table and writes $ROOT/warm.json
# (or WARM_JSON).
#
#   bench/warm.sh
#   LAYER_MIB=256 DURATION=20 RUNS=3 bench/warm.sh
#   TRANSPORT_AB=1 BLOB_ONLY=1 RUNS=3 bench/warm.sh   # blob rows only (no tag resolves, no S3 counts), epoll vs NIO
#   LOOPS_AB=1 BLOB_ONLY=1 RUNS=3 bench/warm.sh       # the same, one event loop per processor vs one
#
# Every row records the 1-minute load average when it started (the machine may be shared).
#
# Needs: java 17, maven (builds the jar and S3Proxy's classpath when missing), python3, curl, wrk,
# ab (apache2-utils), skopeo, docker-registry.
set -euo pipefail

LAYER_MIB=${LAYER_MIB:-64}
DURATION=${DURATION:-10}
RUNS=${RUNS:-2}
CONNECTIONS=${CONNECTIONS:-"1 32"}
TAG_CONNECTIONS=${TAG_CONNECTIONS:-32}
NODE_HEAP=${NODE_HEAP:-512m}
REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
JAR=${JAR:-$REPO_DIR/node/target/fleetmirror.jar}
S3PROXY_CP_FILE=$REPO_DIR/s3proxy-runtime/target/classes/fleetmirror/s3proxy.classpath
DISTRIBUTION=${DISTRIBUTION:-/usr/bin/docker-registry}
SKOPEO=${SKOPEO:-/usr/bin/skopeo}
WRK=${WRK:-/usr/bin/wrk}
AB=${AB:-/usr/bin/ab}
NGINX=${NGINX:-/usr/sbin/nginx}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
COUNT_GETS=${COUNT_GETS:-5}
TRANSPORT_AB=${TRANSPORT_AB:-0}
# The A/B tier node differs from the tier node in one setting: the transport, or the event loops.
LOOPS_AB=${LOOPS_AB:-0}
AB_SETTING=REGISTRY_HTTP_NATIVETRANSPORT=false
AB_LABEL=NIO
if [ "$LOOPS_AB" = 1 ]; then
  TRANSPORT_AB=1
  AB_SETTING=REGISTRY_HTTP_EVENTLOOPS=1
  AB_LABEL="1 loop"
fi
export AB_LABEL
BLOB_ONLY=${BLOB_ONLY:-0}
AK=bench-access
SK=bench-secret

if [ ! -f "$JAR" ] || [ ! -f "$S3PROXY_CP_FILE" ]; then
  echo "building the node jar and S3Proxy's classpath" >&2
  (cd "$REPO_DIR" && mvn -B -q -DskipTests -pl node -am package)
fi
for tool in "$DISTRIBUTION" "$SKOPEO" "$AB" "$NGINX"; do
  [ -x "$tool" ] || { echo "$tool is missing (apt-get install docker-registry skopeo wrk apache2-utils)" >&2; exit 1; }
done
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY

ROOT=${BENCH_DIR:-$(mktemp -d /tmp/fleetmirror-warm-bench.XXXXXX)}
mkdir -p "$ROOT/s3"
source "$REPO_DIR/bench/lib.sh"
WARM_JSON=${WARM_JSON:-$ROOT/warm.json}

# 1. The upstream, with one image: a LAYER_MIB layer and a small one.
python3 "$REPO_DIR/tools/mkimage.py" "$ROOT/image" v1 "$LAYER_MIB" 1 --seed 11 > "$ROOT/image.txt"
start_distribution upstream
UP_PORT=$DIST_PORT
await_ready "http://127.0.0.1:$UP_PORT/v2/" "$DIST_PID" "$ROOT/upstream.log"
"$SKOPEO" --insecure-policy copy --dest-tls-verify=false "oci:$ROOT/image:v1" \
  "docker://127.0.0.1:$UP_PORT/bench/app:v1" > /dev/null
LAYER=$(python3 - "$ROOT/image" <<'PY'
import json, os, sys
root = sys.argv[1]
index = json.load(open(os.path.join(root, "index.json")))
m = json.load(open(os.path.join(root, "blobs/sha256", index["manifests"][0]["digest"].split(":")[1])))
big = max(m["layers"], key=lambda l: l["size"])
print(big["digest"], big["size"])
PY
)
read -r LAYER_DIGEST LAYER_BYTES <<< "$LAYER"

# 2. S3Proxy with a bucket for each registry.
start_s3proxy
for bucket in fleetmirror distribution distribution-hosted; do
  curl -sS -f -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" "$S3/$bucket"
done

# 3. Fleet Mirror: mirror/ is the upstream, every other name hosted. Distribution: a proxy, and a
#    second, hosted one (a Distribution instance is either).
NODE_NAME=fm NODE_EXTRA_YAML="upstreams:
  - name: upstream
    url: http://127.0.0.1:$UP_PORT
    prefix: mirror/
proxy:
  tagttl: 1h
  spooldirectory: $ROOT/fm/spool
localcache:
  enabled: false" start_node "$(s3_yaml fleetmirror)"
FM=$NODE
await_ready "$FM/v2/" "$NODE_PID" "$ROOT/fm.log" -f
# The same node with the local disk tier, on the same bucket: it serves warm blobs from its own disk.
TIER_LOG=warn
[ "$TRANSPORT_AB" = 1 ] && TIER_LOG=info
REGISTRY_LOG_LEVEL=$TIER_LOG NODE_NAME=fm-local NODE_EXTRA_YAML="upstreams:
  - name: upstream
    url: http://127.0.0.1:$UP_PORT
    prefix: mirror/
proxy:
  tagttl: 1h
  spooldirectory: $ROOT/fm-local/spool
localcache:
  directory: $ROOT/fm-local/cache
  maxsize: 4GiB" start_node "$(s3_yaml fleetmirror)"
FM_LOCAL=$NODE
await_ready "$FM_LOCAL/v2/" "$NODE_PID" "$ROOT/fm-local.log" -f
if [ "$TRANSPORT_AB" = 1 ]; then
  # The same tier node with AB_SETTING (the environment overrides the config file's key).
  export "${AB_SETTING?}"
  REGISTRY_LOG_LEVEL=info NODE_NAME=fm-local-nio NODE_EXTRA_YAML="upstreams:
  - name: upstream
    url: http://127.0.0.1:$UP_PORT
    prefix: mirror/
proxy:
  tagttl: 1h
  spooldirectory: $ROOT/fm-local-nio/spool
localcache:
  directory: $ROOT/fm-local-nio/cache
  maxsize: 4GiB" start_node "$(s3_yaml fleetmirror)"
  unset "${AB_SETTING%%=*}"
  FM_LOCAL_NIO=$NODE
  await_ready "$FM_LOCAL_NIO/v2/" "$NODE_PID" "$ROOT/fm-local-nio.log" -f
  # Each node logs the transport it runs on (at info; these two nodes log at info for it).
  for name in fm-local fm-local-nio; do
    for _ in $(seq 1 50); do grep -q "network transport" "$ROOT/$name.log" && break; sleep 0.1; done
    echo "$name: $(grep -h -o 'network transport: .*' "$ROOT/$name.log" || echo 'transport not logged')" >&2
  done
fi
# A third node with presigned redirects: clients fetch the data from S3Proxy themselves.
NODE_NAME=fm-redirect NODE_EXTRA_YAML="upstreams:
  - name: upstream
    url: http://127.0.0.1:$UP_PORT
    prefix: mirror/
proxy:
  tagttl: 1h
  spooldirectory: $ROOT/fm-redirect/spool
localcache:
  enabled: false" start_node "$(s3_yaml fleetmirror | sed 's/disable: true/disable: false/')"
FM_REDIRECT=$NODE
await_ready "$FM_REDIRECT/v2/" "$NODE_PID" "$ROOT/fm-redirect.log" -f
start_distribution dist "proxy:
  remoteurl: http://127.0.0.1:$UP_PORT" "$(s3_yaml distribution)"
DIST=http://127.0.0.1:$DIST_PORT
await_ready "$DIST/v2/" "$DIST_PID" "$ROOT/dist.log"
start_distribution dist-hosted "" "$(s3_yaml distribution-hosted)"
DIST_HOSTED=http://127.0.0.1:$DIST_PORT
await_ready "$DIST_HOSTED/v2/" "$DIST_PID" "$ROOT/dist-hosted.log"

# 4. Warm both caches with one pull each; push the image to both hosted registries.
for registry in "${FM#http://}/mirror/bench/app:v1" "${DIST#http://}/bench/app:v1"; do
  "$SKOPEO" --insecure-policy copy --src-tls-verify=false "docker://$registry" "dir:$ROOT/pulled" > /dev/null
  rm -rf "$ROOT/pulled"
done
"$SKOPEO" --insecure-policy copy --dest-tls-verify=false "oci:$ROOT/image:v1" "docker://${FM#http://}/hosted/app:v1" > /dev/null
# Distribution 2.8.2's s3 driver panics on chunked uploads to S3Proxy (nil pointer in its writer), so
# its hosted bucket gets a copy of Fleet Mirror's tree instead: the layouts are the same, and
# S3Proxy's filesystem backend serves files written beside it.
cp -r "$ROOT/s3/fleetmirror/docker" "$ROOT/s3/distribution-hosted/"
# Distribution's proxy stores a blob after serving it: wait until its cache holds the layer.
for _ in $(seq 1 100); do
  [ -f "$ROOT/s3/distribution/docker/registry/v2/blobs/sha256/${LAYER_DIGEST:7:2}/${LAYER_DIGEST#sha256:}/data" ] && break
  sleep 0.2
done

FM_BLOB="$FM/v2/mirror/bench/app/blobs/$LAYER_DIGEST"
FM_LOCAL_BLOB="$FM_LOCAL/v2/mirror/bench/app/blobs/$LAYER_DIGEST"
warm_tier() { # node-name blob-url: served once from the bucket (which the first node filled), then
  # copied to the node's disk; waits for the copy.
  local copy="$ROOT/$1/cache/sha256/${LAYER_DIGEST#sha256:}"
  curl -sS -o /dev/null "$2"
  for _ in $(seq 1 200); do
    [ -f "$copy" ] && return
    sleep 0.1
  done
  echo "the local disk tier of $1 did not copy the layer" >&2
  exit 1
}
warm_tier fm-local "$FM_LOCAL_BLOB"
if [ "$TRANSPORT_AB" = 1 ]; then
  FM_LOCAL_NIO_BLOB="$FM_LOCAL_NIO/v2/mirror/bench/app/blobs/$LAYER_DIGEST"
  warm_tier fm-local-nio "$FM_LOCAL_NIO_BLOB"
fi
DIST_BLOB="$DIST/v2/bench/app/blobs/$LAYER_DIGEST"
FM_REDIRECT_BLOB="$FM_REDIRECT/v2/mirror/bench/app/blobs/$LAYER_DIGEST"
[ "$(curl -sS -o /dev/null -w '%{http_code}' "$FM_REDIRECT_BLOB")" = 307 ] || { echo "no redirect from $FM_REDIRECT_BLOB" >&2; exit 1; }
# nginx sends the same file from local disk with sendfile: what this machine and client can do. A
# hard link, not a copy: the page cache holds a file in folios as large as the writes that made it,
# and sendfile's cost per byte depends on them, so a copy written by cp would measure another file.
# (nginx's workers run as nobody when started by root: they need to reach the file.)
mkdir -p "$ROOT/nginx-files"
ln "$ROOT/fm-local/cache/sha256/${LAYER_DIGEST#sha256:}" "$ROOT/nginx-files/layer"
chmod o+x "$ROOT" "$ROOT/nginx-files"
chmod o+r "$ROOT/nginx-files/layer"
NGINX_PORT=$(free_port)
NGINX_WORKERS=$NGINX_WORKERS nginx_start nginx-files "  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $ROOT/nginx-files;
  }" "$NGINX_PORT"
NGINX_BLOB="http://127.0.0.1:$NGINX_PORT/layer"
S3_BLOB="$S3/fleetmirror/docker/registry/v2/blobs/sha256/${LAYER_DIGEST:7:2}/${LAYER_DIGEST#sha256:}/data"
for url in "$FM_BLOB" "$FM_LOCAL_BLOB" "$DIST_BLOB" "$NGINX_BLOB" ${FM_LOCAL_NIO_BLOB:+"$FM_LOCAL_NIO_BLOB"}; do
  size=$(curl -sS -o /dev/null -w '%{size_download}' "$url")
  [ "$size" = "$LAYER_BYTES" ] || { echo "GET $url gave $size bytes, not $LAYER_BYTES" >&2; exit 1; }
done
# S3Proxy checks a signature's time within 15 minutes: wrk repeats the headers curl signed once,
# fresh for each measurement.
s3_headers() {
  curl -sS -v -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" "$S3_BLOB" 2>&1 \
    | tr -d '\r' | sed -n 's/^> \(Authorization\|X-Amz-Date\|x-amz-content-sha256\): /\1: /p'
}

ACCEPT="application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json"
# wrk waits for the body a HEAD answer announces (Content-Length) and never completes one; ab (-i)
# sends HEAD requests properly, over keep-alive connections.
ab_heads() { # connections url -> "requests/s 0 failures"
  local out
  out=$("$AB" -q -i -k -c "$1" -t "$DURATION" -n 10000000 -H "Accept: $ACCEPT" "$2" 2>&1) || true
  echo "$out" >> "$ROOT/ab.log"
  python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
rps = re.search(r"Requests per second:\s+([\d.]+)", out)
failed = re.search(r"Failed requests:\s+(\d+)", out)
non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
print(f"{float(rps.group(1)) if rps else 0:.1f} 0 {(int(failed.group(1)) if failed else 0) + (int(non2xx.group(1)) if non2xx else 0)}")
PY
}

wrk_run() { # connections url [wrk args...] -> "requests/s MB/s non2xx"
  local c=$1 url=$2 threads=2 out
  shift 2
  [ "$c" -lt 2 ] && threads=1
  # A long timeout: a 64 MiB answer shared by 32 connections takes seconds, and must count whole.
  out=$("$WRK" -t"$threads" -c"$c" -d"${DURATION}s" --timeout 60s --latency "$@" "$url" 2>&1)
  echo "$out" >> "$ROOT/wrk.log"
  python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
m = re.search(r"Transfer/sec:\s+([\d.]+)([KMGT]?B)", out)
scale = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}[m.group(2)]
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
errors = re.search(r"Socket errors:.*", out)
print(f"{rps:.1f} {float(m.group(1)) * scale / 1e6:.1f} {int(non2xx.group(1)) if non2xx else 0}")
PY
}

# Blob GETs: bench/BlobLoad.java, a client that reads into 1 MiB buffers (wrk reads 8 KiB at a
# time and tops out near 1 GB/s per thread, below what the servers send on loopback).
blob_run() { # connections url [header...] -> "requests/s MB/s failures"
  local c=$1 url=$2
  shift 2
  java -Xmx64m -XX:MaxDirectMemorySize=256m "$REPO_DIR/bench/BlobLoad.java" "$url" "$c" "$DURATION" "$@" 2>> "$ROOT/blobload.log"
}

RESULTS=$ROOT/warm-results.txt
: > "$RESULTS"
# Each row ends with the 1-minute load average when its measurement started.
record() { echo "$* $LOAD" >> "$RESULTS"; }
load_now() { LOAD=$(cut -d' ' -f1 /proc/loadavg); }
echo "warm reads: ${LAYER_BYTES} byte layer, ${DURATION} s per measurement, $RUNS runs" >&2
for run in $(seq 1 "$RUNS"); do
  for c in $CONNECTIONS; do
    order=("fleetmirror $FM_BLOB" "distribution $DIST_BLOB")
    [ $((run % 2)) = 0 ] && order=("distribution $DIST_BLOB" "fleetmirror $FM_BLOB")
    for entry in "${order[@]}"; do
      read -r side url <<< "$entry"
      load_now
      read -r rps mbps bad < <(blob_run "$c" "$url")
      record "blob $side $c $run $mbps $rps $bad"
    done
    mapfile -t headers < <(s3_headers)
    load_now
    read -r rps mbps bad < <(blob_run "$c" "$S3_BLOB" "${headers[@]}")
    record "blob s3-direct $c $run $mbps $rps $bad"
    # The tier rows and nginx: the order turns each run, so none always follows the same neighbour.
    tier=("blob-local fleetmirror $FM_LOCAL_BLOB" "blob-nginx nginx $NGINX_BLOB")
    [ "$TRANSPORT_AB" = 1 ] && tier+=("blob-local-nio fleetmirror $FM_LOCAL_NIO_BLOB")
    for ((i = 0; i < ${#tier[@]}; i++)); do
      read -r kind side url <<< "${tier[$(((i + run) % ${#tier[@]}))]}"
      load_now
      read -r rps mbps bad < <(blob_run "$c" "$url")
      record "$kind $side $c $run $mbps $rps $bad"
    done
    load_now
    read -r rps mbps bad < <(blob_run "$c" "$FM_REDIRECT_BLOB")
    record "blob-redirect fleetmirror $c $run $mbps $rps $bad"
  done
  [ "$BLOB_ONLY" = 1 ] && continue
  order=(fleetmirror distribution)
  [ $((run % 2)) = 0 ] && order=(distribution fleetmirror)
  for side in "${order[@]}"; do
    if [ "$side" = fleetmirror ]; then
      proxied="$FM/v2/mirror/bench/app/manifests/v1"; hosted="$FM/v2/hosted/app/manifests/v1"
    else
      proxied="$DIST/v2/bench/app/manifests/v1"; hosted="$DIST_HOSTED/v2/hosted/app/manifests/v1"
    fi
    load_now
    read -r rps mbps bad < <(ab_heads "$TAG_CONNECTIONS" "$proxied")
    record "tag-proxy $side $TAG_CONNECTIONS $run $mbps $rps $bad"
    load_now
    read -r rps mbps bad < <(ab_heads "$TAG_CONNECTIONS" "$hosted")
    record "tag-hosted $side $TAG_CONNECTIONS $run $mbps $rps $bad"
    # The same resolve as a GET with wrk, a second load generator as a cross-check (when installed).
    if [ -x "$WRK" ]; then
      load_now
      read -r rps mbps bad < <(wrk_run "$TAG_CONNECTIONS" "$hosted" -H "Accept: $ACCEPT")
      record "tag-get-hosted $side $TAG_CONNECTIONS $run $mbps $rps $bad"
    fi
  done
done

# c. S3 requests per warm blob GET, counted at the S3 endpoint: bench/s3-count.py relays to S3Proxy,
#    and nodes (and a Distribution proxy) on the same buckets talk to S3 through it. Each is warmed
#    by one GET (the tier copies the layer then), the counts reset, then COUNT_GETS GETs.
if [ "$BLOB_ONLY" != 1 ]; then
COUNT_PORT=$(free_port)
python3 "$REPO_DIR/bench/s3-count.py" "$COUNT_PORT" "$S3" > "$ROOT/s3-count.log" 2>&1 &
started $!
await_ready "http://127.0.0.1:$COUNT_PORT/__count" $! "$ROOT/s3-count.log"
counted_yaml() { s3_yaml "$1" | sed "s#regionendpoint: $S3#regionendpoint: http://127.0.0.1:$COUNT_PORT#"; }
count_node() { # name localcache-yaml redirect(true|false)
  NODE_NAME=$1 NODE_EXTRA_YAML="upstreams:
  - name: upstream
    url: http://127.0.0.1:$UP_PORT
    prefix: mirror/
proxy:
  tagttl: 1h
  spooldirectory: $ROOT/$1/spool
localcache:
$2" start_node "$(counted_yaml fleetmirror | sed "s/disable: true/disable: $3/")"
  await_ready "$NODE/v2/" "$NODE_PID" "$ROOT/$1.log" -f
}
count_gets() { # side url [curl flags] -> records "s3 <side> <requests per GET> <by kind>"
  local side=$1 url=$2
  shift 2
  curl -sS -L -o /dev/null "$@" "$url"
  if [ "$side" = fleetmirror-tier ]; then
    for _ in $(seq 1 200); do
      [ -f "$ROOT/fm-count-tier/cache/sha256/${LAYER_DIGEST#sha256:}" ] && break
      sleep 0.1
    done
    sleep 0.5
  fi
  curl -sS -X POST "http://127.0.0.1:$COUNT_PORT/__reset" > /dev/null
  for _ in $(seq 1 "$COUNT_GETS"); do
    curl -sS -L -o /dev/null "$@" "$url"
  done
  local counts
  counts=$(curl -sS "http://127.0.0.1:$COUNT_PORT/__count")
  python3 - "$side" "$COUNT_GETS" "$counts" >> "$RESULTS" <<'PY'
import json, sys
side, gets, counts = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
kinds = ",".join(f"{k}={v}" for k, v in sorted(counts.items()) if k != "total" and v)
print(f"s3 {side} {counts.get('total', 0) / gets:.2f} {kinds or '-'}")
PY
}
count_node fm-count-notier "  enabled: false" true
count_gets fleetmirror-no-tier "$NODE/v2/mirror/bench/app/blobs/$LAYER_DIGEST"
count_node fm-count-tier "  directory: $ROOT/fm-count-tier/cache" true
count_gets fleetmirror-tier "$NODE/v2/mirror/bench/app/blobs/$LAYER_DIGEST"
count_node fm-count-redirect "  enabled: false" false
count_gets fleetmirror-redirect "$NODE/v2/mirror/bench/app/blobs/$LAYER_DIGEST"
start_distribution dist-count "proxy:
  remoteurl: http://127.0.0.1:$UP_PORT" "$(counted_yaml distribution)"
await_ready "http://127.0.0.1:$DIST_PORT/v2/" "$DIST_PID" "$ROOT/dist-count.log"
count_gets distribution "http://127.0.0.1:$DIST_PORT/v2/bench/app/blobs/$LAYER_DIGEST"
fi

python3 - "$RESULTS" "$WARM_JSON" "$LAYER_BYTES" "$DURATION" <<'PY'
import json, os, sys
from collections import defaultdict
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
s3_counts = [row[1:] for row in rows if row[0] == "s3"]
rows = [row for row in rows if row[0] != "s3"]
runs = defaultdict(list)
loads = defaultdict(list)
bad = 0
for kind, side, conns, run, mbps, rps, non2xx, load in rows:
    value = float(mbps) if kind.startswith("blob") else float(rps)
    runs[(kind, int(conns), side)].append(value)
    loads[(kind, int(conns), side)].append(float(load))
    bad += int(non2xx)
out = {"layer_bytes": int(sys.argv[3]), "duration_s": int(sys.argv[4]), "non_2xx": bad, "rows": []}
print()
print(f"{'warm measurement':38s} {'Fleet Mirror':>16s} {'Distribution':>16s} {'S3 direct':>12s} {'FM/Dist':>8s}")
for (kind, conns) in sorted({(k, c) for k, c, _ in runs if k not in ("blob-nginx", "blob-redirect", "blob-local-nio")},
                            key=lambda x: (not x[0].startswith("blob"), x[0], x[1])):
    fm, dist, s3 = (runs.get((kind, conns, s), []) for s in ("fleetmirror", "distribution", "s3-direct"))
    if kind == "blob-local":
        # The same Distribution measurement: it has no local tier.
        dist, s3 = runs.get(("blob", conns, "distribution"), []), runs.get(("blob", conns, "s3-direct"), [])
    unit = "MB/s" if kind.startswith("blob") else "req/s"
    label = {"blob": f"blob GET, {conns} conn ({unit})", "blob-local": f"blob GET, {conns} conn, local tier ({unit})", "tag-proxy": f"tag HEAD, mirrored, {conns} conn ({unit})",
             "tag-hosted": f"tag HEAD, hosted, {conns} conn ({unit})",
             "tag-get-hosted": f"tag GET, hosted, {conns} conn, wrk ({unit})"}[kind]
    ratio = (sum(fm) / len(fm)) / (sum(dist) / len(dist)) if fm and dist and sum(dist) > 0 else None
    fmt = lambda xs: " / ".join(f"{x:.0f}" for x in xs) if xs else "-"
    shown = "-" if ratio is None else f"{ratio:.2f}x"
    print(f"{label:38s} {fmt(fm):>16s} {fmt(dist):>16s} {fmt(s3):>12s} {shown:>8s}")
    out["rows"].append({"measurement": kind, "connections": conns, "unit": unit, "fleetmirror": fm,
                        "distribution": dist, "s3_direct": s3 or None,
                        "load_1min": loads.get((kind, conns, "fleetmirror"), []),
                        "ratio": round(ratio, 2) if ratio else None})
mean = lambda xs: sum(xs) / len(xs) if xs else 0
print()
ab = any(k == "blob-local-nio" for k, _, _ in runs)
AB = os.environ.get("AB_LABEL", "NIO")
print(f"{'warm blob GET (MB/s)':28s} {'conn':>4s} {'tier':>8s} {'no tier':>8s} {'redirect':>8s} {'nginx':>8s} {'Distrib.':>8s}"
      f" {'tier/nginx':>10s} {'tier/Dist':>9s} {'notier/Dist':>11s}"
      + (f" {'tier ' + AB:>10s} {AB + '/nginx':>12s}" if ab else "") + "  load (1 min)")
out["limit"] = []
for conns in sorted({c for k, c, _ in runs if k.startswith("blob")}):
    tier, notier = mean(runs.get(("blob-local", conns, "fleetmirror"), [])), mean(runs.get(("blob", conns, "fleetmirror"), []))
    redirect, nginx = mean(runs.get(("blob-redirect", conns, "fleetmirror"), [])), mean(runs.get(("blob-nginx", conns, "nginx"), []))
    dist = mean(runs.get(("blob", conns, "distribution"), []))
    ratio = lambda a, b: f"{a / b:.2f}x" if b else "-"
    nio = mean(runs.get(("blob-local-nio", conns, "fleetmirror"), []))
    seen = [x for (k, c, _), xs in loads.items() if k.startswith("blob") and c == conns for x in xs]
    print(f"{'':28s} {conns:>4d} {tier:8.0f} {notier:8.0f} {redirect:8.0f} {nginx:8.0f} {dist:8.0f}"
          f" {ratio(tier, nginx):>10s} {ratio(tier, dist):>9s} {ratio(notier, dist):>11s}"
          + (f" {nio:10.0f} {ratio(nio, nginx):>12s}" if ab else "") + f"  {min(seen):.1f}-{max(seen):.1f}")
    out["limit"].append({"connections": conns, "tier": tier, "no_tier": notier, "redirect": redirect, "nginx": nginx,
                         "distribution": dist, "tier_nio": nio or None, "load_1min": [min(seen), max(seen)],
                         "per_run": {k: runs.get((k, conns, side), []) for k, side in
                                     (("blob-local", "fleetmirror"), ("blob-local-nio", "fleetmirror"),
                                      ("blob-nginx", "nginx"), ("blob", "distribution"))}})
if s3_counts:
    print()
    print("S3 requests per warm blob GET, counted at the S3 endpoint:")
    for side, per_get, kinds in s3_counts:
        print(f"  {side:24s} {per_get:>6s}  ({kinds})")
    out["s3_requests_per_warm_get"] = {side: float(per_get) for side, per_get, _ in s3_counts}
if bad:
    print(f"warning: {bad} answers were not 2xx/3xx (see wrk.log)")
json.dump(out, open(sys.argv[2], "w"), indent=2)
PY
grep -h -E "WARN|ERROR" "$ROOT"/fm.log | grep -v "configuration key" | head -10 >&2 || true
