#!/usr/bin/env python3
"""The referrers side of bench/signed-cold-pull.sh.

  push   REGISTRY REPO TAG: signs the image REPO:TAG on REGISTRY (a registry without the referrers
         API, such as Distribution 2.8): a signature and an SBOM, each an OCI artifact whose subject is
         the image, and the referrers tag index sha256-<hex> listing both. Prints the bytes a verifying
         client then moves: the index, each referrer's manifest and blobs.
  digest REGISTRY REPO TAG: prints the image's digest.
  verify REGISTRY REPO TAG: what a signature-enforcing client does after pulling the image: the
         referrers of its digest (the API, or on a 404 the tag schema), then every referrer's manifest
         and blobs, each checked against its digest. Exits non-zero on any mismatch or failure.
"""
import hashlib
import json
import random
import sys
import urllib.error
import urllib.request

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
EMPTY = b"{}"


def digest_of(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def request(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=120) as response:
        return response.status, dict(response.headers), response.read()


def push_blob(registry, repo, data):
    _, headers, _ = request("POST", f"{registry}/v2/{repo}/blobs/uploads/")
    location = headers["Location"]
    if not location.startswith("http"):
        location = registry + location
    sep = "&" if "?" in location else "?"
    request("PUT", f"{location}{sep}digest={digest_of(data)}", data, {"Content-Type": "application/octet-stream"})
    return {"digest": digest_of(data), "size": len(data)}


def image_digest(registry, repo, tag):
    _, headers, body = request("GET", f"{registry}/v2/{repo}/manifests/{tag}",
                               headers={"Accept": OCI_MANIFEST + ", " + OCI_INDEX})
    return headers.get("Docker-Content-Digest") or digest_of(body), len(body)


def push(registry, repo, tag):
    subject, subject_size = image_digest(registry, repo, tag)
    rng = random.Random(5)
    referrers = [("application/vnd.dev.cosign.artifact.sig.v1+json", b'{"critical":{"image":{"docker-manifest-digest":"'
                  + subject.encode() + b'"}},"signature":"' + bytes(rng.getrandbits(8) % 26 + 97 for _ in range(96)) + b'"}'),
                 ("application/spdx+json", json.dumps({"spdxVersion": "SPDX-2.3", "packages": [
                     {"name": f"pkg-{i}", "versionInfo": f"1.{i}"} for i in range(3000)]}).encode())]
    moved = 0
    entries = []
    for artifact_type, content in referrers:
        config = push_blob(registry, repo, EMPTY)
        layer = push_blob(registry, repo, content)
        manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": artifact_type,
                               "config": {"mediaType": "application/vnd.oci.empty.v1+json", **config},
                               "layers": [{"mediaType": artifact_type, **layer}],
                               "subject": {"mediaType": OCI_MANIFEST, "digest": subject, "size": subject_size}}).encode()
        request("PUT", f"{registry}/v2/{repo}/manifests/{digest_of(manifest)}", manifest, {"Content-Type": OCI_MANIFEST})
        entries.append({"mediaType": OCI_MANIFEST, "digest": digest_of(manifest), "size": len(manifest),
                        "artifactType": artifact_type})
        moved += len(manifest) + config["size"] + layer["size"]
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}).encode()
    request("PUT", f"{registry}/v2/{repo}/manifests/{subject.replace(':', '-')}", index, {"Content-Type": OCI_INDEX})
    print(moved + len(index))


def verify(registry, repo, tag):
    subject, _ = image_digest(registry, repo, tag)
    try:
        _, _, body = request("GET", f"{registry}/v2/{repo}/referrers/{subject}")
    except urllib.error.HTTPError as e:
        if e.code != 404:
            raise
        # The OCI spec's fallback for a registry without the API: the referrers tag schema.
        _, _, body = request("GET", f"{registry}/v2/{repo}/manifests/{subject.replace(':', '-')}",
                             headers={"Accept": OCI_INDEX})
    listed = json.loads(body)["manifests"]
    if len(listed) < 2:
        sys.exit(f"expected 2 referrers of {subject}, got {listed}")
    for entry in listed:
        _, _, manifest = request("GET", f"{registry}/v2/{repo}/manifests/{entry['digest']}",
                                 headers={"Accept": OCI_MANIFEST})
        if digest_of(manifest) != entry["digest"]:
            sys.exit(f"referrer {entry['digest']} hashes to {digest_of(manifest)}")
        parsed = json.loads(manifest)
        for blob in [parsed["config"]] + parsed["layers"]:
            _, _, data = request("GET", f"{registry}/v2/{repo}/blobs/{blob['digest']}")
            if digest_of(data) != blob["digest"]:
                sys.exit(f"blob {blob['digest']} hashes to {digest_of(data)}")


if __name__ == "__main__":
    command, registry, repo, tag = sys.argv[1:5]
    if command == "push":
        push(registry, repo, tag)
    elif command == "digest":
        print(image_digest(registry, repo, tag)[0])
    elif command == "verify":
        verify(registry, repo, tag)
    else:
        sys.exit(__doc__)
