package dev.fleetmirror.core.digest;

import java.util.HexFormat;
import java.util.Objects;

/**
 * A content digest, {@code algorithm:hex}. Only sha256 and sha512 with the exact lowercase hex
 * length are representable, so a value of this type is always safe to use in a storage path.
 */
public record Digest(DigestAlgorithm algorithm, String hex) implements Comparable<Digest> {

    public Digest {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(hex, "hex");
        if (hex.length() != algorithm.hexLength()) {
            throw new InvalidDigestException("digest " + algorithm.prefix() + ":" + abbreviate(hex)
                    + " must have " + algorithm.hexLength() + " hex characters, has " + hex.length());
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new InvalidDigestException("digest " + algorithm.prefix() + ":" + abbreviate(hex)
                        + " must be lowercase hex");
            }
        }
    }

    /** Parses {@code sha256:<64 hex>} or {@code sha512:<128 hex>}. */
    public static Digest parse(String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidDigestException("digest is missing");
        }
        int colon = value.indexOf(':');
        if (colon <= 0) {
            throw new InvalidDigestException("digest '" + abbreviate(value) + "' is not of the form algorithm:hex");
        }
        String prefix = value.substring(0, colon);
        DigestAlgorithm algorithm = DigestAlgorithm.byPrefix(prefix)
                .orElseThrow(() -> new InvalidDigestException("digest algorithm '" + abbreviate(prefix)
                        + "' is not supported (use sha256 or sha512)"));
        return new Digest(algorithm, value.substring(colon + 1));
    }

    /** True when {@code value} parses as a digest. */
    public static boolean isDigest(String value) {
        try {
            parse(value);
            return true;
        } catch (InvalidDigestException e) {
            return false;
        }
    }

    public static Digest of(DigestAlgorithm algorithm, byte[] rawDigest) {
        return new Digest(algorithm, HexFormat.of().formatHex(rawDigest));
    }

    /** Digest of a byte array (manifests and other small content). */
    public static Digest compute(DigestAlgorithm algorithm, byte[] content) {
        return of(algorithm, algorithm.newMessageDigest().digest(content));
    }

    public static Digest sha256(byte[] content) {
        return compute(DigestAlgorithm.SHA256, content);
    }

    @Override
    public String toString() {
        return algorithm.prefix() + ":" + hex;
    }

    @Override
    public int compareTo(Digest o) {
        return toString().compareTo(o.toString());
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
