#!/usr/bin/env bash
# Warm blob GETs through a Fleet Mirror node on S3 next to the same object read directly from the
# S3 endpoint (S3Proxy, filesystem backend), in the same run; then the node's heap while it serves
# many slow downloads of a large blob.
#
#   bench/s3-get.sh                               # 1 GiB blob, 1 and 16 clients, 16 slow clients
#   SIZE_MIB=256 CLIENTS="1 4 16" bench/s3-get.sh
#   SLOW_CLIENTS=16 SLOW_RATE=16M bench/s3-get.sh  # the heap part: 16 downloads at 16 MB/s each
#   BENCH_DIR=/var/tmp/fm-s3 KEEP=1 bench/s3-get.sh
#
# Needs: java 17, maven (builds the jar and S3Proxy's classpath when missing), curl >= 7.75
# (--aws-sigv4), python3. Timings are not tests: compare the columns of one run, on one machine.
set -euo pipefail

SIZE_MIB=${SIZE_MIB:-1024}
CLIENTS=${CLIENTS:-"1 16"}
SLOW_CLIENTS=${SLOW_CLIENTS:-16}
SLOW_RATE=${SLOW_RATE:-16M}
NODE_HEAP=${NODE_HEAP:-256m}
REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
JAR=${JAR:-$REPO_DIR/node/target/fleetmirror.jar}
S3PROXY_CP_FILE=$REPO_DIR/s3proxy-runtime/target/classes/fleetmirror/s3proxy.classpath
AK=bench-access
SK=bench-secret
BUCKET=bench

if [ ! -f "$JAR" ] || [ ! -f "$S3PROXY_CP_FILE" ]; then
  echo "building the node jar and S3Proxy's classpath" >&2
  (cd "$REPO_DIR" && mvn -B -q -DskipTests -pl node -am package)
fi
ROOT=${BENCH_DIR:-$(mktemp -d /tmp/fleetmirror-s3-bench.XXXXXX)}
mkdir -p "$ROOT/s3/$BUCKET" "$ROOT/node"
source "$REPO_DIR/bench/lib.sh"

start_s3proxy
start_node "  s3:
    accesskey: $AK
    secretkey: $SK
    region: us-east-1
    regionendpoint: $S3
    forcepathstyle: true
    secure: false
    bucket: $BUCKET" -Xlog:gc:file="$ROOT/gc.log" ${NODE_JAVA_OPTS:-}
await_ready "$NODE/v2/" "$NODE_PID" "$ROOT/node.log" -f

BLOB=$ROOT/blob.bin
echo "writing a ${SIZE_MIB} MiB random blob and pushing it through the node" >&2
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$BLOB"
BYTES=$(stat -c %s "$BLOB")
HEX=$(sha256sum "$BLOB" | cut -d' ' -f1)
curl -sS -o /dev/null -D "$ROOT/post.headers" -X POST "$NODE/v2/bench/app/blobs/uploads/"
location=$(location "$ROOT/post.headers" "$NODE")
start=$(now)
status=$(curl -sS -H 'Expect:' -o /dev/null -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
  -T "$BLOB" "$location?digest=sha256:$HEX")
end=$(now)
[ "$status" = 201 ] || { echo "push: HTTP $status" >&2; tail -20 "$ROOT/node.log" >&2; exit 1; }
python3 -c "print(f'push through node (multipart upload to S3): {$BYTES/1e6/($end-$start):.0f} MB/s')"

NODE_URL="$NODE/v2/bench/app/blobs/sha256:$HEX"
S3_URL="$S3/$BUCKET/docker/registry/v2/blobs/sha256/${HEX:0:2}/$HEX/data"
# S3 wants the payload hash as a header; curl signs it along with the request.
SIGV4=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK"
       -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

