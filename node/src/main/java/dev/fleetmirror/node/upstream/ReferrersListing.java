package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.manifest.ManifestParser;
import dev.fleetmirror.core.manifest.MediaTypes;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v2/<name>/referrers/<digest>}: the upstream's referrers of a manifest, unfiltered, so
 * that one answer kept by the mirror serves every {@code artifactType} asked of it. A registry
 * without the API (Distribution 2.8 and older) answers 404; then {@link ReferrersTagIndex} reads the
 * spec's fallback. An index larger than a manifest may be (4 MiB) is refused.
 */
public record ReferrersListing(String repository, Digest subject) implements UpstreamOperation<List<Descriptor>> {

    @Override
    public HttpMethod method() {
        return HttpMethod.GET;
    }

    @Override
    public String path() {
        return "/v2/" + repository + "/referrers/" + subject;
    }

    @Override
    public String scope() {
        return UpstreamOperation.scopeOf(repository);
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Accept", MediaTypes.OCI_INDEX);
    }

    @Override
    public String description() {
        return "the referrers of " + subject + " in " + repository;
    }

    @Override
    public Future<List<Descriptor>> read(HttpClientResponse response) {
        return BoundedBody.read(response, ManifestParser.MAX_MANIFEST_BYTES, description()).compose(body -> {
            try {
                return Future.succeededFuture(referrers(body.getBytes(), description()));
            } catch (MalformedAnswer malformed) {
                return Future.failedFuture(malformed);
            }
        });
    }

    /** The entries of an OCI index of referrers, as the API and the referrers tag both hold them. */
    static List<Descriptor> referrers(byte[] index, String what) {
        try {
            return ManifestParser.parse(MediaTypes.OCI_INDEX, index).manifests();
        } catch (RegistryException notAnIndex) {
            throw new MalformedAnswer(what + " (not an OCI index: " + notAnIndex.getMessage() + ")");
        }
    }
}
