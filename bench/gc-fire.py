#!/usr/bin/env python3
"""The clients and the collector of bench/gc-fire.sh: consistency of online GC under fire.

For --duration seconds, --clients threads push images through the members round robin (layers
from a shared pool, so images share layers; a layer that a HEAD says exists is pushed again; a
layer another repository has is mounted from it half of the time; tags are moved by pushing to
them; one operation in five deletes an acknowledged manifest), while one more thread runs GCs back
to back (POST /admin/v1/gc on the members in turn). The script that started the members kills one
meanwhile: it writes the member's index into --down-file before the SIGKILL and removes it once
the member is back and sees the whole cluster, as a load balancer's health check would. A client
whose member died under it (a connection error while that member is down) does the operation
again on another member; any other error, or any non-2xx answer, is a failure.

Afterwards (nothing writing) two more GCs run, then every manifest whose PUT was acknowledged and
that was not deleted is pulled through every member: the manifest and each blob it names, each
checked against its sha256 digest. Prints the figures, writes them as JSON (--out), and exits 1
when a push, a delete, a GC or a pull failed.
"""
import argparse
import collections
import glob
import hashlib
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
REPOSITORIES = ["team/app", "team/web", "team/api", "ops/tool", "ops/agent", "base/runtime"]
TAGS = ["latest", "stable", "v1", "v2"]


class MemberDown(Exception):
    """The member the request went to is down (killed): the load balancer would take it out."""


