package dev.fleetmirror.node.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Verifies bearer tokens as Distribution's token auth does: signed by a trusted key (the
 * certificates of {@code rootcertbundle}, the keys of a {@code jwks} file, or this node's own
 * token service key), issued by {@code issuer}, for {@code service} ({@code aud}), and within
 * {@code nbf}/{@code exp} give or take {@link #SKEW}. The {@code access} claim becomes the
 * caller's {@link TokenAccess}; a {@code groups} claim adds to its groups.
 */
public final class TokenVerifier {
    static final Duration SKEW = Duration.ofSeconds(60);
    private final Map<String, PublicKey> keys;
    private final String issuer;
    private final String service;
    private final Clock clock;
    private final Function<String, Set<String>> groupsOf;

    /** @param keys trusted keys by key id */
    public TokenVerifier(Map<String, PublicKey> keys, String issuer, String service, Clock clock,
                         Function<String, Set<String>> groupsOf) {
        this.keys = Map.copyOf(keys);
        this.issuer = issuer;
        this.service = service;
        this.clock = clock;
        this.groupsOf = groupsOf;
    }

    /** The keys of a PEM certificate bundle, by their libtrust key id. */
    public static Map<String, PublicKey> certificateKeys(Path bundle) throws IOException, GeneralSecurityException {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (var certificate : PemFiles.certificates(bundle)) {
            keys.put(KeyIds.of(certificate.getPublicKey()), certificate.getPublicKey());
        }
        return keys;
    }

    /** The public keys of a JWK set file, by their {@code kid} (or libtrust key id without one). */
    public static Map<String, PublicKey> jwksKeys(Path file) throws IOException, GeneralSecurityException {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        try {
            for (JWK jwk : JWKSet.load(file.toFile()).getKeys()) {
                PublicKey key = switch (jwk.getKeyType().getValue()) {
                    case "EC" -> jwk.toECKey().toECPublicKey();
                    case "RSA" -> jwk.toRSAKey().toRSAPublicKey();
                    default -> null;
                };
                if (key != null) {
                    keys.put(jwk.getKeyID() != null ? jwk.getKeyID() : KeyIds.of(key), key);
                }
            }
        } catch (ParseException | JOSEException e) {
            throw new GeneralSecurityException(file + " is not a JWK set: " + e.getMessage(), e);
        }
        return keys;
    }

    /** A token that verified: its caller, and when it stops being valid. */
    public record Verified(Caller caller, Instant expires) {
    }

    public Caller verify(String token) throws InvalidTokenException {
        return check(token).caller();
    }

    public Verified check(String token) throws InvalidTokenException {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidTokenException("the bearer token is not a signed JWT");
        }
        if (!signedByTrustedKey(jwt)) {
            throw new InvalidTokenException("the bearer token's signature does not verify with a trusted key");
        }
        if (!issuer.equals(claims.getIssuer())) {
            throw new InvalidTokenException("the bearer token was not issued by " + issuer);
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(service)) {
            throw new InvalidTokenException("the bearer token is not for service " + service);
        }
        Instant now = clock.instant();
        Date expires = claims.getExpirationTime();
        if (expires == null || expires.toInstant().plus(SKEW).isBefore(now)) {
            throw new InvalidTokenException("the bearer token has expired");
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && notBefore.toInstant().minus(SKEW).isAfter(now)) {
            throw new InvalidTokenException("the bearer token is not valid yet");
        }
        String subject = claims.getSubject();
        Optional<String> user = subject == null || subject.isEmpty() ? Optional.empty() : Optional.of(subject);
        Set<String> groups = new java.util.HashSet<>(user.map(groupsOf).orElse(Set.of()));
        try {
            List<String> claimed = claims.getStringListClaim("groups");
            if (claimed != null) {
                groups.addAll(claimed);
            }
        } catch (ParseException e) {
            throw new InvalidTokenException("the bearer token's groups claim is not a list of names");
        }
        return new Verified(new Caller(user, groups, Optional.empty(), Optional.of(access(claims))),
                expires.toInstant().plus(SKEW));
    }

    private boolean signedByTrustedKey(SignedJWT jwt) {
        String kid = jwt.getHeader().getKeyID();
        List<PublicKey> candidates = kid != null && keys.containsKey(kid) ? List.of(keys.get(kid)) : List.copyOf(keys.values());
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        for (PublicKey key : candidates) {
            try {
                JWSVerifier verifier;
                if (key instanceof ECPublicKey ec && JWSAlgorithm.Family.EC.contains(algorithm)) {
                    verifier = new ECDSAVerifier(ec);
                } else if (key instanceof RSAPublicKey rsa && JWSAlgorithm.Family.RSA.contains(algorithm)) {
                    verifier = new RSASSAVerifier(rsa);
                } else {
                    continue;
                }
                if (jwt.verify(verifier)) {
                    return true;
                }
            } catch (JOSEException e) {
                // a key of another curve or size: try the next one
            }
        }
        return false;
    }

    private static TokenAccess access(JWTClaimsSet claims) throws InvalidTokenException {
        Object claim = claims.getClaim("access");
        List<TokenAccess.Grant> grants = new ArrayList<>();
        if (claim == null) {
            return new TokenAccess(grants);
        }
        if (!(claim instanceof List<?> entries)) {
            throw new InvalidTokenException("the bearer token's access claim is not a list");
        }
        for (Object entry : entries) {
            if (!(entry instanceof Map<?, ?> map) || !(map.get("type") instanceof String type)
                    || !(map.get("name") instanceof String name)) {
                throw new InvalidTokenException("the bearer token's access claim has an entry without type and name");
            }
            Set<Action> actions = EnumSet.noneOf(Action.class);
            if (map.get("actions") instanceof List<?> words) {
                for (Object word : words) {
                    if (word instanceof String text) {
                        if (text.equals("*")) {
                            actions.addAll(EnumSet.allOf(Action.class));
                        }
                        Action.parse(text).ifPresent(actions::add);
                    }
                }
            }
            grants.add(new TokenAccess.Grant(type, name, actions));
        }
        return new TokenAccess(grants);
    }
}
