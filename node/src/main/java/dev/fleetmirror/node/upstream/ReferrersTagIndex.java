package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.Tag;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * {@code GET /v2/<name>/manifests/<alg>-<hex>}: the referrers tag schema (OCI distribution spec
 * 1.1), where clients pushing to a registry without the referrers API keep an index of a
 * manifest's referrers under a tag named for its digest. A 404 means there are none.
 */
public record ReferrersTagIndex(String repository, Digest subject) implements ManifestRequest<List<Descriptor>> {

    /** The tag the schema names for {@code subject}: {@code sha256:ab..} is {@code sha256-ab..}. */
    public static Tag tagOf(Digest subject) {
        return new Tag(subject.algorithm().prefix() + "-" + subject.hex());
    }

    @Override
    public Reference reference() {
        return tagOf(subject);
    }

    @Override
    public HttpMethod method() {
        return HttpMethod.GET;
    }

    @Override
    public String description() {
        return "the referrers tag " + reference() + " of " + repository;
    }

    @Override
    public Future<List<Descriptor>> read(HttpClientResponse response) {
        return new ManifestPull(repository, reference()).read(response)
                .compose(fetched -> {
                    try {
                        return Future.succeededFuture(ReferrersListing.referrers(fetched.content(), description()));
                    } catch (MalformedAnswer malformed) {
                        return Future.failedFuture(malformed);
                    }
                });
    }
}