get_many() { # clients url [curl args...] -> MB/s over all clients
  local n=$1 url=$2; shift 2
  local pids=() start end
  start=$(now)
  for i in $(seq 1 "$n"); do
    curl -sS -o /dev/null -w '%{http_code} %{size_download}\n' "$@" "$url" > "$ROOT/get.$i" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  end=$(now)
  for i in $(seq 1 "$n"); do
    read -r code size < "$ROOT/get.$i"
    [ "$code" = 200 ] && [ "$size" = "$BYTES" ] || { echo "GET $url: HTTP $code, $size bytes" >&2; exit 1; }
  done
  python3 -c "print(f'{$n*$BYTES/1e6/($end-$start):.0f}')"
}

# Warm both paths once (JIT, page cache), then measure each client count.
get_many 1 "$NODE_URL" > /dev/null
get_many 1 "$S3_URL" "${SIGV4[@]}" > /dev/null
printf '%-8s %14s %14s %8s\n' clients "node MB/s" "direct MB/s" ratio
for n in $CLIENTS; do
  direct=$(get_many "$n" "$S3_URL" "${SIGV4[@]}")
  node=$(get_many "$n" "$NODE_URL")
  printf '%-8s %14s %14s %7s%%\n' "$n" "$node" "$direct" "$(python3 -c "print(round(100*$node/$direct))")"
done

# Heap with slow readers: every download holds a worker and a connection, never the blob.
if [ "$SLOW_CLIENTS" -gt 0 ]; then
  echo "heap while $SLOW_CLIENTS clients download the ${SIZE_MIB} MiB blob at $SLOW_RATE/s each (-Xmx$NODE_HEAP)" >&2
  gc_from=$(wc -l < "$ROOT/gc.log")
  pids=()
  for i in $(seq 1 "$SLOW_CLIENTS"); do
    curl -sS -o /dev/null --limit-rate "$SLOW_RATE" -w '%{http_code} %{size_download}\n' "$NODE_URL" > "$ROOT/slow.$i" &
    pids+=($!)
  done
  peak=0
  ticks=0
  while :; do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 1 ] || break
    # Used heap in KiB: survivor, eden and old generation occupancy.
    used=$(jstat -gc "$NODE_PID" 2>/dev/null | awk 'NR==2 {printf "%d", $3+$4+$6+$8}')
    [ -n "$used" ] && [ "$used" -gt "$peak" ] && peak=$used
    # A node that makes little garbage is rarely collected: a full GC every 10 s shows what it holds.
    ticks=$((ticks + 1))
    [ $((ticks % 10)) = 0 ] && jcmd "$NODE_PID" GC.run > /dev/null 2>&1 || true
    sleep 1
  done
  for i in $(seq 1 "$SLOW_CLIENTS"); do
    read -r code size < "$ROOT/slow.$i"
    [ "$code" = 200 ] && [ "$size" = "$BYTES" ] || { echo "slow GET: HTTP $code, $size bytes" >&2; exit 1; }
  done
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$NODE_PID/status")
  # What survives a collection is what the node really holds ("used" also counts garbage not yet
  # collected, and a young pause right before a marking cycle still counts old garbage): report
  # the median after any pause and the largest after a full marking (Remark) or full GC.
  tail -n +"$((gc_from + 1))" "$ROOT/gc.log" > "$ROOT/gc.slow.log"
  median=$({ grep -o '[0-9]*M->[0-9]*M' "$ROOT/gc.slow.log" || true; } | sed 's/.*->//;s/M//' | sort -n \
    | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "?")}') || true
  marked=$({ grep -E 'Pause (Remark|Full)' "$ROOT/gc.slow.log" || true; } | grep -o '[0-9]*M->[0-9]*M' \
    | sed 's/.*->//;s/M//' | sort -n | tail -1) || true
  gcs=$(grep -c 'M->' "$ROOT/gc.slow.log" || true)
  echo "slow downloads complete (-Xmx$NODE_HEAP): heap after GC median ${median} MiB, after marking at most" \
    "${marked:-n/a} MiB ($gcs collections), peak used incl. garbage $((peak / 1024)) MiB, peak RSS $((hwm / 1024)) MiB"
fi
