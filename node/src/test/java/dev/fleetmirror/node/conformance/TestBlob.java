package dev.fleetmirror.node.conformance;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Content the suite pushes, with the digest the registry must report for it. */
record TestBlob(byte[] content, String digest) {

    static TestBlob of(byte[] content) {
        return new TestBlob(content, sha256(content));
    }

    static TestBlob of(String content) {
        return of(content.getBytes(StandardCharsets.UTF_8));
    }

    int size() {
        return content.length;
    }

    static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
