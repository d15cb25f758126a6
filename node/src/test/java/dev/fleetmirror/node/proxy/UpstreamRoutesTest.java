package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetmirror.coordination.StandaloneCoordination;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.upstream.UpstreamCaller;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which repositories are mirrored from where; nothing is contacted. */
class UpstreamRoutesTest {
    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    private final StandaloneCoordination coordination = new StandaloneCoordination();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        coordination.close();
    }

    private UpstreamRoutes routes(UpstreamConfig... upstreams) {
        return routes(List.of(), upstreams);
    }

    private UpstreamRoutes routes(List<String> hosted, UpstreamConfig... upstreams) {
        return new UpstreamRoutes(Arrays.stream(upstreams).map(u -> new UpstreamCaller(vertx, context, u,
                coordination.upstreamTokens(), coordination.limits())).toList(), hosted);
    }

    private static UpstreamConfig upstream(String name, String url, String prefix) {
        return new UpstreamConfig(name, URI.create(url), Optional.empty(), Optional.empty(), prefix, true);
    }

    private static String remote(UpstreamRoutes routes, String repo) {
        return routes.route(RepositoryName.of(repo)).map(r -> r.upstream().name() + ":" + r.remoteName()).orElse("hosted");
    }

    @Test
    void catchAllDockerHubPutsSingleSegmentNamesUnderLibrary() {
        UpstreamRoutes routes = routes(upstream("hub", "https://registry-1.docker.io", ""));

        assertThat(remote(routes, "redis")).isEqualTo("hub:library/redis");
        assertThat(remote(routes, "bitnami/redis")).isEqualTo("hub:bitnami/redis");
    }

    @Test
    void longestPrefixWinsAndOtherNamesAreHosted() {
        UpstreamRoutes routes = routes(upstream("ghcr", "https://ghcr.io", "ghcr/"),
                upstream("lab", "https://lab.example", "ghcr/lab/"), upstream("hub", "https://docker.io", "hub/"));

        assertThat(remote(routes, "ghcr/owner/image")).isEqualTo("ghcr:owner/image");
        assertThat(remote(routes, "ghcr/lab/tool")).isEqualTo("lab:tool");
        assertThat(remote(routes, "hub/nginx")).isEqualTo("hub:library/nginx");
        assertThat(remote(routes, "ghcr")).isEqualTo("hosted");
        assertThat(remote(routes, "team/app")).isEqualTo("hosted");
        assertThat(remote(routes, "ghcrx/app")).isEqualTo("hosted");
    }

    @Test
    void containerdNamespaceMapsOntoTheUpstreamsPrefix() {
        UpstreamRoutes routes = routes(upstream("hub", "https://registry-1.docker.io", "hub/"),
                upstream("lab", "https://lab.example:8443", "lab/"));

        assertThat(routes.resolve(RepositoryName.of("library/redis"), Optional.of("docker.io")))
                .isEqualTo(RepositoryName.of("hub/library/redis"));
        assertThat(routes.resolve(RepositoryName.of("tool"), Optional.of("lab.example:8443")))
                .isEqualTo(RepositoryName.of("lab/tool"));
        assertThat(routes.resolve(RepositoryName.of("tool"), Optional.of("quay.io"))).isEqualTo(RepositoryName.of("tool"));
        assertThat(routes.resolve(RepositoryName.of("tool"), Optional.empty())).isEqualTo(RepositoryName.of("tool"));
    }

    @Test
    void writesToAMirroredRepositoryAreRefusedNamingTheUpstream() {
        UpstreamRoutes routes = routes(upstream("ghcr", "https://ghcr.io", "ghcr/"));

        routes.requireHosted(RepositoryName.of("mine/app"), "pushing");
        assertThatThrownBy(() -> routes.requireHosted(RepositoryName.of("ghcr/owner/app"), "pushing"))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED);
                    assertThat(e.httpStatus()).isEqualTo(405);
                    assertThat(e.getMessage()).contains("mirrors owner/app of upstream ghcr (https://ghcr.io)");
                });
    }

    @Test
    void bareNamesNoPrefixOrHostedNamespaceClaimsGoToTheDefaultUpstreamUnderItsPrefix() {
        UpstreamRoutes routes = routes(List.of("team/"),
                upstream("docker.io", "https://registry-1.docker.io", "docker.io/").withDefault(true),
                upstream("ghcr", "https://ghcr.io", "ghcr/"));

        assertThat(routes.resolve(RepositoryName.of("library/redis"), Optional.empty()))
                .as("dockerd's registry-mirrors sends bare Docker Hub names")
                .isEqualTo(RepositoryName.of("docker.io/library/redis"));
        assertThat(remote(routes, "docker.io/library/redis")).isEqualTo("docker.io:library/redis");
        assertThat(routes.resolve(RepositoryName.of("redis"), Optional.empty())).isEqualTo(RepositoryName.of("docker.io/redis"));
        assertThat(remote(routes, "docker.io/redis")).isEqualTo("docker.io:library/redis");
        assertThat(routes.resolve(RepositoryName.of("team/app"), Optional.empty())).as("hosted")
                .isEqualTo(RepositoryName.of("team/app"));
        assertThat(remote(routes, "team/app")).isEqualTo("hosted");
        assertThat(routes.resolve(RepositoryName.of("ghcr/owner/app"), Optional.empty())).as("claimed by a prefix")
                .isEqualTo(RepositoryName.of("ghcr/owner/app"));
        assertThat(routes.resolve(RepositoryName.of("docker.io/library/redis"), Optional.empty())).as("already prefixed")
                .isEqualTo(RepositoryName.of("docker.io/library/redis"));
        assertThat(routes.resolve(RepositoryName.of("library/redis"), Optional.of("docker.io")))
                .isEqualTo(RepositoryName.of("docker.io/library/redis"));
    }

    @Test
    void withoutADefaultUpstreamBareNamesStayHosted() {
        UpstreamRoutes routes = routes(upstream("docker.io", "https://registry-1.docker.io", "docker.io/"));

        assertThat(routes.resolve(RepositoryName.of("library/redis"), Optional.empty()))
                .isEqualTo(RepositoryName.of("library/redis"));
        assertThat(remote(routes, "library/redis")).isEqualTo("hosted");
    }

    @Test
    void containerdNamespaceMatchesAnyOfAnUpstreamsUrls() {
        UpstreamRoutes routes = routes(upstream("lab", "https://accelerator.example", "lab/")
                .withUrls(List.of(URI.create("https://accelerator.example"), URI.create("https://lab.example:8443"))));

        assertThat(routes.resolve(RepositoryName.of("tool"), Optional.of("lab.example:8443")))
                .isEqualTo(RepositoryName.of("lab/tool"));
        assertThat(routes.resolve(RepositoryName.of("tool"), Optional.of("accelerator.example")))
                .isEqualTo(RepositoryName.of("lab/tool"));
    }
}
