#!/usr/bin/env bash
# The 100,000-blob tree of issue 16: bench/gc.sh with 20,000 manifests and 100,000 blobs, the live
# node on a 256 MiB heap (its peak resident set and mark state are printed), Distribution's
# garbage-collect once on a copy of the same tree in the same run. The offline CLI is left out (it
# runs the same collection as the live node); CLI=1 DIST_RUNS=2 put both back. Takes tens of minutes
# on a 2-core machine, most of it Distribution's run and writing the tree.
set -euo pipefail
export MANIFESTS=${MANIFESTS:-20000} BLOBS=${BLOBS:-100000} NODE_HEAP=${NODE_HEAP:-256m}
export CLI=${CLI:-0} DIST_RUNS=${DIST_RUNS:-1}
exec "$(dirname "$0")/gc.sh" "$@"
