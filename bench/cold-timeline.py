#!/usr/bin/env python3
"""Where the wall of one fleet pull goes: a timeline from the logs of a kept cluster-cold-pull.sh run.

    KEEP=1 BENCH_DIR=/var/tmp/fm-cold NODE_LOG_LEVEL=info bench/cluster-cold-pull.sh
    bench/cold-timeline.py /var/tmp/fm-cold [phase [round]]     # phase: fleetmirror (the cold one)

Reads, for the phase's window (first client's start to last client's end, from clients-<phase>.txt):
the clients' ends; the upstream link's access log (each blob's one upstream GET: start, end, rate);
the S3 endpoint's request log (s3-requests.log: each blob's multipart upload, when its data became
readable, which data GETs followed); and each Fleet Mirror node's access log (fm-N.log: every blob
GET a client or a peer made of it, with its duration) and, at NODE_LOG_LEVEL=info, which node
cached each blob (the fill's owner). Times are seconds from the phase's start. A blob GET is
"during fill" when it started before the blob was readable under its data key at S3, else "after"
("stored" in a warm phase). Run it on a warm phase too (fleetmirror-warm) to compare the rates.
"""
import datetime
import glob
import os
import re
import statistics
import sys

ROOT = sys.argv[1]
PHASE = sys.argv[2] if len(sys.argv) > 2 else "fleetmirror"
ROUND = int(sys.argv[3]) if len(sys.argv) > 3 else 1
MB = 1e6
BUCKET = "/distribution/" if PHASE.startswith("distribution") else "/fleetmirror/"


def rounds(lines):
    """Client lines (i t0 t1 rc) split into rounds: a phase name run again appends a new round."""
    groups, last = [], None
    for line in sorted(lines, key=lambda l: l[1]):
        if last is None or line[1] - last > 3:
            groups.append([])
        groups[-1].append(line)
        last = line[1]
    return groups


clients = [(int(i), float(a), float(b), int(rc)) for i, a, b, rc in
           (l.split() for l in open(os.path.join(ROOT, f"clients-{PHASE}.txt")))]
clients = rounds(clients)[ROUND - 1]
T0 = min(c[1] for c in clients)
T1 = max(c[2] for c in clients)
rel = lambda t: t - T0
print(f"phase {PHASE} round {ROUND}: {len(clients)} clients, wall {T1 - T0:.2f} s")
ends = sorted(rel(c[2]) for c in clients)
print("  clients' ends (s):", " ".join(f"{e:.1f}" for e in ends))
print(f"  clients' starts spread over {max(c[1] for c in clients) - T0:.2f} s;"
      f" failed: {sum(1 for c in clients if c[3])}")
in_window = lambda t: T0 - 1 <= t <= T1 + 1

# The upstream link: METHOD uri status bytes upstream msec request_time
print("\nupstream link (one line per request that crossed it):")
blob_up = {}
for line in open(os.path.join(ROOT, "link/logs/access.log")):
    f = line.split()
    if len(f) < 7 or not in_window(float(f[5])):
        continue
    end, took = float(f[5]), float(f[6])
    size = int(f[3])
    m = re.search(r"sha256:([0-9a-f]{64})", f[1])
    what = ("blob " + m.group(1)[:12]) if "/blobs/" in f[1] and m else f[1]
    if "/blobs/" in f[1] and m and f[0] == "GET":
        blob_up[m.group(1)] = (end - took, end, size)
    print(f"  {f[0]:4s} {what:40s} {f[2]} {size / MB:7.2f} MB  {rel(end - took):6.2f} -> {rel(end):6.2f} s"
          + (f"  {size / MB / took:6.1f} MB/s" if took > 0 and size > MB else ""))

