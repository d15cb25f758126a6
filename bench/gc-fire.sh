#!/usr/bin/env bash
# Consistency of online GC under fire, with a real SIGKILL: 3 Fleet Mirror node processes (one
# Hazelcast cluster on loopback) on one S3Proxy bucket, gc.grace 0; CLIENTS pushers
# (bench/gc-fire.py) push images through the members for DURATION seconds (shared layers, layers
# pushed again after a HEAD said they exist, cross-repository mounts, tags moved, manifests
# deleted) while GCs run back to back (POST /admin/v1/gc on the members in turn). At KILL_AT
# seconds member 3 is SIGKILLed (`kill -9` of its pid; during a GC run of its own when one comes
# within 20 s), and DOWN_FOR seconds later started again with the same config. Afterwards every
# acknowledged, not deleted manifest must pull completely through every member with verified
# digests, and no push may have failed; exit 1 otherwise.
#
#   bench/gc-fire.sh                                  # 8 clients, 120 s, kill at 45 s, down for 8 s
#   CLIENTS=4 DURATION=40 KILL_AT=15 bench/gc-fire.sh
#   BENCH_DIR=/tmp/fire KEEP=1 bench/gc-fire.sh       # keep logs, configs and the bucket
#
# There is no Distribution column: its garbage-collect must not run while the registry takes
# pushes (its documentation: read-only mode or stopped), so there is nothing to compare under fire.
# Needs: java 17, maven (builds the jar and S3Proxy's classpath when missing), python3, curl.
set -euo pipefail

CLIENTS=${CLIENTS:-8}
DURATION=${DURATION:-120}
KILL_AT=${KILL_AT:-45}
DOWN_FOR=${DOWN_FOR:-8}
NODES=3
VICTIM=3
NODE_HEAP=${NODE_HEAP:-256m}
MAXHOLD=${MAXHOLD:-30s}
# gc.pushwindow: short, so that the runs under fire delete what deleted manifests left once their
# pushes are that old; the longest push is in the report (a push longer than this may fail).
PUSHWINDOW=${PUSHWINDOW:-30s}
REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
JAR=${JAR:-$REPO_DIR/node/target/fleetmirror.jar}
S3PROXY_CP_FILE=$REPO_DIR/s3proxy-runtime/target/classes/fleetmirror/s3proxy.classpath
AK=bench-access
SK=bench-secret
BUCKET=fleetmirror

if [ ! -f "$JAR" ] || [ ! -f "$S3PROXY_CP_FILE" ]; then
  echo "building the node jar and S3Proxy's classpath" >&2
  (cd "$REPO_DIR" && mvn -B -q -DskipTests -pl node -am package)
fi
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY

ROOT=${BENCH_DIR:-$(mktemp -d /tmp/fleetmirror-gc-fire.XXXXXX)}
mkdir -p "$ROOT/s3"
source "$REPO_DIR/bench/lib.sh"

start_s3proxy
curl -sS -f -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
  -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" "$S3/$BUCKET"

cluster_members "$NODES"
NODE_URLS=()
NODE_PIDS=()
for i in $(seq 1 "$NODES"); do
  # Each node its own local disk tier (on by default with S3; a directory serves one node at a time).
  NODE_NAME=fm-$i NODE_EXTRA_YAML="gc:
  grace: 0s
  maxhold: $MAXHOLD
  pushwindow: $PUSHWINDOW
localcache:
  directory: $ROOT/fm-$i/localcache
cluster:
  name: fire-$$
  port: ${MEMBER_PORTS[$((i - 1))]}
  members: $MEMBERS
  secret: $SECRET
  minimumSize: 1" start_node "$(s3_yaml "$BUCKET")" -Dhazelcast.phone.home.enabled=false
  NODE_URLS+=("$NODE")
  NODE_PIDS+=("$NODE_PID")
  await_ready "$NODE/v2/" "$NODE_PID" "$ROOT/fm-$i.log" -f
done

members_seen() { # base-url -> how many members it sees (0 when it does not answer)
  curl -s -m 3 -H "X-Fleetmirror-Cluster-Secret: $SECRET" "$1/admin/v1/cluster" 2>/dev/null \
    | python3 -c 'import json, sys
try: print(len(json.load(sys.stdin)["members"]))
except Exception: print(0)'
}
await_members() { # base-url
  for _ in $(seq 1 300); do [ "$(members_seen "$1")" = "$NODES" ] && return 0; sleep 0.2; done
  echo "$1 does not see $NODES members" >&2; exit 1
}
for url in "${NODE_URLS[@]}"; do await_members "$url"; done
echo "3 members up: ${NODE_URLS[*]}; $CLIENTS clients for $DURATION s, member $VICTIM SIGKILLed at ${KILL_AT} s" >&2

