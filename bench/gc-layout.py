#!/usr/bin/env python3
"""Writes a registry in Distribution's storage layout straight to disk, for the GC benchmark.

usage: gc-layout.py ROOT MANIFESTS BLOBS [DELETED_PERCENT]

ROOT gets docker/registry/v2/...: BLOBS blobs in all (MANIFESTS of them manifests, the rest
configs and layers of 1 KiB), the manifests spread over 100 repositories, each tagged; then
DELETED_PERCENT of the manifests (default 20) lose their tag and revision link, as a client's
DELETE leaves them, so their configs, unshared layers and manifest blobs are garbage.
Prints the numbers. Deterministic (seeded).
"""
import hashlib
import json
import os
import random
import sys

root, manifests, blobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
deleted_percent = int(sys.argv[4]) if len(sys.argv) > 4 else 20
v2 = os.path.join(root, "docker", "registry", "v2")
rng = random.Random(42)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def put_blob(data):
    digest = hashlib.sha256(data).hexdigest()
    write(os.path.join(v2, "blobs", "sha256", digest[:2], digest, "data"), data)
    return digest


def link(path, digest):
    write(path, ("sha256:" + digest).encode())


pool = [put_blob(rng.randbytes(1024)) for _ in range(blobs - manifests)]
configs_per_manifest = 1
layers_per_manifest = 3
repos = ["team%02d/app" % i for i in range(100)]
entries = []
for i in range(manifests):
    repo = repos[i % len(repos)]
    config = pool[i % len(pool)]
    layers = [pool[(manifests + i * layers_per_manifest + k) % len(pool)] for k in range(layers_per_manifest)]
    body = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + config, "size": 1024},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + l, "size": 1024}
                   for l in layers],
        "annotations": {"n": str(i)},
    }, separators=(",", ":")).encode()
    digest = put_blob(body)
    base = os.path.join(v2, "repositories", repo)
    for d in [config] + layers:
        link(os.path.join(base, "_layers", "sha256", d, "link"), d)
    link(os.path.join(base, "_manifests", "revisions", "sha256", digest, "link"), digest)
    tag = "v%d" % i
    link(os.path.join(base, "_manifests", "tags", tag, "current", "link"), digest)
    link(os.path.join(base, "_manifests", "tags", tag, "index", "sha256", digest, "link"), digest)
    entries.append((repo, tag, digest))

removed = 0
for repo, tag, digest in entries:
    if rng.randrange(100) < deleted_percent:
        base = os.path.join(v2, "repositories", repo, "_manifests")
        for path in [os.path.join(base, "revisions", "sha256", digest), os.path.join(base, "tags", tag)]:
            for dirpath, dirnames, filenames in os.walk(path, topdown=False):
                for f in filenames:
                    os.remove(os.path.join(dirpath, f))
                os.rmdir(dirpath)
        removed += 1
print("blobs %d, manifests %d in %d repositories, %d manifests deleted" % (len(pool) + manifests, manifests, len(repos), removed))
