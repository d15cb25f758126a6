#!/usr/bin/env bash
# Garbage collection of an S3 bucket: Fleet Mirror vs CNCF Distribution 2.8.2 (Debian's
# docker-registry garbage-collect), on copies of the same content behind the same S3Proxy, in the
# same run; plus the read-only window of a GC run by a live node (POST /admin/v1/gc).
#
#   bench/gc.sh                                  # 2,000 manifests, 10,000 blobs, 20% of manifests deleted
#   MANIFESTS=500 BLOBS=3000 bench/gc.sh
#   GC_JSON=out.json bench/gc.sh               # the figures as JSON too
#
# Needs: java 17, maven (builds the jar and S3Proxy's classpath when missing), python3, curl,
# docker-registry.
set -euo pipefail

MANIFESTS=${MANIFESTS:-2000}
BLOBS=${BLOBS:-10000}
DELETED_PERCENT=${DELETED_PERCENT:-20}
NODE_HEAP=${NODE_HEAP:-512m}
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
cp -r "$ROOT/s3/distribution" "$ROOT/s3/fleetmirror"
cp -r "$ROOT/s3/distribution" "$ROOT/s3/node"
count_blobs() { find "$ROOT/s3/$1/docker/registry/v2/blobs" -name data | wc -l; }
BEFORE=$(count_blobs distribution)
start_s3proxy

s3_yaml() { # bucket -> the storage section, indented by two spaces
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
config() { # file bucket [extra-yaml]
  { echo "version: 0.1"; echo "log:"; echo "  level: warn"; echo "storage:"; s3_yaml "$2"; echo "${3:-}"; } > "$1"
}

# 2. Distribution's garbage-collect (stop-the-world: it needs the registry read-only or stopped).
config "$ROOT/distribution.yml" distribution
start=$(now)
"$DISTRIBUTION" garbage-collect "$ROOT/distribution.yml" > "$ROOT/distribution-gc.log" 2>&1
DIST_S=$(python3 -c "print(f'{$(now) - $start:.1f}')")
DIST_DELETED=$((BEFORE - $(count_blobs distribution)))

# 3. Ours, offline: the same collector the cluster runs.
config "$ROOT/fleetmirror.yml" fleetmirror
start=$(now)
java -Xmx"$NODE_HEAP" -jar "$JAR" gc --grace 0 "$ROOT/fleetmirror.yml" > "$ROOT/fleetmirror-gc.log" 2>&1
FM_S=$(python3 -c "print(f'{$(now) - $start:.1f}')")
FM_DELETED=$((BEFORE - $(count_blobs fleetmirror)))

# 4. Ours, live: a node collects on request; its report has the read-only window.
NODE_EXTRA_YAML="gc:
  grace: 0s" start_node "$(s3_yaml node)"
await_ready "$NODE/v2/" "$NODE_PID" "$ROOT/node.log"
curl -s -X POST "$NODE/admin/v1/gc" > "$ROOT/node-gc.json"
read -r LIVE_S READ_ONLY_MS SWITCH_MS < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print("%.1f" % (r["durationMillis"] / 1000), r["readOnlyMillis"], r["readOnlySwitchMillis"])' "$ROOT/node-gc.json")
NODE_DELETED=$((BEFORE - $(count_blobs node)))

RATIO=$(python3 -c "print(f'{$DIST_S / max($FM_S, 0.05):.1f}')")
printf '\n%-44s %10s %14s\n' "GC of $BEFORE blobs ($MANIFESTS manifests) on S3Proxy" "wall (s)" "blobs deleted"
printf '%-44s %10s %14s\n' "Distribution 2.8.2 garbage-collect" "$DIST_S" "$DIST_DELETED"
printf '%-44s %10s %14s\n' "Fleet Mirror gc (offline CLI)" "$FM_S" "$FM_DELETED"
printf '%-44s %10s %14s\n' "Fleet Mirror POST /admin/v1/gc (live node)" "$LIVE_S" "$NODE_DELETED"
echo "Fleet Mirror is ${RATIO}x faster; the live node was read-only for ${READ_ONLY_MS} ms (switch ${SWITCH_MS} ms)"
python3 - "${GC_JSON:-$ROOT/gc-bench.json}" <<PY
import json, sys
json.dump({"blobs": $BEFORE, "manifests": $MANIFESTS, "distribution_s": $DIST_S, "distribution_deleted": $DIST_DELETED,
           "fleetmirror_cli_s": $FM_S, "fleetmirror_cli_deleted": $FM_DELETED, "fleetmirror_live_s": $LIVE_S,
           "fleetmirror_live_deleted": $NODE_DELETED, "read_only_ms": $READ_ONLY_MS, "ratio": $RATIO},
          open(sys.argv[1], "w"), indent=2)
PY
[ "$FM_DELETED" = "$DIST_DELETED" ] || echo "note: the two deleted different numbers of blobs" >&2
