package dev.fleetmirror.core.manifest;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A manifest or index that passed {@link ManifestParser}: everything the registry needs to decide
 * whether it may be stored and what it refers to.
 *
 * @param mediaType     one of {@link MediaTypes#MANIFESTS}
 * @param config        the config descriptor of an image manifest; empty for an index
 * @param layers        every layer of an image manifest, foreign ones included; empty for an index
 * @param blobs         what must exist in the repository before the manifest is accepted: the config
 *                      and the layers without {@code urls} (foreign, non-distributable layers are
 *                      fetched by clients from their URLs, so the registry need not hold them)
 * @param manifests     the child manifests of an index; empty for an image manifest
 * @param subject       the manifest this one refers to (OCI referrers), if any
 * @param artifactType  the {@code artifactType} field, or for an image manifest without one the
 *                      config's media type
 * @param annotations   the top-level annotations
 */
public record ParsedManifest(String mediaType, Optional<Descriptor> config, List<Descriptor> layers,
                             List<Descriptor> blobs, List<Descriptor> manifests, Optional<Descriptor> subject,
                             Optional<String> artifactType, Map<String, String> annotations) {

    public ParsedManifest {
        Objects.requireNonNull(mediaType, "mediaType");
        layers = List.copyOf(layers);
        blobs = List.copyOf(blobs);
        manifests = List.copyOf(manifests);
        annotations = Map.copyOf(annotations);
    }

    /** True for an OCI index or a Docker manifest list. */
    public boolean isIndex() {
        return MediaTypes.INDEXES.contains(mediaType);
    }
}
