package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.ManifestParser;
import dev.fleetmirror.core.name.Reference;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/manifests/<reference>}: the bytes, at most the 4 MiB a manifest may have.
 * They must hash to the digest asked for, or else to the one the answer claims: checked here, so
 * that a URL sending anything else is skipped and the upstream's next URL asked within the same call.
 */
public record ManifestPull(String repository, Reference reference) implements ManifestRequest<FetchedManifest> {
    @Override
    public HttpMethod method() {
        return HttpMethod.GET;
    }

    @Override
    public Future<FetchedManifest> read(HttpClientResponse response) {
        return BoundedBody.read(response, ManifestParser.MAX_MANIFEST_BYTES, description()).map(body -> {
            String type = Optional.ofNullable(response.getHeader("Content-Type")).map(t -> t.split(";", 2)[0].trim()).orElse("");
            Optional<Digest> claimed = ManifestRequest.claimedDigest(response.getHeader("Docker-Content-Digest"));
            Optional<Digest> expected = reference instanceof Reference.ByDigest byDigest ? Optional.of(byDigest.digest()) : claimed;
            if (expected.isPresent()) {
                Digest actual = Digest.compute(expected.get().algorithm(), body.getBytes());
                if (!actual.equals(expected.get())) {
                    throw new CorruptAnswer("manifest " + reference + " of " + repository + " hashes to " + actual
                            + ", not " + expected.get());
                }
            }
            return new FetchedManifest(body.getBytes(), type, claimed);
        });
    }
}
