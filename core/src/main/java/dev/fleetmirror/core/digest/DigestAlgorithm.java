package dev.fleetmirror.core.digest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/** The content-addressing algorithms the OCI image spec registers and this registry accepts. */
public enum DigestAlgorithm {
    SHA256("sha256", "SHA-256", 64),
    SHA512("sha512", "SHA-512", 128);

    private final String prefix;
    private final String jcaName;
    private final int hexLength;

    DigestAlgorithm(String prefix, String jcaName, int hexLength) {
        this.prefix = prefix;
        this.jcaName = jcaName;
        this.hexLength = hexLength;
    }

    /** The name used in a digest string, e.g. {@code sha256}. */
    public String prefix() {
        return prefix;
    }

    /** Number of lowercase hex characters of an encoded digest. */
    public int hexLength() {
        return hexLength;
    }

    public MessageDigest newMessageDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without " + jcaName, e);
        }
    }

    public static Optional<DigestAlgorithm> byPrefix(String prefix) {
        for (DigestAlgorithm a : values()) {
            if (a.prefix.equals(prefix)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
