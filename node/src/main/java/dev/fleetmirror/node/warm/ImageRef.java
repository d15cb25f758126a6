package dev.fleetmirror.node.warm;

import dev.fleetmirror.core.digest.InvalidDigestException;
import dev.fleetmirror.core.name.InvalidNameException;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;

/**
 * An image as clients pull it through the mirror: {@code name[:tag][@digest]}, the tag
 * {@code latest} when neither is given ({@code docker.io/library/redis:7},
 * {@code library/redis@sha256:...}).
 */
public record ImageRef(String text, RepositoryName repository, Reference reference) {

    /** @throws IllegalArgumentException with a message a person can act on */
    public static ImageRef parse(String text) {
        String name = text;
        String reference = "latest";
        int at = text.indexOf('@');
        if (at >= 0) {
            name = text.substring(0, at);
            reference = text.substring(at + 1);
            // A tag before the digest is only informative: the digest decides.
            int colon = name.lastIndexOf(':');
            if (colon > name.lastIndexOf('/')) {
                name = name.substring(0, colon);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon > text.lastIndexOf('/')) {
                name = text.substring(0, colon);
                reference = text.substring(colon + 1);
            }
        }
        try {
            return new ImageRef(text, RepositoryName.of(name), Reference.parse(reference));
        } catch (InvalidNameException | InvalidDigestException e) {
            throw new IllegalArgumentException("'" + text + "' is not an image reference (name[:tag][@digest]): "
                    + e.getMessage(), e);
        }
    }
}