# S3: METHOD path start end status bytes piece. A registry writes a blob under an upload's key
# (_uploads/<id>/data, whole or in multipart parts), then copies it to its data key (piece copy:<source>,
# a multipart copy for a large blob, readable once its "complete" POST is answered), then writes the link.
print(f"\nS3 requests of blob data and links in {BUCKET} (s3-requests.log, until 60 s after the last client):")
writes, sources, readable, data_gets, links, other = {}, {}, {}, {}, {}, {}
s3log = os.path.join(ROOT, "s3-requests.log")
for line in open(s3log) if os.path.exists(s3log) else []:
    f = line.split()
    # the phase's side only (its bucket), until its writes behind the clients are over
    if len(f) < 7 or not f[1].startswith(BUCKET) or not T0 - 1 <= float(f[2]) <= T1 + 60:
        continue
    method, path, start, end, status, size, piece = f[0], f[1], float(f[2]), float(f[3]), f[4], int(f[5]), f[6]
    m = re.search(r"/blobs/sha256/[0-9a-f]{2}/([0-9a-f]{64})/data$", path)
    lm = re.search(r"/_layers/sha256/([0-9a-f]{64})/link$", path)
    um = re.search(r"/_uploads/([^/]+)/data$", path)
    if m and method == "GET":
        data_gets.setdefault(m.group(1), []).append((start, end, size))
    elif m and method == "PUT" and piece.startswith("copy:"):
        src = re.search(r"/_uploads/([^/]+)/", piece)
        sources[m.group(1)] = src.group(1) if src else None
        readable[m.group(1)] = max(readable.get(m.group(1), 0), end)
    elif m and method == "POST" and piece == "complete":
        readable[m.group(1)] = end
    elif m and method == "PUT":
        readable[m.group(1)] = end  # written straight to its data key
    elif um and method == "PUT":
        writes.setdefault(um.group(1), []).append((start, end, size))
    elif lm and method == "PUT":
        links.setdefault(lm.group(1), []).append(end)
    else:
        other[method] = other.get(method, 0) + 1
stored = readable
for d, end in sorted(readable.items(), key=lambda kv: kv[1]):
    parts = writes.get(sources.get(d), [])
    desc = (f"{len(parts)} writes of {sum(p[2] for p in parts) / MB:.1f} MB to its upload, {rel(min(p[0] for p in parts)):6.2f} ->"
            f" {rel(max(p[1] for p in parts)):6.2f}; " if parts else "")
    print(f"  blob {d[:12]}: {desc}readable under its data key at {rel(end):6.2f} s;"
          f" link written at {', '.join(f'{rel(t):.2f}' for t in sorted(links.get(d, [])))}")
for d, gets in data_gets.items():
    print(f"  blob {d[:12]}: {len(gets)} data GETs: " + ", ".join(
        f"{rel(a):.2f}->{rel(b):.2f} ({s / MB:.1f} MB)" for a, b, s in sorted(gets)))
print(f"  other S3 requests in the window: {other}")

# The nodes' access logs: HH:mm:ss.SSS LEVEL [thread] logger - addr "METHOD path proto" status bytes Nms ...
day = datetime.datetime.fromtimestamp(T0).date()


def epoch(clock):
    h, m, s = clock.split(":")
    t = datetime.datetime.combine(day, datetime.time(int(h), int(m), int(float(s)), int(round(float(s) % 1 * 1e6))))
    return t.timestamp()


ACCESS = re.compile(r'^(\d\d:\d\d:\d\d\.\d+) .*fleetmirror\.access - \S+ "(\S+) (\S+) \S+" (\d+) (\d+) ([\d.]+)ms')
CACHED = re.compile(r'^(\d\d:\d\d:\d\d\.\d+) .* - cached sha256:([0-9a-f]{64}) of .* \((\d+) bytes\)')
requests, owners = [], {}
for log in sorted(glob.glob(os.path.join(ROOT, "fm-*.log"))):
    node = os.path.basename(log)[:-4]
    for line in open(log, errors="replace"):
        m = ACCESS.match(line)
        if m:
            end = epoch(m.group(1))
            start = end - float(m.group(6)) / 1000
            if in_window(end):
                requests.append((node, m.group(2), m.group(3), int(m.group(4)), int(m.group(5)), start, end))
            continue
        c = CACHED.match(line)
        if c and T0 - 1 <= epoch(c.group(1)) <= T1 + 60:
            owners[c.group(2)] = (node, epoch(c.group(1)))
