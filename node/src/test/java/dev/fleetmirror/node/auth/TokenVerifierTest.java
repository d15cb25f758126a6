package dev.fleetmirror.node.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {
    private static final Instant NOW = Instant.parse("2026-11-29T00:00:00Z");
    private final KeyPair trusted = ecKey();
    private final KeyPair other = ecKey();
    private final TokenVerifier verifier = new TokenVerifier(Map.of(KeyIds.of(trusted.getPublic()), trusted.getPublic()),
            "issuer-a", "fleet-mirror", Clock.fixed(NOW, ZoneOffset.UTC), user -> user.equals("alice") ? Set.of("team-a") : Set.of());

    private static KeyPair ecKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String token(KeyPair key, String issuer, String service, Instant issued, Duration lifetime,
                                List<TokenAccess.Grant> grants) {
        return new TokenIssuer(key.getPrivate(), Optional.of(key.getPublic()), issuer, service, lifetime)
                .issue(Optional.of("alice"), grants, issued);
    }

    private static List<TokenAccess.Grant> pull(String name) {
        return List.of(new TokenAccess.Grant("repository", name, Set.of(Action.PULL)));
    }

    @Test
    void aValidTokenGivesItsSubjectGroupsAndExactlyTheGrantedScopes() throws Exception {
        Caller caller = verifier.verify(token(trusted, "issuer-a", "fleet-mirror", NOW, Duration.ofMinutes(5), pull("team-a/app")));
        assertThat(caller.user()).contains("alice");
        assertThat(caller.groups()).containsExactly("team-a");
        assertThat(caller.token()).isPresent();
        assertThat(caller.token().get().allows("team-a/app", Action.PULL)).isTrue();
        assertThat(caller.token().get().allows("team-a/app", Action.PUSH)).isFalse();
        assertThat(caller.token().get().allows("team-a/other", Action.PULL)).isFalse();
    }

    @Test
    void aTokenSignedByAnUntrustedKeyIsRejected() {
        String forged = token(other, "issuer-a", "fleet-mirror", NOW, Duration.ofMinutes(5), pull("team-a/app"));
        assertThatThrownBy(() -> verifier.verify(forged)).isInstanceOf(InvalidTokenException.class).hasMessageContaining("signature");
        String valid = token(trusted, "issuer-a", "fleet-mirror", NOW, Duration.ofMinutes(5), pull("team-a/app"));
        String[] parts = valid.split("\\.");
        String tampered = parts[0] + "." + token(trusted, "issuer-a", "fleet-mirror", NOW, Duration.ofMinutes(5),
                List.of(new TokenAccess.Grant("repository", "team-a/app", Set.of(Action.PUSH)))).split("\\.")[1] + "." + parts[2];
        assertThatThrownBy(() -> verifier.verify(tampered)).hasMessageContaining("signature");
        assertThatThrownBy(() -> verifier.verify("not-a-jwt")).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void aTokenOfAnotherIssuerOrForAnotherServiceIsRejected() {
        assertThatThrownBy(() -> verifier.verify(token(trusted, "issuer-b", "fleet-mirror", NOW, Duration.ofMinutes(5), pull("x"))))
                .hasMessageContaining("issued by");
        assertThatThrownBy(() -> verifier.verify(token(trusted, "issuer-a", "other-registry", NOW, Duration.ofMinutes(5), pull("x"))))
                .hasMessageContaining("service");
    }

    @Test
    void expiryAndNotBeforeAllowAMinuteOfClockSkewAndNoMore() throws Exception {
        Duration lifetime = Duration.ofMinutes(5);
        verifier.verify(token(trusted, "issuer-a", "fleet-mirror", NOW.minus(lifetime).minusSeconds(30), lifetime, pull("x")));
        assertThatThrownBy(() -> verifier.verify(token(trusted, "issuer-a", "fleet-mirror",
                NOW.minus(lifetime).minusSeconds(90), lifetime, pull("x")))).hasMessageContaining("expired");
        verifier.verify(token(trusted, "issuer-a", "fleet-mirror", NOW.plusSeconds(30), lifetime, pull("x")));
        assertThatThrownBy(() -> verifier.verify(token(trusted, "issuer-a", "fleet-mirror", NOW.plusSeconds(90), lifetime,
                pull("x")))).hasMessageContaining("not valid yet");
    }

    @Test
    void rsaKeysSignAndVerifyToo() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair rsa = generator.generateKeyPair();
        TokenVerifier rsaVerifier = new TokenVerifier(Map.of("k", rsa.getPublic()), "issuer-a", "fleet-mirror",
                Clock.fixed(NOW, ZoneOffset.UTC), user -> Set.of());
        assertThat(rsaVerifier.verify(token(rsa, "issuer-a", "fleet-mirror", NOW, Duration.ofMinutes(1), pull("x")))
                .token().get().allows("x", Action.PULL)).isTrue();
        assertThatThrownBy(() -> rsaVerifier.verify(token(trusted, "issuer-a", "fleet-mirror", NOW, Duration.ofMinutes(1),
                pull("x")))).hasMessageContaining("signature");
    }

    @Test
    void aGroupsClaimAddsToTheConfiguredGroups() throws Exception {
        com.nimbusds.jwt.JWTClaimsSet claims = new com.nimbusds.jwt.JWTClaimsSet.Builder().issuer("issuer-a").subject("alice")
                .audience("fleet-mirror").expirationTime(java.util.Date.from(NOW.plusSeconds(60)))
                .claim("groups", List.of("ops")).claim("access", List.of(Map.of("type", "repository", "name", "x",
                        "actions", List.of("*")))).build();
        com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
                new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.ES256), claims);
        jwt.sign(new com.nimbusds.jose.crypto.ECDSASigner((java.security.interfaces.ECPrivateKey) trusted.getPrivate()));
        Caller caller = verifier.verify(jwt.serialize());
        assertThat(caller.groups()).containsExactlyInAnyOrder("team-a", "ops");
        assertThat(caller.token().get().allows("x", Action.DELETE)).as("'*' grants every action").isTrue();
    }

    @Test
    void keyIdsHaveLibtrustsShape() {
        assertThat(KeyIds.of(trusted.getPublic())).matches("([A-Z2-7]{4}:){11}[A-Z2-7]{4}");
    }
}
