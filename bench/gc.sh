#!/usr/bin/env bash
# Garbage collection of an S3 bucket: Fleet Mirror vs CNCF Distribution 2.8.2 (Debian's
# docker-registry garbage-collect), on copies of the same content behind the same S3Proxy, in the
# same run, each twice (the second run finds nothing new), S3 requests counted at the endpoint by a
# counting proxy (bench/s3-count.py); plus the read-only window of a live node's online GC.
#
#   bench/gc.sh                                  # 2,000 manifests, 10,000 blobs, 20% of manifests deleted
#   MANIFESTS=500 BLOBS=3000 bench/gc.sh
#   GC_JSON=out.json bench/gc.sh               # the figures as JSON too
#   bench/gc-100k.sh                             # the 100,000-blob tree (this script with a 256 MiB node)
#
# CLI=0 skips the offline CLI's runs, DIST_RUNS=1 Distribution's repeat run (on large trees they
# take long and add nothing to the online figures). The node's peak resident size (VmHWM) and its
# report's mark state size are printed too.
#
# Needs: java 17, maven (builds the jar and S3Proxy's classpath when missing), python3, curl,
# docker-registry.
set -euo pipefail

MANIFESTS=${MANIFESTS:-2000}
BLOBS=${BLOBS:-10000}
DELETED_PERCENT=${DELETED_PERCENT:-20}
NODE_HEAP=${NODE_HEAP:-512m}
CLI=${CLI:-1}
DIST_RUNS=${DIST_RUNS:-2}
REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
JAR=${JAR:-$REPO_DIR/node/target/fleetmirror.jar}
S3PROXY_CP_FILE=$REPO_DIR/s3proxy-runtime/target/classes/fleetmirror/s3proxy.classpath
DISTRIBUTION=${DISTRIBUTION:-/usr/bin/docker-registry}
AK=bench-access
SK=bench-secret

if [ ! -f "$JAR" ] || [ ! -f "$S3PROXY_CP_FILE" ]; then
  echo "building the node jar and S3Proxy's classpath" >&2
  (cd "$REPO_DIR" && mvn -B -q -DskipTests -pl node -am package)
fi
[ -x "$DISTRIBUTION" ] || { echo "$DISTRIBUTION is missing" >&2; exit 1; }
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

ROOT=${BENCH_DIR:-$(mktemp -d /tmp/fleetmirror-gc-bench.XXXXXX)}
mkdir -p "$ROOT"
source "$REPO_DIR/bench/lib.sh"

# 1. The same content in three buckets (S3Proxy's filesystem backend serves files written beforehand).
echo "writing $MANIFESTS manifests and $BLOBS blobs" >&2
python3 "$REPO_DIR/bench/gc-layout.py" "$ROOT/s3/distribution" "$MANIFESTS" "$BLOBS" "$DELETED_PERCENT" | tee "$ROOT/layout.txt" >&2
[ "$CLI" = 0 ] || cp -r "$ROOT/s3/distribution" "$ROOT/s3/fleetmirror"
cp -r "$ROOT/s3/distribution" "$ROOT/s3/node"
count_blobs() { find "$ROOT/s3/$1/docker/registry/v2/blobs" -name data | wc -l; }
BEFORE=$(count_blobs distribution)
start_s3proxy

config() { # file bucket [extra-yaml]
  { echo "version: 0.1"; echo "log:"; echo "  level: warn"; echo "storage:"; s3_yaml "$2"; echo "${3:-}"; } > "$1"
}

# Every collector talks to S3Proxy through a counting proxy: requests are counted at the endpoint.
S3_DIRECT=$S3
COUNT_PORT=$(free_port)
python3 "$REPO_DIR/bench/s3-count.py" "$COUNT_PORT" "$S3_DIRECT" > "$ROOT/s3-count.log" 2>&1 &
COUNT_PID=$!
started "$COUNT_PID"
S3=http://127.0.0.1:$COUNT_PORT
await_ready "$S3/__count" "$COUNT_PID" "$ROOT/s3-count.log"
reset_count() { curl -s -X POST "$S3/__reset" > /dev/null; }
read_count() { curl -s "$S3/__count"; }
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 0))' "$1" "$2"; }
seconds_since() { python3 -c "print(f'{$(now) - $1:.1f}')"; }

config() { # file bucket [extra-yaml]
  { echo "version: 0.1"; echo "log:"; echo "  level: warn"; echo "storage:"; s3_yaml "$2"; echo "${3:-}"; } > "$1"
}

# 2. Distribution's garbage-collect (stop-the-world: it needs the registry read-only or stopped), twice:
#    the second run finds nothing new.
config "$ROOT/distribution.yml" distribution
reset_count; start=$(now)
"$DISTRIBUTION" garbage-collect "$ROOT/distribution.yml" > "$ROOT/distribution-gc.log" 2>&1
DIST_S=$(seconds_since "$start"); DIST_REQ=$(read_count)
DIST_DELETED=$((BEFORE - $(count_blobs distribution)))
DIST2_S=0; DIST2_REQ='{}'
if [ "$DIST_RUNS" -ge 2 ]; then
  reset_count; start=$(now)
  "$DISTRIBUTION" garbage-collect "$ROOT/distribution.yml" > "$ROOT/distribution-gc-2.log" 2>&1
  DIST2_S=$(seconds_since "$start"); DIST2_REQ=$(read_count)
fi