# The clients and the collector; they leave a member out while its index is in DOWN_FILE.
DOWN_FILE=$ROOT/down
VICTIM_FLAG=$ROOT/victim-collecting
NODES_CSV=$(IFS=,; echo "${NODE_URLS[*]}")
python3 "$REPO_DIR/bench/gc-fire.py" --nodes "$NODES_CSV" --secret "$SECRET" --down-file "$DOWN_FILE" \
  --duration "$DURATION" --clients "$CLIENTS" --reports-dir "$ROOT/s3/$BUCKET/fleetmirror/gc/reports" \
  --victim "$((VICTIM - 1))" --victim-flag "$VICTIM_FLAG" --out "${FIRE_JSON:-$ROOT/gc-fire.json}" > "$ROOT/fire.out" 2> "$ROOT/fire.err" &
FIRE_PID=$!
started "$FIRE_PID"
FIRE_START=$(now)

# The kill: preferably while the victim runs a GC of its own (mark, read-only window or sweep).
sleep "$KILL_AT"
VICTIM_URL=${NODE_URLS[$((VICTIM - 1))]}
# gc-fire.py keeps VICTIM_FLAG while its POST /admin/v1/gc to the victim is unanswered, i.e. while
# the victim runs a GC of its own; half a second in, the run is marking (or in its window).
KILLED_IN="between its runs (none of its own began within 20 s)"
WAIT_UNTIL=$((SECONDS + 20))
while [ "$SECONDS" -lt "$WAIT_UNTIL" ]; do
  if [ -f "$VICTIM_FLAG" ]; then
    sleep 0.5
    if [ -f "$VICTIM_FLAG" ]; then
      KILLED_IN="during a GC run it was asked for (its phase: the abandoned report below)"
      break
    fi
  fi
  sleep 0.05
done
echo "$((VICTIM - 1))" > "$DOWN_FILE"   # the balancer's health check takes it out as it dies
kill -9 "${NODE_PIDS[$((VICTIM - 1))]}"
KILLED_AT=$(python3 -c "print(f'{$(now) - $FIRE_START:.1f}')")
echo "member $VICTIM (pid ${NODE_PIDS[$((VICTIM - 1))]}) SIGKILLed at ${KILLED_AT} s, $KILLED_IN" >&2
sleep "$DOWN_FOR"
# Started again with the same config (same HTTP and member ports).
java -Xmx"$NODE_HEAP" -Dhazelcast.phone.home.enabled=false -jar "$JAR" serve "$ROOT/fm-$VICTIM/config.yml" \
  > "$ROOT/fm-$VICTIM-restarted.log" 2>&1 &
RESTARTED_PID=$!
started "$RESTARTED_PID"
await_ready "$VICTIM_URL/v2/" "$RESTARTED_PID" "$ROOT/fm-$VICTIM-restarted.log" -f
await_members "$VICTIM_URL"
rm -f "$DOWN_FILE"
BACK_AT=$(python3 -c "print(f'{$(now) - $FIRE_START:.1f}')")
echo "member $VICTIM back (pid $RESTARTED_PID) at ${BACK_AT} s, sees $NODES members" >&2

STATUS=0
wait "$FIRE_PID" || STATUS=$?
cat "$ROOT/fire.out"
printf 'member %s SIGKILLed at %s s (%s), back and in the cluster at %s s\n' "$VICTIM" "$KILLED_AT" "$KILLED_IN" "$BACK_AT"
cat "$ROOT/fire.err" >&2
for pid in "${NODE_PIDS[0]}" "${NODE_PIDS[1]}" "$RESTARTED_PID"; do
  printf 'pid %s peak resident set (VmHWM) %s MiB\n' "$pid" "$(($(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0) / 1024))"
done
grep -h -E "ERROR|Exception" "$ROOT"/fm-*.log | grep -v "configuration key" | sort | uniq -c | sort -rn | head -15 >&2 || true
python3 - "${FIRE_JSON:-$ROOT/gc-fire.json}" "$KILLED_AT" "$KILLED_IN" "$BACK_AT" <<'PY'
import json, sys
path, killed_at, killed_in, back_at = sys.argv[1:]
figures = json.load(open(path))
figures.update(killed_at_s=float(killed_at), killed_in=killed_in, back_at_s=float(back_at))
json.dump(figures, open(path, "w"), indent=2)
PY
[ "$STATUS" = 0 ] || echo "FAILED: a push, delete, GC or pull failed (see above)" >&2
exit "$STATUS"
