package dev.fleetmirror.node.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Signs the tokens of the built-in token service: ES256/384/512 with an EC key, RS256 with an RSA
 * one; {@code iss}, {@code sub} (the account, empty for an anonymous caller), {@code aud} (the
 * service), {@code iat}/{@code nbf}/{@code exp}, a {@code jti} and the Docker {@code access} claim.
 */
public final class TokenIssuer {
    private final JWSSigner signer;
    private final JWSAlgorithm algorithm;
    private final Optional<String> keyId;
    private final String issuer;
    private final String service;
    private final Duration expiration;

    /** @param publicKey the key's public half when known, for the {@code kid} header */
    public TokenIssuer(PrivateKey key, Optional<PublicKey> publicKey, String issuer, String service, Duration expiration) {
        try {
            if (key instanceof ECPrivateKey ec) {
                int bits = ec.getParams().getCurve().getField().getFieldSize();
                this.algorithm = bits <= 256 ? JWSAlgorithm.ES256 : bits <= 384 ? JWSAlgorithm.ES384 : JWSAlgorithm.ES512;
                this.signer = new ECDSASigner(ec);
            } else {
                this.algorithm = JWSAlgorithm.RS256;
                this.signer = new RSASSASigner(key);
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the token signing key cannot sign: " + e.getMessage(), e);
        }
        this.keyId = publicKey.map(KeyIds::of);
        this.issuer = issuer;
        this.service = service;
        this.expiration = expiration;
    }

    public Duration expiration() {
        return expiration;
    }

    public String issue(Optional<String> subject, List<TokenAccess.Grant> grants, Instant now) {
        List<Map<String, Object>> access = grants.stream().map(grant -> Map.<String, Object>of(
                "type", grant.type(), "name", grant.name(),
                "actions", grant.actions().stream().sorted().map(Action::word).toList())).toList();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(subject.orElse(""))
                .audience(service)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(expiration)))
                .jwtID(UUID.randomUUID().toString())
                .claim("access", access)
                .build();
        JWSHeader.Builder header = new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT);
        keyId.ifPresent(header::keyID);
        SignedJWT jwt = new SignedJWT(header.build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing a token failed: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
