package dev.fleetmirror.node.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.coordination.StandaloneCoordination;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.testing.DistributionProcess;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node serves connections on several event loops ({@code http.eventloops}) while each upstream
 * works on one context of its own: a request on another loop must hear the upstream's answer on its
 * own loop, where its connection and its state live. Against a real upstream (Debian's docker-registry).
 */
class UpstreamCallerLoopsTest {
    @TempDir
    Path work;
    private DistributionProcess upstream;
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));
    private final StandaloneCoordination coordination = new StandaloneCoordination();

    @BeforeEach
    void start() {
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        upstream = DistributionProcess.start(work.resolve("upstream"), work.resolve("upstream-storage"));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            coordination.close();
        } finally {
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    @Test
    void aCallerOnAnotherEventLoopHearsTheAnswerOnItsOwnLoop() throws Exception {
        Context upstreamContext = vertx.getOrCreateContext();
        UpstreamCaller caller = new UpstreamCaller(vertx, upstreamContext, new UpstreamConfig("up", upstream.baseUri(),
                Optional.empty(), Optional.empty(), "mirror/", true), coordination.upstreamTokens(), coordination.limits());
        CompletableFuture<String> upstreamLoop = new CompletableFuture<>();
        upstreamContext.runOnContext(v -> upstreamLoop.complete(Thread.currentThread().getName()));

        CompletableFuture<String> callerLoop = new CompletableFuture<>();
        CompletableFuture<String> heardOn = new CompletableFuture<>();
        CompletableFuture<Integer> status = new CompletableFuture<>();
        // A deployment's context is a new one, on the next event loop: a request's, as the node's servers have.
        vertx.deployVerticle(context -> {
            callerLoop.complete(Thread.currentThread().getName());
            caller.statusAs(new TagListing("team/app", 1, Optional.empty()), "Basic dTpw").onComplete(done -> {
                heardOn.complete(Thread.currentThread().getName());
                status.complete(done.succeeded() ? done.result() : -1);
            });
            return Future.succeededFuture();
        }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(status.get(20, TimeUnit.SECONDS)).as("docker-registry answers a listing of a repository it lacks")
                .isEqualTo(404);
        assertThat(callerLoop.get()).isNotEqualTo(upstreamLoop.get(10, TimeUnit.SECONDS));
        assertThat(heardOn.get()).isEqualTo(callerLoop.get());
    }
}
