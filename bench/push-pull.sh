#!/usr/bin/env bash
# Push and pull one large random layer through Fleet Mirror and through CNCF Distribution
# (Debian's docker-registry) on the same disk, in the same run, and print MB/s side by side.
#
#   bench/push-pull.sh            # 1 GiB layer, 64 MiB chunks
#   SIZE_MIB=256 CHUNK_MIB=16 bench/push-pull.sh
#   BENCH_DIR=/var/tmp/fm-bench KEEP=1 bench/push-pull.sh   # keep the data and logs afterwards
#
# Needs: java 17, maven (only if the jar is missing), curl, python3, /usr/bin/docker-registry.
set -euo pipefail

SIZE_MIB=${SIZE_MIB:-1024}
CHUNK_MIB=${CHUNK_MIB:-64}
NODE_HEAP=${NODE_HEAP:-256m}
REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
JAR=$REPO_DIR/node/target/fleetmirror.jar
DISTRIBUTION=${DISTRIBUTION:-/usr/bin/docker-registry}

if [ ! -f "$JAR" ]; then
  echo "building $JAR" >&2
  (cd "$REPO_DIR" && mvn -B -q -DskipTests package)
fi
[ -x "$DISTRIBUTION" ] || { echo "$DISTRIBUTION is missing: apt-get install docker-registry" >&2; exit 1; }

ROOT=${BENCH_DIR:-$(mktemp -d /tmp/fleetmirror-bench.XXXXXX)}
mkdir -p "$ROOT"
source "$REPO_DIR/bench/lib.sh"

start_node "  filesystem:
    rootdirectory: $ROOT/node/storage"
start_distribution distribution

await_ready "http://127.0.0.1:$NODE_PORT/v2/" "$NODE_PID" "$ROOT/node.log" -f
await_ready "http://127.0.0.1:$DIST_PORT/v2/" "$DIST_PID" "$ROOT/distribution.log" -f

LAYER=$ROOT/layer.bin
echo "writing a ${SIZE_MIB} MiB random layer" >&2
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$LAYER"
BYTES=$(stat -c %s "$LAYER")
DIGEST=sha256:$(sha256sum "$LAYER" | cut -d' ' -f1)
mkdir -p "$ROOT/chunks"
split -b $((CHUNK_MIB * 1024 * 1024)) -d -a 4 "$LAYER" "$ROOT/chunks/part."

# curl would otherwise send "Expect: 100-continue" and wait a second per request for a server
# that does not answer it: that would measure curl's timer, not the registry.
CURL=(curl -sS -H 'Expect:')

with_digest() { case "$1" in *\?*) echo "$1&digest=$DIGEST" ;; *) echo "$1?digest=$DIGEST" ;; esac; }
mbps() { python3 -c "import sys; print(f'{$BYTES / 1e6 / ($2 - $1):.1f}')" ; }
expect_status() { [ "$1" = "$2" ] || { echo "$3: HTTP $1, expected $2" >&2; exit 1; }; }

monolithic_push() { # base repo
  local h=$ROOT/h.txt status start end
  "${CURL[@]}" -o /dev/null -D "$h" -X POST "$1/v2/$2/blobs/uploads/"
  start=$(now)
  status=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
    -T "$LAYER" "$(with_digest "$(location "$h" "$1")")")
  end=$(now)
  expect_status "$status" 201 "monolithic PUT to $1"
  mbps "$start" "$end"
}

chunked_push() { # base repo
  local h=$ROOT/h.txt status start end offset=0 size url
  "${CURL[@]}" -o /dev/null -D "$h" -X POST "$1/v2/$2/blobs/uploads/"
  url=$(location "$h" "$1")
  start=$(now)
  for part in "$ROOT"/chunks/part.*; do
    size=$(stat -c %s "$part")
    status=$("${CURL[@]}" -o /dev/null -D "$h" -w '%{http_code}' -X PATCH \
      -H 'Content-Type: application/octet-stream' -H "Content-Range: $offset-$((offset + size - 1))" \
      -T "$part" "$url")
    expect_status "$status" 202 "PATCH $offset to $1"
    url=$(location "$h" "$1")
    offset=$((offset + size))
  done
  status=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Length: 0' "$(with_digest "$url")")
  end=$(now)
  expect_status "$status" 201 "closing PUT to $1"
  mbps "$start" "$end"
}

pull() { # base repo
  local start end status
  start=$(now)
  status=$("${CURL[@]}" -o /dev/null -w '%{http_code} %{size_download}' "$1/v2/$2/blobs/$DIGEST")
  end=$(now)
  expect_status "$status" "200 $BYTES" "GET from $1 (status and bytes)"
  mbps "$start" "$end"
}

verify() { # base repo: the pulled bytes must hash to the digest (not timed)
  local got
  got=sha256:$("${CURL[@]}" "$1/v2/$2/blobs/$DIGEST" | sha256sum | cut -d' ' -f1)
  [ "$got" = "$DIGEST" ] || { echo "pull from $1 returned $got, expected $DIGEST" >&2; exit 1; }
}

peak_rss_mib() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

declare -A R
for name in node distribution; do
  if [ $name = node ]; then base=http://127.0.0.1:$NODE_PORT; else base=http://127.0.0.1:$DIST_PORT; fi
  echo "$name: monolithic push" >&2; R[$name.mono]=$(monolithic_push "$base" bench/monolithic)
  echo "$name: chunked push" >&2;    R[$name.chunked]=$(chunked_push "$base" bench/chunked)
  echo "$name: pull" >&2;            R[$name.pull]=$(pull "$base" bench/monolithic)
  verify "$base" bench/chunked
done

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
echo
echo "layer: $SIZE_MIB MiB ($BYTES bytes), chunks of $CHUNK_MIB MiB, node heap -Xmx$NODE_HEAP, storage under $ROOT"
printf '%-22s %14s %14s %10s\n' "operation (MB/s)" "Fleet Mirror" "Distribution" "FM/Dist"
for op in mono chunked pull; do
  case $op in mono) label="monolithic push" ;; chunked) label="chunked push" ;; pull) label="pull" ;; esac
  printf '%-22s %14s %14s %10s\n' "$label" "${R[node.$op]}" "${R[distribution.$op]}" "$(ratio "${R[node.$op]}" "${R[distribution.$op]}")"
done
echo "peak RSS: Fleet Mirror $(peak_rss_mib "$NODE_PID") MiB, Distribution $(peak_rss_mib "$DIST_PID") MiB"
