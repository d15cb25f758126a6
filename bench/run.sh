#!/usr/bin/env bash
# The benchmark suite in one command: Fleet Mirror vs CNCF Distribution 2.8.2 (Debian's
# docker-registry) on this machine, in the same run. Prints one table and writes it as JSON to
# bench/results/<UTC time>.json and bench/results/latest.json.
#
#   1. cold pulls through K nodes behind a load balancer by C clients over one bandwidth-limited
#      upstream link: upstream egress and wall time (bench/cluster-cold-pull.sh);
#   2. warm reads on the same S3 endpoint: blob MB/s with 1 and 32 connections next to S3 read
#      directly, tag resolves per second (bench/warm.sh);
#   3. garbage collection of an S3 bucket (bench/gc.sh).
#
#   bench/run.sh                      # about 6 minutes on 2 cores
#   FULL=1 bench/run.sh               # the larger sizes of each script's own defaults (~15 minutes)
#   NODES=3 CLIENTS=16 RATE_MBPS=40 LAYERS="16 16" LAYER_MIB=64 DURATION=10 RUNS=2 \
#     MANIFESTS=1000 BLOBS=5000 bench/run.sh
#
# Needs what the three scripts need: java 17, maven, python3, curl, nginx, HAProxy (cluster-cold-pull.sh
# installs it when missing), skopeo, wrk,
# apache2-utils (ab), docker-registry.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
OUT_DIR=$REPO_DIR/bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d /tmp/fleetmirror-bench-suite.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT_DIR"

if [ -n "${FULL:-}" ]; then
  : "${LAYERS:=32.5 32.5}" "${MANIFESTS:=2000}" "${BLOBS:=10000}" "${DURATION:=20}" "${RUNS:=3}"
fi
export NODES=${NODES:-3} CLIENTS=${CLIENTS:-16} RATE_MBPS=${RATE_MBPS:-40} LAYERS=${LAYERS:-"16 16"}
export LAYER_MIB=${LAYER_MIB:-64} DURATION=${DURATION:-10} RUNS=${RUNS:-2}
export MANIFESTS=${MANIFESTS:-1000} BLOBS=${BLOBS:-5000}

JAR=${JAR:-$REPO_DIR/node/target/fleetmirror.jar}
S3PROXY_CP_FILE=$REPO_DIR/s3proxy-runtime/target/classes/fleetmirror/s3proxy.classpath
if [ ! -f "$JAR" ] || [ ! -f "$S3PROXY_CP_FILE" ]; then
  echo "building the node jar and S3Proxy's classpath" >&2
  (cd "$REPO_DIR" && mvn -B -q -DskipTests -pl node -am package)
fi
export JAR

echo "== 1/3 cold pulls: $NODES nodes x $CLIENTS clients, layers of $LAYERS MiB, link $RATE_MBPS MB/s" >&2
"$REPO_DIR/bench/cluster-cold-pull.sh" | tee "$WORK/cold.txt" >&2
echo "== 2/3 warm reads: ${LAYER_MIB} MiB layer, $DURATION s x $RUNS runs" >&2
WARM_JSON=$WORK/warm.json "$REPO_DIR/bench/warm.sh" >&2
echo "== 3/3 garbage collection: $MANIFESTS manifests, $BLOBS blobs" >&2
GC_JSON=$WORK/gc.json "$REPO_DIR/bench/gc.sh" >&2

python3 - "$WORK" "$OUT_DIR/$STAMP.json" "$STAMP" <<'PY'
import json, os, platform, subprocess, sys
work, out, stamp = sys.argv[1:]
env = os.environ
cold = {}
for line in open(os.path.join(work, "cold.txt")):
    if line.startswith("RESULT cold "):
        _, _, name, clients, wall, egress, image, failed = line.split()
        cold[name] = {"clients": int(clients), "wall_s": float(wall), "egress_bytes": int(egress),
                      "image_bytes": int(image), "egress_x_image": round(int(egress) / int(image), 2),
                      "failed_clients": int(failed)}
warm = json.load(open(os.path.join(work, "warm.json")))
gc = json.load(open(os.path.join(work, "gc.json")))
try:
    commit = subprocess.run(["git", "-C", os.path.dirname(out), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
except OSError:
    commit = "?"
result = {
    "time": stamp, "commit": commit, "cpus": os.cpu_count(), "machine": platform.machine(),
    "parameters": {k: env.get(k) for k in ("NODES", "CLIENTS", "RATE_MBPS", "LAYERS", "LAYER_MIB", "DURATION",
                                           "RUNS", "MANIFESTS", "BLOBS")},
    "cold": cold, "warm": warm, "gc": gc,
}
json.dump(result, open(out, "w"), indent=2)
json.dump(result, open(os.path.join(os.path.dirname(out), "latest.json"), "w"), indent=2)

def mean(xs):
    return sum(xs) / len(xs) if xs else None

rows = []
fm, dist = cold.get("fleetmirror"), cold.get("distribution")
if fm and dist:
    k, c = env["NODES"], fm["clients"]
    rows.append((f"cold pull, {k} nodes x {c} clients: upstream egress (x image)",
                 f"{fm['egress_x_image']:.2f}", f"{dist['egress_x_image']:.2f}",
                 f"{dist['egress_x_image'] / fm['egress_x_image']:.1f}x less"))
    rows.append((f"cold pull, {k} nodes x {c} clients: wall (s)", f"{fm['wall_s']:.1f}", f"{dist['wall_s']:.1f}",
                 f"{dist['wall_s'] / fm['wall_s']:.1f}x faster"))
for row in warm["rows"]:
    f, d, s3 = mean(row["fleetmirror"]), mean(row["distribution"]), mean(row["s3_direct"] or [])
    label = {"blob": f"warm blob GET, {row['connections']} conn (MB/s)",
             "blob-local": f"warm blob GET, {row['connections']} conn, FM local disk tier (MB/s)",
             "tag-proxy": f"tag resolve (HEAD), mirrored, {row['connections']} conn (req/s)",
             "tag-hosted": f"tag resolve (HEAD), hosted, {row['connections']} conn (req/s)",
             "tag-get-hosted": f"tag resolve (GET, wrk), hosted, {row['connections']} conn (req/s)"}[row["measurement"]]
    extra = f"  [S3 direct {s3:.0f}]" if s3 else ""
    rows.append((label, f"{f:.0f}", f"{d:.0f}", (f"{f / d:.2f}x" if d else "-") + extra))
rows.append((f"GC of {gc['blobs']} blobs / {gc['manifests']} manifests on S3 (s)", f"{gc['fleetmirror_cli_s']:.1f}",
             f"{gc['distribution_s']:.1f}", f"{gc['ratio']}x faster; live read-only {gc['read_only_ms']} ms"))
width = max(len(r[0]) for r in rows)
print()
print(f"{'Fleet Mirror benchmark ' + stamp + ' (' + commit + ', ' + str(os.cpu_count()) + ' cpus)':{width}s}"
      f" | {'Fleet Mirror':>12s} | {'Distribution':>12s} | ratio")
print("-" * (width + 50))
for label, f, d, ratio in rows:
    print(f"{label:{width}s} | {f:>12s} | {d:>12s} | {ratio}")
print(f"\nwritten: {out} and {os.path.join(os.path.dirname(out), 'latest.json')}")
PY