# 3. Ours, offline: the same collector the cluster runs; twice (the second run has the reference index).
FM_S=0; FM_REQ='{}'; FM_DELETED=0; FM2_S=0; FM2_REQ='{}'
if [ "$CLI" != 0 ]; then
  config "$ROOT/fleetmirror.yml" fleetmirror
  reset_count; start=$(now)
  java -Xmx"$NODE_HEAP" -jar "$JAR" gc --grace 0 "$ROOT/fleetmirror.yml" > "$ROOT/fleetmirror-gc.log" 2>&1
  FM_S=$(seconds_since "$start"); FM_REQ=$(read_count)
  FM_DELETED=$((BEFORE - $(count_blobs fleetmirror)))
  reset_count; start=$(now)
  java -Xmx"$NODE_HEAP" -jar "$JAR" gc --grace 0 "$ROOT/fleetmirror.yml" > "$ROOT/fleetmirror-gc-2.log" 2>&1
  FM2_S=$(seconds_since "$start"); FM2_REQ=$(read_count)
fi

# 4. Ours, live and online: a node collects on request, twice; its reports give the read-only window.
NODE_EXTRA_YAML="gc:
  grace: 0s" start_node "$(s3_yaml node)"
await_ready "$NODE/v2/" "$NODE_PID" "$ROOT/node.log"
reset_count
curl -s -X POST "$NODE/admin/v1/gc" > "$ROOT/node-gc.json"
LIVE_REQ=$(read_count); reset_count
curl -s -X POST "$NODE/admin/v1/gc" > "$ROOT/node-gc-2.json"
LIVE2_REQ=$(read_count)
# The node's peak resident set (heap, metaspace, threads, buffers), as the kernel counted it.
NODE_HWM_KB=$(awk '/^VmHWM/ {print $2}' "/proc/$NODE_PID/status")
report() { python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r.get(sys.argv[2], 0))' "$@"; }
LIVE_S=$(python3 -c "print(f'{$(report "$ROOT/node-gc.json" durationMillis) / 1000:.1f}')")
LIVE2_S=$(python3 -c "print(f'{$(report "$ROOT/node-gc-2.json" durationMillis) / 1000:.1f}')")
NODE_DELETED=$((BEFORE - $(count_blobs node)))

row() { # label seconds counts-json
  printf '%-46s %8s %8s %8s %8s\n' "$1" "$2" "$(field "$3" total)" "$(field "$3" GET)" "$(field "$3" LIST)"
}
printf '\nGC of %s blobs (%s manifests) on S3Proxy; requests counted at the endpoint\n' "$BEFORE" "$MANIFESTS"
printf '%-46s %8s %8s %8s %8s\n' "collector" "wall (s)" "requests" "GETs" "LISTs"
row "Distribution 2.8.2 garbage-collect, run 1" "$DIST_S" "$DIST_REQ"
[ "$DIST_RUNS" -lt 2 ] || row "Distribution 2.8.2 garbage-collect, run 2" "$DIST2_S" "$DIST2_REQ"
if [ "$CLI" != 0 ]; then
  row "Fleet Mirror gc (offline CLI), run 1" "$FM_S" "$FM_REQ"
  row "Fleet Mirror gc (offline CLI), run 2" "$FM2_S" "$FM2_REQ"
fi
row "Fleet Mirror live node, run 1" "$LIVE_S" "$LIVE_REQ"
row "Fleet Mirror live node, run 2" "$LIVE2_S" "$LIVE2_REQ"
if [ "$CLI" != 0 ]; then
  printf 'blobs deleted: Distribution %s, Fleet Mirror offline %s, live %s\n' "$DIST_DELETED" "$FM_DELETED" "$NODE_DELETED"
else
  printf 'blobs deleted: Distribution %s, Fleet Mirror live %s\n' "$DIST_DELETED" "$NODE_DELETED"
fi
for run in node-gc node-gc-2; do
  printf 'live %s: window %s ms (drain %s ms, read-only %s ms), mark %s ms, manifests read %s, writes held %s, mark state %s bytes\n' "$run" \
    "$(report "$ROOT/$run.json" windowMillis)" "$(report "$ROOT/$run.json" readOnlySwitchMillis)" \
    "$(report "$ROOT/$run.json" readOnlyMillis)" "$(report "$ROOT/$run.json" markMillis)" \
    "$(report "$ROOT/$run.json" manifestsRead)" "$(report "$ROOT/$run.json" writesHeld)" \
    "$(report "$ROOT/$run.json" markStateBytes)"
done
printf 'live node: -Xmx%s, peak resident set (VmHWM) %s MiB\n' "$NODE_HEAP" "$((NODE_HWM_KB / 1024))"
python3 - "${GC_JSON:-$ROOT/gc-bench.json}" <<PY
import json, sys
json.dump({"blobs": $BEFORE, "manifests": $MANIFESTS, "node_heap": "$NODE_HEAP", "node_vmhwm_kb": $NODE_HWM_KB,
           "distribution": {"run1_s": $DIST_S, "run1_requests": $DIST_REQ, "run2_s": $DIST2_S, "run2_requests": $DIST2_REQ,
                            "deleted": $DIST_DELETED},
           "fleetmirror_cli": {"run1_s": $FM_S, "run1_requests": $FM_REQ, "run2_s": $FM2_S, "run2_requests": $FM2_REQ,
                               "deleted": $FM_DELETED, "ran": "$CLI" != "0"},
           "fleetmirror_live": {"run1_s": $LIVE_S, "run1_requests": $LIVE_REQ, "run2_s": $LIVE2_S,
                                "run2_requests": $LIVE2_REQ, "deleted": $NODE_DELETED,
                                "run1_report": json.load(open("$ROOT/node-gc.json")),
                                "run2_report": json.load(open("$ROOT/node-gc-2.json"))}},
          open(sys.argv[1], "w"), indent=2)
PY
[ "$CLI" = 0 ] || [ "$FM_DELETED" = "$DIST_DELETED" ] || echo "note: the two deleted different numbers of blobs" >&2
