package dev.fleetmirror.node.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.registry.ErrorCode;
import dev.fleetmirror.core.registry.RegistryException;
import dev.fleetmirror.node.http.ApiHeaders;
import dev.fleetmirror.node.http.ErrorResponses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /token?service=&scope=repository:<name>:<actions>&account=}: the built-in token
 * service of the Docker token spec. The caller authenticates with Basic against the htpasswd
 * users (no credentials: an anonymous token); each requested scope is granted the actions the
 * access rules allow this caller, which may be none. Wrong credentials get 401.
 */
public final class TokenEndpoint implements Handler<HttpServerRequest> {
    public static final String PATH = "/token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ClientAuth auth;
    private final AccessRules rules;
    private final TokenIssuer issuer;
    private final String service;
    private final Clock clock;

    public TokenEndpoint(ClientAuth auth, AccessRules rules, TokenIssuer issuer, String service, Clock clock) {
        this.auth = auth;
        this.rules = rules;
        this.issuer = issuer;
        this.service = service;
        this.clock = clock;
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET) {
            request.response().putHeader("Allow", "GET");
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNSUPPORTED, "the token service answers GET"));
            return;
        }
        String requested = request.getParam("service");
        if (requested != null && !requested.equals(service)) {
            ErrorResponses.send(request, new RegistryException(ErrorCode.DENIED, "this token service issues tokens for '"
                    + service + "', not '" + requested + "'"));
            return;
        }
        if (request.getHeader("Authorization") != null && BasicCredentials.fromHeader(request.getHeader("Authorization")).isEmpty()) {
            request.response().putHeader("WWW-Authenticate", auth.challenge(request, null, null));
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNAUTHORIZED, "the token service takes Basic credentials"));
            return;
        }
        auth.authenticate(request).compose(caller -> {
            Instant now = clock.instant();
            List<TokenAccess.Grant> grants = new ArrayList<>();
            for (String scopes : request.params().getAll("scope")) {
                for (String scope : scopes.trim().split("\\s+")) {
                    grant(caller, scope).ifPresent(grants::add);
                }
            }
            String token = issuer.issue(caller.user(), grants, now);
            ObjectNode body = JSON.createObjectNode()
                    .put("token", token)
                    .put("access_token", token)
                    .put("expires_in", issuer.expiration().toSeconds())
                    .put("issued_at", now.toString());
            byte[] bytes;
            try {
                bytes = JSON.writeValueAsBytes(body);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return Future.failedFuture(e);
            }
            return request.response().setStatusCode(200)
                    .putHeader("Content-Type", ApiHeaders.JSON)
                    .putHeader("Cache-Control", "no-store")
                    .end(Buffer.buffer(bytes));
        }).onFailure(failure -> ErrorResponses.send(request, failure));
    }

    /** {@code repository:<name>:<actions>} narrowed to what the rules allow; other types get nothing. */
    private Optional<TokenAccess.Grant> grant(Caller caller, String scope) {
        int first = scope.indexOf(':');
        int last = scope.lastIndexOf(':');
        if (first < 0 || last <= first || !scope.substring(0, first).equals("repository")) {
            return Optional.empty();
        }
        String name = scope.substring(first + 1, last);
        Set<Action> allowed = rules.allowed(caller, name);
        Set<Action> granted = EnumSet.noneOf(Action.class);
        for (String word : scope.substring(last + 1).split(",")) {
            if (word.equals("*")) {
                granted.addAll(allowed);
            }
            Action.parse(word).filter(allowed::contains).ifPresent(granted::add);
        }
        return Optional.of(new TokenAccess.Grant("repository", name, granted));
    }
}