if not requests:
    print("\nno access lines in the nodes' logs for this window (log.accesslog.disabled?)")
    sys.exit(0)

print("\nper blob (MB/s: bytes / duration of each request; 'peer': a member streaming from the owner):")
digests = sorted({re.search(r"sha256:([0-9a-f]{64})", r[2]).group(1) for r in requests
                  if "/blobs/" in r[2] and re.search(r"sha256:([0-9a-f]{64})", r[2])})
for d in digests:
    up = blob_up.get(d)
    owner = owners.get(d)
    done = stored.get(d)
    mine = [r for r in requests if d in r[2] and r[1] == "GET"]
    size = max((r[4] for r in mine), default=0)
    head = f"blob {d[:12]} ({size / MB:.1f} MB)"
    if up:
        head += f": upstream GET {rel(up[0]):.2f} -> {rel(up[1]):.2f}"
    if owner:
        head += f", owner {owner[0]} logged 'cached' at {rel(owner[1]):.2f}"
    if done:
        head += f", readable at S3 at {rel(done):.2f}"
    print(head)
    if size < MB:
        print(f"  {len(mine)} GETs, the last ending at {rel(max(r[6] for r in mine)):.2f} s" if mine else "  no GETs")
        continue
    for node in sorted({r[0] for r in mine}):
        for kind, pick in (("client", lambda r: not r[2].startswith("/_fleetmirror/")),
                           ("peer", lambda r: r[2].startswith("/_fleetmirror/"))):
            rs = [r for r in mine if r[0] == node and pick(r)]
            if not rs:
                continue
            if up is None and done is None:
                phases = (("stored", lambda r: True),)  # stored before the window: a warm phase
            else:
                phases = (("during fill", lambda r: done is None or r[5] < done),
                          ("after", lambda r: done is not None and r[5] >= done))
            for when, sel in phases:
                group = [r for r in rs if sel(r)]
                if not group:
                    continue
                rates = [r[4] / MB / max(r[6] - r[5], 1e-3) for r in group]
                full = sum(1 for r in group if r[4] == size)
                print(f"  {node} {kind:6s} {when:11s} {len(group):2d} GETs ({full} whole, status"
                      f" {','.join(sorted({str(r[3]) for r in group}))}): start {rel(min(r[5] for r in group)):5.2f}"
                      f"-{rel(max(r[5] for r in group)):5.2f}, end {rel(min(r[6] for r in group)):5.2f}"
                      f"-{rel(max(r[6] for r in group)):5.2f} s, MB/s median {statistics.median(rates):5.1f}"
                      f" min {min(rates):5.1f} max {max(rates):5.1f}")

print("\nlast byte to any client, per node:", ", ".join(
    f"{n} {rel(max(r[6] for r in requests if r[0] == n and not r[2].startswith('/_fleetmirror/'))):.2f} s"
    for n in sorted({r[0] for r in requests})))
others = {}
for r in requests:
    if "/blobs/" not in r[2]:
        key = (r[1], re.sub(r"/v2/.*/manifests/.*", "/v2/<repo>/manifests/<ref>", r[2]))
        others.setdefault(key, []).append(r)
for (method, path), rs in sorted(others.items()):
    print(f"  {method} {path}: {len(rs)}, durations median {statistics.median(r[6] - r[5] for r in rs) * 1000:.0f} ms"
          f" max {max(r[6] - r[5] for r in rs) * 1000:.0f} ms, last end {rel(max(r[6] for r in rs)):.2f} s")
