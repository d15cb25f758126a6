package dev.fleetmirror.node.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The checks every admin endpoint shares, done once by the router on a real HTTP server: path,
 * method (405 with {@code Allow}), the cluster secret, the JSON answer (and HEAD without a body), and
 * an endpoint's failure as an OCI error body.
 */
class AdminRouterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final Vertx vertx = Vertx.vertx();
    private HttpServer server;

    /** Echoes what it was sent; fails with CONFLICT when asked to. */
    private static class Echo implements AdminEndpoint {
        final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public AdminRoute route() {
            return AdminRoute.of("/admin/v1/echo", HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT).readingBody();
        }

        @Override
        public Future<AdminAnswer> handle(HttpServerRequest request) {
            calls.incrementAndGet();
            if (request.method() != HttpMethod.PUT) {
                return Future.succeededFuture(AdminAnswer.ok(JSON.createObjectNode().put("method", request.method().name())));
            }
            return request.body().map(body -> {
                if (body.toString().equals("fail")) {
                    throw new RegistryException(ErrorCode.DENIED, "asked to fail");
                }
                return AdminAnswer.of(201, JSON.createObjectNode().put("echo", body.toString()));
            });
        }
    }

    private final Echo echo = new Echo();

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private URI serve(Optional<String> secret) throws Exception {
        AdminRouter router = new AdminRouter(secret).endpoint(echo);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    @Test
    void anEndpointAnswersJsonAndHeadTheSameWithoutABody() throws Exception {
        URI base = serve(Optional.empty());
        HttpResponse<String> get = send(HttpRequest.newBuilder(base.resolve("/admin/v1/echo")).GET());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(get.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(JSON.readTree(get.body()).path("method").asText()).isEqualTo("GET");

        HttpResponse<String> head = send(HttpRequest.newBuilder(base.resolve("/admin/v1/echo"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("Content-Length")).isPresent().get().isNotEqualTo("0");

        HttpResponse<String> put = send(HttpRequest.newBuilder(base.resolve("/admin/v1/echo"))
                .PUT(HttpRequest.BodyPublishers.ofString("hello")));
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(put.body()).path("echo").asText()).isEqualTo("hello");
    }

    @Test
    void aFailureIsAnsweredWithItsOciError() throws Exception {
        URI base = serve(Optional.empty());
        HttpResponse<String> put = send(HttpRequest.newBuilder(base.resolve("/admin/v1/echo"))
                .PUT(HttpRequest.BodyPublishers.ofString("fail")));
        assertThat(put.statusCode()).isEqualTo(403);
        JsonNode error = JSON.readTree(put.body()).path("errors").path(0);
        assertThat(error.path("code").asText()).isEqualTo("DENIED");
        assertThat(error.path("message").asText()).isEqualTo("asked to fail");
    }

    @Test
    void unknownPathsAndMethodsAreRefusedBeforeTheEndpointRuns() throws Exception {
        URI base = serve(Optional.empty());
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(base.resolve("/admin/v1/echo/more")).GET());
        assertThat(unknown.statusCode()).isEqualTo(404);
        JsonNode notFound = JSON.readTree(unknown.body()).path("errors").path(0);
        assertThat(notFound.path("code").asText()).isEqualTo("NAME_UNKNOWN");
        assertThat(notFound.path("message").asText()).contains("/admin/v1/echo");

        HttpResponse<String> delete = send(HttpRequest.newBuilder(base.resolve("/admin/v1/echo")).DELETE());
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("Allow")).hasValue("GET, HEAD, PUT");
        assertThat(JSON.readTree(delete.body()).path("errors").path(0).path("code").asText()).isEqualTo("UNSUPPORTED");
        assertThat(echo.calls).hasValue(0);
    }

    @Test
    void withASecretOnlyItsHoldersReachTheEndpoint() throws Exception {
        URI base = serve(Optional.of("s3cret"));
        for (String presented : new String[] {null, "wrong", "s3cre"}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/admin/v1/echo")).GET();
            if (presented != null) {
                request.header(PeerAccess.SECRET_HEADER, presented);
            }
            HttpResponse<String> refused = send(request);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(refused.body()).path("errors").path(0).path("message").asText())
                    .contains(PeerAccess.SECRET_HEADER);
        }
        assertThat(echo.calls).hasValue(0);
        assertThat(send(HttpRequest.newBuilder(base.resolve("/admin/v1/echo")).header(PeerAccess.SECRET_HEADER, "s3cret")
                .GET()).statusCode()).isEqualTo(200);
        assertThat(echo.calls).hasValue(1);
    }

    @Test
    void onlyPathsUnderTheAdminPrefixAreEndpoints() {
        AdminEndpoint elsewhere = new Echo() {
            @Override
            public AdminRoute route() {
                return AdminRoute.of("/metrics", HttpMethod.GET);
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AdminRouter(Optional.empty()).endpoint(elsewhere))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/admin/");
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
