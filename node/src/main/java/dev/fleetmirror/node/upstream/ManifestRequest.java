package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.InvalidDigestException;
import dev.fleetmirror.core.name.Reference;
import java.util.Map;
import java.util.Optional;

/**
 * What every request about one manifest shares; {@link ManifestCheck} and {@link ManifestPull}
 * differ only in method and reading.
 */
interface ManifestRequest<T> extends UpstreamOperation<T> {

    String repository();

    Reference reference();

    @Override
    default String path() {
        return "/v2/" + repository() + "/manifests/" + reference();
    }

    @Override
    default String scope() {
        return UpstreamOperation.scopeOf(repository());
    }

    @Override
    default Map<String, String> headers() {
        return Map.of("Accept", ManifestAccept.VALUE);
    }

    @Override
    default String description() {
        return "manifest " + reference() + " of " + repository();
    }

    /** The digest the upstream claims in {@code Docker-Content-Digest}; empty when absent or unparseable. */
    static Optional<Digest> claimedDigest(String header) {
        try {
            return header == null ? Optional.empty() : Optional.of(Digest.parse(header.trim()));
        } catch (InvalidDigestException e) {
            return Optional.empty();
        }
    }
}
