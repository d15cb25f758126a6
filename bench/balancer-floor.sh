#!/usr/bin/env bash
# What the balancer alone costs a fleet pull: CLIENTS skopeo clients pulling the image of
# cluster-cold-pull.sh from nginx serving its files (the floor, see start_floor in lib.sh), straight
# and behind each kind of balancer that lib.sh can start (BALANCER=l4, l4-nginx, http). Nothing else
# runs: no registry, no S3, no upstream. cluster-cold-pull.sh's default balancer was chosen by it.
#
#   bench/balancer-floor.sh                         # ~68 MB image, 16 clients, 3 rounds
#   ROUNDS=5 KINDS="l4 http" bench/balancer-floor.sh
#
# Each round pulls straight and through each kind, the order turning each round; the script ends with
# the walls, their mean and median, and each kind's minus the straight one's (the balancer's cost),
# with the 1-minute load average when each phase started. KINDS may also name a variant of l4 as
# l4@N: HAProxy with N threads (HAPROXY_THREADS).
#
# Needs: python3, curl, nginx, skopeo; HAProxy for l4 and libnginx-mod-stream for l4-nginx (installed
# with apt-get when missing).
set -euo pipefail

CLIENTS=${CLIENTS:-16}
ROUNDS=${ROUNDS:-3}
LAYERS=${LAYERS:-"32.5 32.5"}
KINDS=${KINDS:-"l4 l4-nginx http"}
REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
NGINX=${NGINX:-/usr/sbin/nginx}
SKOPEO=${SKOPEO:-/usr/bin/skopeo}
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY

ROOT=${BENCH_DIR:-$(mktemp -d /tmp/fleetmirror-balancer-floor.XXXXXX)}
mkdir -p "$ROOT"
chmod 755 "$ROOT"
source "$REPO_DIR/bench/lib.sh"
for kind in $KINDS; do BALANCER=${kind%@*} ensure_balancer; done

python3 "$REPO_DIR/tools/mkimage.py" "$ROOT/image" v1 $LAYERS --seed 7 > "$ROOT/image.txt"
IMAGE_BYTES=$(image_bytes "$ROOT/image")
IMAGE_REF=bench/app:v1
LINK_BYTES_PER_S=1 # cold_pull prints the least time on a link; there is none here
NO_EGRESS=$ROOT/no-egress.log
: > "$NO_EGRESS"
start_floor "$ROOT/image" "$IMAGE_REF"
phases=("floor $FLOOR_PORT")
for kind in $KINDS; do
  port=$(free_port)
  threads=""
  [ "$kind" != "${kind#*@}" ] && threads=${kind#*@}
  BALANCER=${kind%@*} HAPROXY_THREADS=$threads start_balancer "balancer-$kind" "floor $port $FLOOR_PORT"
  phases+=("$kind $port")
done

echo "image bytes: $IMAGE_BYTES, $CLIENTS clients, $ROUNDS rounds, balancers: $KINDS" >&2
WALLS=$ROOT/walls.txt
: > "$WALLS"
for round in $(seq 1 "$ROUNDS"); do
  for ((i = 0; i < ${#phases[@]}; i++)); do
    read -r name port <<< "${phases[$(((i + round - 1) % ${#phases[@]}))]}"
    load=$(cut -d' ' -f1 /proc/loadavg)
    line=$(cold_pull "$name" "127.0.0.1:$port" "$NO_EGRESS")
    line=${line%%$'\n'*}
    echo "${line%%upstream egress*} (load $load)" >&2
    echo "$name $(sed -n 's/.* wall *\([0-9.]*\) s .*failed clients: \([0-9]*\).*/\1 \2/p' <<< "$line") $load" >> "$WALLS"
  done
done
python3 - "$WALLS" <<'PY'
import sys
from collections import defaultdict
walls, loads, failed = defaultdict(list), defaultdict(list), 0
order = []
for line in open(sys.argv[1]):
    name, wall, bad, load = line.split()
    if name not in order:
        order.append(name)
    walls[name].append(float(wall)); loads[name].append(float(load)); failed += int(bad)
mean = lambda xs: sum(xs) / len(xs)
floor = mean(walls["floor"])
median = lambda xs: sorted(xs)[len(xs) // 2] if len(xs) % 2 else sum(sorted(xs)[len(xs) // 2 - 1:len(xs) // 2 + 1]) / 2
floor_median = median(walls["floor"])
print(f"{'16 clients from':16s} {'walls (s)':>26s} {'mean':>6s} {'- floor':>8s} {'median':>7s} {'- floor':>8s}  load (1 min)")
for name in ["floor"] + sorted(n for n in order if n != "floor"):
    print(f"{name:16s} {' / '.join(f'{w:.1f}' for w in walls[name]):>26s} {mean(walls[name]):6.2f}"
          f" {mean(walls[name]) - floor:+8.2f} {median(walls[name]):7.2f} {median(walls[name]) - floor_median:+8.2f}"
          f"  {' / '.join(f'{l:.1f}' for l in loads[name])}")
    print(f"RESULT balancer-floor {name} {mean(walls[name]):.2f} {median(walls[name]):.2f}")
if failed:
    print(f"warning: {failed} clients failed")
PY
