package dev.fleetmirror.node.distribution;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.InvalidNameException;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import java.util.Optional;
import java.util.regex.Pattern;

/** Parsing of path and query parameters into value types, with the error code each failure earns. */
final class Parameters {
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Parameters() {
    }

    /** A manifest reference: a malformed digest is DIGEST_INVALID, a malformed tag TAG_INVALID. */
    static Reference reference(String value) {
        try {
            return Reference.parse(value);
        } catch (InvalidNameException e) {
            throw new RegistryException(ErrorCode.TAG_INVALID, e.getMessage());
        }
    }

    /**
     * A reference to read or delete: a malformed tag cannot name a stored manifest, so it is
     * MANIFEST_UNKNOWN (404, as Distribution and the conformance suite expect); a malformed digest
     * is still DIGEST_INVALID.
     */
    static Reference existingReference(String value) {
        try {
            return Reference.parse(value);
        } catch (InvalidNameException e) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "no manifest is tagged '"
                    + (value.length() > 80 ? value.substring(0, 77) + "..." : value) + "': " + e.getMessage());
        }
    }

    static Digest digest(String value) {
        return Digest.parse(value);
    }

    /** Upload ids are UUIDs; anything else cannot name an upload, so it is unknown rather than invalid. */
    static String uploadId(String value) {
        if (!UUID.matcher(value).matches()) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "no upload with id '"
                    + (value.length() > 80 ? value.substring(0, 77) + "..." : value) + "'");
        }
        return value;
    }

    /** The {@code n} of a paginated listing; absent means {@code fallback}. */
    static int pageSize(Optional<String> n, int fallback) {
        if (n.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(n.get().trim());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID,
                "n must be a non-negative integer, got '" + n.get() + "'");
    }
}