class Failure(Exception):
    pass


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Fire:
    def __init__(self, args):
        self.members = args.nodes.split(",")
        self.secret = args.secret
        self.down_file = args.down_file
        self.lock = threading.Lock()
        self.acknowledged = {}  # (repo, digest) -> (manifest bytes, {blob digest: bytes})
        self.last_repo_of = {}  # blob digest -> a repository that has it linked (as the client saw it)
        self.tag_target = {}  # (repo, tag) -> digest the client last put there
        self.counts = dict(pushes=0, push_attempts=0, blobs_uploaded=0, chunked_uploads=0, repushes_after_head=0,
                           mounts=0, mounts_fell_back_to_upload=0, tags_moved=0, deletes=0, lost_to_kill=0,
                           gc_posts_lost_to_kill=0, gc_busy=0)
        self.failures = []
        self.push_seconds = []  # acknowledged pushes: first HEAD to the manifest PUT's answer
        self.reports = []
        rnd = random.Random(args.seed)
        # The shared base layers: every image takes one to three of them.
        self.pool = [rnd.randbytes(rnd.randint(args.layer_kib_min * 1024, args.layer_kib_max * 1024))
                     for _ in range(args.pool)]
        self.args = args

    # --- plumbing -------------------------------------------------------------------------------
    def down(self):
        try:
            with open(self.down_file) as f:
                return {int(x) for x in f.read().split()}
        except FileNotFoundError:
            return set()

    def request(self, member, method, path, body=None, headers=None, timeout=180):
        """One request on a fresh connection (a kept-alive one would outlive a restart). Returns
        (status, headers, body); raises MemberDown when the member is down and could not answer."""
        url = urllib.parse.urlsplit(self.members[member])
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=dict(headers or {}, Connection="close"))
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        except (OSError, http.client.HTTPException) as e:
            if member in self.down():
                raise MemberDown(f"member {member} down: {e!r}")
            raise Failure(f"{method} {path} via member {member} (up): {e!r}")
        finally:
            conn.close()

    def count(self, key, n=1):
        with self.lock:
            self.counts[key] += n

    def pick(self, start):
        """The next member from start on that is not down."""
        for i in range(len(self.members)):
            m = (start + i) % len(self.members)
            if m not in self.down():
                return m
        raise Failure("no member up")

    # --- a push ---------------------------------------------------------------------------------
    def expect(self, status, want, what, body):
        if status not in want:
            raise Failure(f"{what}: {status} {body[:300]!r}")

    def upload(self, m, repo, blob, chunked):
        digest = sha256(blob)
        st, h, b = self.request(m, "POST", f"/v2/{repo}/blobs/uploads/")
        self.expect(st, (202,), f"upload POST {repo}", b)
        self.finish(m, h["location"], blob, digest, chunked)

    def finish(self, m, location, blob, digest, chunked):
        path = urllib.parse.urlsplit(location)
        target = path.path + ("?" + path.query if path.query else "")
        if chunked and len(blob) > 1:
            half = len(blob) // 2
            st, h, b = self.request(m, "PATCH", target, body=blob[:half],
                                    headers={"Content-Type": "application/octet-stream",
                                             "Content-Range": f"0-{half - 1}"})
            self.expect(st, (202,), "upload PATCH", b)
            path = urllib.parse.urlsplit(h["location"])
            target = path.path + ("?" + path.query if path.query else "")
            blob = blob[half:]
            self.count("chunked_uploads")
        sep = "&" if "?" in target else "?"
        st, h, b = self.request(m, "PUT", f"{target}{sep}digest={digest}", body=blob,
                                headers={"Content-Type": "application/octet-stream"})
        self.expect(st, (201,), "upload PUT", b)
        self.count("blobs_uploaded")

    def push(self, m, rnd, image):
        repo, tag, blobs, manifest = image
        began, runs_before = time.monotonic(), len(self.reports)
        try:
            self.push_blobs_and_manifest(m, rnd, repo, tag, blobs, manifest)
        except Failure as e:
            # How long the push had been going, and how many GC runs ended meanwhile: a push slower
            # than two runs can lose its first blobs at gc.grace 0 (gc-job/GC-PROTOCOL.md).
            raise Failure(f"{e} [after {time.monotonic() - began:.1f} s of this push, "
                          f"{len(self.reports) - runs_before} GC runs answered meanwhile]")
        with self.lock:
            self.push_seconds.append(time.monotonic() - began)

    def push_blobs_and_manifest(self, m, rnd, repo, tag, blobs, manifest):
        for digest, blob in blobs.items():
            st, _, b = self.request(m, "HEAD", f"/v2/{repo}/blobs/{digest}")
            self.expect(st, (200, 404), f"blob HEAD {repo}", b)
            with self.lock:
                source = self.last_repo_of.get(digest)
            if st == 200:
                # Pushed again although it exists: a client that does not trust the HEAD, or a second one.
                self.count("repushes_after_head")
                self.upload(m, repo, blob, rnd.random() < 0.3)
            elif source and source != repo and rnd.random() < 0.5:
                st, h, b = self.request(m, "POST", f"/v2/{repo}/blobs/uploads/?mount={digest}&from={source}")
                self.expect(st, (201, 202), f"mount {digest} from {source} into {repo}", b)
                if st == 201:
                    self.count("mounts")
                else:  # the source no longer has it (its manifests deleted and collected): upload
                    self.count("mounts_fell_back_to_upload")
                    self.finish(m, h["location"], blob, digest, False)
            else:
                self.upload(m, repo, blob, rnd.random() < 0.3)
            with self.lock:
                self.last_repo_of[digest] = repo
        st, h, b = self.request(m, "PUT", f"/v2/{repo}/manifests/{tag}", body=manifest,
                                headers={"Content-Type": OCI_MANIFEST})
        self.expect(st, (201,), f"manifest PUT {repo}:{tag}", b)
        digest = sha256(manifest)
        if h.get("docker-content-digest") != digest:
            raise Failure(f"manifest PUT {repo}:{tag} answered digest {h.get('docker-content-digest')}, sent {digest}")
        with self.lock:
            self.acknowledged[(repo, digest)] = (manifest, blobs)
            previous = self.tag_target.get((repo, tag))
            self.tag_target[(repo, tag)] = digest
            self.counts["pushes"] += 1
            if previous and previous != digest:
                self.counts["tags_moved"] += 1

    def image(self, rnd, client, n):
        repo = rnd.choice(REPOSITORIES)
        layers = rnd.sample(self.pool, rnd.randint(1, 3))
        layers.append(rnd.randbytes(rnd.randint(1024, self.args.layer_kib_max * 1024 // 2)))
        config = json.dumps({"architecture": "amd64", "os": "linux", "client": client, "n": n,
                             "rootfs": {"type": "layers", "diff_ids": []}}).encode()
        blobs = {sha256(layer): layer for layer in layers}
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": sha256(config), "size": len(config)},
            "layers": [{"mediaType": LAYER, "digest": d, "size": len(b)} for d, b in blobs.items()],
        }).encode()
        blobs[sha256(config)] = config
        return repo, rnd.choice(TAGS), blobs, manifest

    def delete(self, m, rnd):
        with self.lock:
            if not self.acknowledged:
                return
            key = rnd.choice(list(self.acknowledged))
            doomed = self.acknowledged.pop(key)  # not verified from now on, whatever happens
        repo, digest = key
        for attempt in range(len(self.members) * 3):
            try:
                st, _, b = self.request(m, "DELETE", f"/v2/{repo}/manifests/{digest}")
                if st == 202 or (st == 404 and attempt > 0):  # 404: the attempt the kill cut off had deleted it
                    self.count("deletes")
                    return
                with self.lock:
                    self.acknowledged[key] = doomed
                raise Failure(f"manifest DELETE {repo}@{digest}: {st} {b[:300]!r}")
            except MemberDown:
                self.count("lost_to_kill")
                time.sleep(0.2)
                m = self.pick(m + 1)
        raise Failure(f"manifest DELETE {repo}@{digest}: no member answered")

    def client(self, c, deadline):
        rnd = random.Random(self.args.seed * 1000 + c)
        n = 0
        m = c % len(self.members)
        while time.monotonic() < deadline:
            m = self.pick(m + 1)
            try:
                if rnd.random() < 0.2:
                    self.delete(m, rnd)
                    continue
                image = self.image(rnd, c, n)
                n += 1
                for attempt in range(len(self.members) * 3):
                    self.count("push_attempts")
                    try:
                        self.push(m, rnd, image)
                        break
                    except MemberDown:
                        # The member died under the client: push the whole image again elsewhere.
                        self.count("lost_to_kill")
                        time.sleep(0.2)
                        m = self.pick(m + 1)
                else:
                    raise Failure("push: no member answered")
            except Failure as e:
                with self.lock:
                    self.failures.append(f"client {c}: {e}")

    # --- the collector --------------------------------------------------------------------------
    def gc(self, m):
        st, _, b = self.request(m, "POST", "/admin/v1/gc", headers={"X-Fleetmirror-Cluster-Secret": self.secret},
                                timeout=900)
        if st == 200:
            report = json.loads(b)
            with self.lock:
                self.reports.append(report)
            return report
        if st == 409:  # a run is in progress (the killed member's, until the cluster gives it up)
            self.count("gc_busy")
            return None
        raise Failure(f"POST /admin/v1/gc via member {m}: {st} {b[:300]!r}")

    def collector(self, stop):
        m = 0
        while not stop.is_set():
            m = self.pick(m + 1)
            flag = self.args.victim_flag if m == self.args.victim else None
            try:
                if flag:  # tells gc-fire.sh that the victim runs a GC of its own now: the moment to kill it
                    with open(flag, "w") as f:
                        f.write(str(time.time()))
                if self.gc(m) is None:
                    time.sleep(0.1)
            except MemberDown:
                self.count("gc_posts_lost_to_kill")
                time.sleep(0.2)
            except Failure as e:
                with self.lock:
                    self.failures.append(f"gc: {e}")
                time.sleep(0.5)
            finally:
                if flag and os.path.exists(flag):
                    os.remove(flag)

    # --- the check ------------------------------------------------------------------------------
    def verify(self):
        problems = []
        pulled = dict(manifests=0, blobs=0, bytes=0)
        items = sorted(self.acknowledged.items())
        lock = threading.Lock()

        def check(part):
            for (repo, digest), (manifest, blobs) in part:
                for m in range(len(self.members)):
                    try:
                        st, h, b = self.request(m, "GET", f"/v2/{repo}/manifests/{digest}", headers={"Accept": OCI_MANIFEST})
                        if st != 200 or sha256(b) != digest:
                            raise Failure(f"manifest {repo}@{digest} via member {m}: {st}, {sha256(b)}")
                        names = [json.loads(b)["config"]["digest"]] + [l["digest"] for l in json.loads(b)["layers"]]
                        if sorted(names) != sorted(blobs):
                            raise Failure(f"manifest {repo}@{digest} names other blobs than were pushed")
                        got = 0
                        for blob in names:
                            st, _, data = self.request(m, "GET", f"/v2/{repo}/blobs/{blob}")
                            if st != 200 or sha256(data) != blob:
                                raise Failure(f"blob {blob} of {repo}@{digest} via member {m}: {st}, {len(data)} bytes")
                            got += len(data)
                        with lock:
                            pulled["manifests"] += 1
                            pulled["blobs"] += len(names)
                            pulled["bytes"] += got + len(b)
                    except (Failure, MemberDown) as e:
                        with lock:
                            problems.append(str(e))

        threads = [threading.Thread(target=check, args=(items[i::self.args.clients],)) for i in range(self.args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return pulled, problems


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--nodes", required=True, help="comma-separated base URLs of the members")
    p.add_argument("--secret", required=True)
    p.add_argument("--down-file", required=True)
    p.add_argument("--duration", type=float, default=120)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--pool", type=int, default=24, help="shared base layers")
    p.add_argument("--layer-kib-min", type=int, default=8)
    p.add_argument("--layer-kib-max", type=int, default=64)
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--reports-dir", help="where the bucket's GC reports are (S3Proxy's filesystem)")
    p.add_argument("--out", help="write the figures here as JSON")
    p.add_argument("--victim", type=int, default=-1, help="the member (index) the caller will kill")
    p.add_argument("--victim-flag", help="exists while a GC POST to the victim is unanswered")
    args = p.parse_args()
    fire = Fire(args)

    started = time.monotonic()
    deadline = started + args.duration
    stop = threading.Event()
    collector = threading.Thread(target=fire.collector, args=(stop,))
    clients = [threading.Thread(target=fire.client, args=(c, deadline)) for c in range(args.clients)]
    collector.start()
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    pushing_s = time.monotonic() - started
    stop.set()
    collector.join()
    fired_s = time.monotonic() - started
    # Two more runs with nothing writing: what the last runs spared as recent is decided on too.
    for m in (0, 1):
        for _ in range(3000):
            try:
                if fire.gc(m) is not None:
                    break
            except (Failure, MemberDown) as e:
                fire.failures.append(f"final gc: {e}")
                break
            time.sleep(0.2)
    # The check goes through every member: a short fire may end before the killed one is back.
    back_by = time.monotonic() + 180
    while fire.down() and time.monotonic() < back_by:
        time.sleep(0.2)
    pulled, problems = fire.verify()

    reports = fire.reports
    # The bucket's reports include the abandoned run, which answered no POST.
    paths = glob.glob(os.path.join(args.reports_dir or "/nonexistent", "**", "*.json"), recursive=True)
    bucket_reports = [json.load(open(path)) for path in paths]
    every = bucket_reports or reports
    outcomes = dict(collections.Counter(r.get("outcome", "?") for r in every))
    figures = dict(fire.counts)
    durations = sorted(fire.push_seconds) or [0]
    figures.update(push_seconds_median=round(durations[len(durations) // 2], 2),
                   push_seconds_p90=round(durations[int(len(durations) * 0.9)], 2), push_seconds_max=round(durations[-1], 2))
    figures.update(
        clients=args.clients, members=len(fire.members), pushing_seconds=round(pushing_s, 1),
        firing_seconds=round(fired_s, 1), failed_operations=len(fire.failures),
        gc_runs_answered=len(reports), gc_runs_completed_answered=sum(r.get("outcome") == "completed" for r in reports),
        gc_reports_in_bucket=len(bucket_reports), gc_outcomes=outcomes,
        **{name: sum(r.get(key, 0) for r in every) for name, key in (
            ("writes_held", "writesHeld"), ("writes_held_refused", "writesHeldRefused"), ("blobs_deleted", "blobsDeleted"),
            ("blobs_kept_for_pushes", "blobsKeptForPushes"),
            ("manifests_deleted_by_gc", "manifestsDeleted"), ("manifests_read", "manifestsRead"))},
        **{name: max((r.get(key, 0) for r in every), default=0) for name, key in (
            ("longest_hold_ms", "longestHoldMillis"), ("longest_window_ms", "windowMillis"),
            ("longest_read_only_ms", "readOnlyMillis"), ("longest_run_ms", "durationMillis"))},
        acknowledged_not_deleted=len(fire.acknowledged), pulls_verified=pulled["manifests"],
        blobs_verified=pulled["blobs"], bytes_verified=pulled["bytes"], verification_failures=len(problems),
        abandoned=[{k: r.get(k) for k in ("runId", "abandonedInPhase", "restoredBy")} for r in every
                   if r.get("outcome") == "abandoned"],
        failures=fire.failures[:50], verification_problems=problems[:50])
    print(f"under fire for {pushing_s:.0f} s ({args.clients} clients, {len(fire.members)} members): "
          f"{figures['pushes']} pushes acknowledged ({figures['push_attempts']} attempts), {len(fire.failures)} failed operations, "
          f"{figures['lost_to_kill']} operations lost with the killed member and done again elsewhere; "
          f"{figures['blobs_uploaded']} blob uploads ({figures['chunked_uploads']} chunked), "
          f"{figures['repushes_after_head']} layers pushed again after a HEAD said they exist, {figures['mounts']} mounts "
          f"({figures['mounts_fell_back_to_upload']} fell back to an upload), {figures['tags_moved']} tags moved, "
          f"{figures['deletes']} manifests deleted; a push took {figures['push_seconds_median']} s "
          f"(median; 90th percentile {figures['push_seconds_p90']} s, longest {figures['push_seconds_max']} s)")
    print(f"GC: {len(reports)} runs answered ({figures['gc_runs_completed_answered']} completed), reports in the bucket "
          f"by outcome {outcomes}, {figures['gc_busy']} POSTs answered 409 (a run in progress); writes held "
          f"{figures['writes_held']} ({figures['writes_held_refused']} refused past maxhold), longest hold "
          f"{figures['longest_hold_ms']} ms, longest window {figures['longest_window_ms']} ms (read-only "
          f"{figures['longest_read_only_ms']} ms), longest run {figures['longest_run_ms']} ms, "
          f"{figures['blobs_deleted']} blobs deleted, {figures['blobs_kept_for_pushes']} kept for pushes in flight")
    print(f"verified: {pulled['manifests']} pulls ({figures['acknowledged_not_deleted']} acknowledged, not deleted "
          f"manifests x {len(fire.members)} members), {pulled['blobs']} blobs, {pulled['bytes'] / 1e6:.1f} MB, "
          f"{len(problems)} failures")
    for r in figures["abandoned"]:
        print(f"abandoned run {r['runId']}: in phase {r['abandonedInPhase']}, restored by {r['restoredBy']}")
    for line in fire.failures[:20] + problems[:20]:
        print("  " + line, file=sys.stderr)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(figures, f, indent=2)
    ok = not fire.failures and not problems and pulled["manifests"] == len(fire.acknowledged) * len(fire.members)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
