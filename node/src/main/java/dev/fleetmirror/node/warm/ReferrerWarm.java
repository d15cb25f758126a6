package dev.fleetmirror.node.warm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.StoredManifest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a warm with referrers adds to an image: its referrers as the mirror's referrers API lists
 * them for each warmed manifest (asking it is what keeps the list in storage for outages), and
 * cosign's tag-based signatures, attestations and SBOMs ({@code sha256-<hex>.sig}, {@code .att},
 * {@code .sbom}, which tools older than the referrers API push). Each one found is warmed as a
 * manifest with its blobs; a referrer that fails to warm fails the image, as a blob would.
 */
final class ReferrerWarm {
    private static final List<String> COSIGN_SUFFIXES = List.of(".sig", ".att", ".sbom");

    private ReferrerWarm() {
    }

    static void warm(Registry mirror, ImageRef image, List<Digest> subjects, Digest top, Consumer<ObjectNode> events,
                     Warmer.Counts counts, Warmer warmer) {
        RepositoryName repo = image.repository();
        Map<Digest, ObjectNode> found = new LinkedHashMap<>();
        for (Digest subject : subjects) {
            for (Descriptor referrer : mirror.referrers().list(repo, subject, Optional.empty())) {
                found.putIfAbsent(referrer.digest(), Warmer.event("referrer", image).put("digest", referrer.digest().toString())
                        .put("subject", subject.toString()).put("artifactType", referrer.artifactType()));
            }
        }
        for (String suffix : COSIGN_SUFFIXES) {
            Tag tag = Tag.of(top.algorithm().prefix() + "-" + top.hex() + suffix);
            Optional<StoredManifest> tagged = mirror.manifests().get(repo, tag);
            tagged.ifPresent(manifest -> found.putIfAbsent(manifest.digest(), Warmer.event("referrer", image)
                    .put("digest", manifest.digest().toString()).put("subject", top.toString()).put("tag", tag.value())));
        }
        for (Map.Entry<Digest, ObjectNode> referrer : found.entrySet()) {
            events.accept(referrer.getValue());
            counts.referrer();
            warmer.manifestAndBlobs(image, referrer.getKey(), events, counts);
        }
    }
}
