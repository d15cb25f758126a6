package dev.fleetmirror.node.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;

/**
 * The {@code kid} Distribution (libtrust) gives a key: the SHA-256 of its DER SubjectPublicKeyInfo,
 * first 240 bits, base32, in groups of four joined by ':'. Tokens we issue carry it, so a
 * Distribution registry with our certificate in its rootcertbundle accepts them too, and we find
 * the key of a token by it.
 */
final class KeyIds {
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private KeyIds() {
    }

    static String of(PublicKey key) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        StringBuilder encoded = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < 30; i++) {
            buffer = (buffer << 8) | (hash[i] & 0xff);
            bits += 8;
            while (bits >= 5) {
                encoded.append(BASE32.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        StringBuilder kid = new StringBuilder();
        for (int i = 0; i < encoded.length(); i += 4) {
            if (i > 0) {
                kid.append(':');
            }
            kid.append(encoded, i, i + 4);
        }
        return kid.toString();
    }
}
