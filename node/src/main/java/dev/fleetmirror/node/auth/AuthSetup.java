package dev.fleetmirror.node.auth;

import dev.fleetmirror.node.api.NamespaceResolver;
import dev.fleetmirror.node.config.AuthConfig;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client authentication as the {@code auth:} section configures it, built once at start (reads
 * files: call it off the event loop): the dispatcher's guard, the admin endpoints' wrapper, and
 * the token service's endpoint when this node issues tokens. Without {@code auth:} the guard is
 * open and admin endpoints keep only their own checks.
 */
public final class AuthSetup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuthSetup.class);
    private final RequestGuard guard;
    private final BiFunction<Handler<HttpServerRequest>, BiConsumer<HttpServerResponse, String>, Handler<HttpServerRequest>> admin;
    private final Optional<TokenEndpoint> tokenEndpoint;
    private final Optional<PasswordChecks> passwords;

    private AuthSetup(RequestGuard guard,
                      BiFunction<Handler<HttpServerRequest>, BiConsumer<HttpServerResponse, String>, Handler<HttpServerRequest>> admin,
                      Optional<TokenEndpoint> tokenEndpoint, Optional<PasswordChecks> passwords) {
        this.guard = guard;
        this.admin = admin;
        this.tokenEndpoint = tokenEndpoint;
        this.passwords = passwords;
    }

    /**
     * @param extra      a further check after the access rules (see {@link AccessDecider#and}); ALLOW_ALL for none
     * @param namespaces what a repository name resolves to, for the token service's scopes as for requests
     */
    public static AuthSetup create(Vertx vertx, AuthConfig config, AccessDecider extra, NamespaceResolver namespaces)
            throws IOException, GeneralSecurityException {
        if (!config.enabled()) {
            return new AuthSetup(RequestGuard.open(extra), (endpoint, admitted) -> endpoint, Optional.empty(), Optional.empty());
        }
        AccessRules rules = AccessRules.of(config);
        Optional<PasswordChecks> passwords = config.htpasswd()
                .map(h -> new PasswordChecks(vertx, new HtpasswdFile(h.path())));
        Optional<TokenIssuer> issuer = Optional.empty();
        Optional<TokenVerifier> verifier = Optional.empty();
        if (config.token().isPresent()) {
            AuthConfig.Token token = config.token().get();
            Map<String, PublicKey> keys = new LinkedHashMap<>();
            if (token.rootCertBundle().isPresent()) {
                keys.putAll(TokenVerifier.certificateKeys(token.rootCertBundle().get()));
            }
            if (token.jwks().isPresent()) {
                keys.putAll(TokenVerifier.jwksKeys(token.jwks().get()));
            }
            if (config.tokenService().isPresent()) {
                AuthConfig.TokenService service = config.tokenService().get();
                PrivateKey privateKey;
                Optional<PublicKey> publicKey;
                if (service.signingKey().isPresent()) {
                    privateKey = PemFiles.privateKey(service.signingKey().get());
                    publicKey = PemFiles.publicOf(privateKey);
                    if (publicKey.isEmpty() && keys.isEmpty()) {
                        throw new GeneralSecurityException("auth.tokenservice.signingkey is an EC key: give its certificate"
                                + " in auth.token.rootcertbundle so tokens can be verified");
                    }
                    LOG.info("the token service signs with the key of {}", service.signingKey().get());
                } else {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                    generator.initialize(new ECGenParameterSpec("secp256r1"));
                    KeyPair pair = generator.generateKeyPair();
                    privateKey = pair.getPrivate();
                    publicKey = Optional.of(pair.getPublic());
                    LOG.warn("auth.tokenservice.signingkey is not set: generated a signing key at start; tokens issued"
                            + " here verify only on this node and only until it restarts");
                }
                publicKey.ifPresent(key -> keys.put(KeyIds.of(key), key));
                issuer = Optional.of(new TokenIssuer(privateKey, publicKey.or(() -> keys.values().stream().findFirst()),
                        token.issuer(), token.service(), service.expiration()));
            }
            verifier = Optional.of(new TokenVerifier(keys, token.issuer(), token.service(), Clock.systemUTC(), rules::groupsOf));
        }
        ClientAuth auth = new ClientAuth(config, passwords, verifier, rules, rules.and(extra));
        Optional<TokenEndpoint> endpoint = issuer.map(i -> new TokenEndpoint(auth, rules, i, config.token().get().service(),
                Clock.systemUTC(), extra, namespaces));
        LOG.info("client authentication: {}{}; {} access rule{}", config.token().isPresent() ? "bearer tokens" : "basic",
                endpoint.isPresent() ? ", token service at " + TokenEndpoint.PATH : "", config.rules().size(),
                config.rules().size() == 1 ? "" : "s");
        return new AuthSetup(auth, auth::adminOnly, endpoint, passwords);
    }

    public RequestGuard guard() {
        return guard;
    }

    /**
     * {@code endpoint}, reachable only by admins when authentication is on; {@code admitted} hears
     * whom each request was admitted as (for the access log).
     */
    public Handler<HttpServerRequest> adminOnly(Handler<HttpServerRequest> endpoint,
                                                BiConsumer<HttpServerResponse, String> admitted) {
        return admin.apply(endpoint, admitted);
    }

    public Optional<TokenEndpoint> tokenEndpoint() {
        return tokenEndpoint;
    }

    @Override
    public void close() {
        passwords.ifPresent(PasswordChecks::close);
    }
}
