package dev.fleetmirror.node.auth;

import dev.fleetmirror.core.registry.stored.StoredRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.node.distribution.DistributionApi;
import dev.fleetmirror.node.http.NodeServices;
import dev.fleetmirror.node.http.StorageWorkers;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.RegistryHttpClient.Response;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hook other checks plug into: an {@link AccessDecider} behind the open guard (no
 * {@code auth:} section) sees each request's caller with the Basic credentials it sent, and its
 * refusals become 401 with a Basic challenge (no credentials) or 403 DENIED.
 */
class AccessHookTest {
    @TempDir
    Path storage;
    Vertx vertx;
    HttpServer server;
    RegistryHttpClient http;
    final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        AccessDecider onlyAliceReadsSecrets = (caller, repository, action) -> {
            seen.add(caller.basic().map(c -> c.user() + "/" + c.password()).orElse("-") + " " + action + " " + repository);
            boolean secret = repository.value().startsWith("secret/");
            boolean alice = caller.basic().filter(c -> c.user().equals("alice") && c.password().equals("pw")).isPresent();
            return Future.succeededFuture(!secret || alice ? Decision.ALLOW : Decision.deny("not yours"));
        };
        Registry registry = StoredRegistry.create(new FilesystemDriver(storage), new RegistrySettings(true));
        NodeServices services = new NodeServices(registry, new StorageWorkers(vertx, 4), true, true);
        server = vertx.createHttpServer().requestHandler(DistributionApi.dispatcher(services, false)
                .guard(RequestGuard.open(onlyAliceReadsSecrets))).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        http = new RegistryHttpClient(URI.create("http://127.0.0.1:" + server.actualPort()));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theDeciderSeesTheCallersCredentialsAndItsRefusalsAskForThem() {
        Response anonymous = http.call("GET", "/v2/secret/app/manifests/v1").send();
        assertThat(anonymous.status()).as("%s", anonymous).isEqualTo(401);
        assertThat(anonymous.headerOrEmpty("WWW-Authenticate")).isEqualTo("Basic realm=\"fleet-mirror\"");

        Response bob = http.call("GET", "/v2/secret/app/manifests/v1").header("Authorization",
                new BasicCredentials("bob", "pw").header()).send();
        assertThat(bob.status()).as("%s", bob).isEqualTo(403);
        assertThat(bob.errorCodes()).containsExactly("DENIED");

        Response alice = http.call("HEAD", "/v2/secret/app/manifests/v1").header("Authorization",
                new BasicCredentials("alice", "pw").header()).send();
        assertThat(alice.status()).as("allowed, and not there: %s", alice).isEqualTo(404);
        Response push = http.call("POST", "/v2/open/app/blobs/uploads/").send();
        assertThat(push.status()).as("%s", push).isEqualTo(202);

        assertThat(seen).containsExactly("- PULL secret/app", "bob/pw PULL secret/app", "alice/pw PULL secret/app",
                "- PUSH open/app");
    }

    @Test
    void theCatalogListsOnlyWhatTheDeciderLetsTheCallerPull() {
        for (String repo : List.of("open/a", "secret/b", "secret/c", "zz/d")) {
            Response upload = http.call("POST", "/v2/" + repo + "/blobs/uploads/").header("Authorization",
                    new BasicCredentials("alice", "pw").header()).send();
            assertThat(upload.status()).as("%s", upload).isEqualTo(202);
            Response put = http.call("PUT", upload.location() + (upload.location().contains("?") ? "&" : "?")
                    + "digest=sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                    .header("Authorization", new BasicCredentials("alice", "pw").header()).body(new byte[0]).send();
            assertThat(put.status()).as("%s", put).isEqualTo(201);
        }
        assertThat(http.call("GET", "/v2/_catalog").send().text()).contains("open/a").doesNotContain("secret/b");
        assertThat(http.call("GET", "/v2/_catalog").header("Authorization", new BasicCredentials("alice", "pw").header())
                .send().text()).contains("open/a").contains("secret/b");

        Response first = http.call("GET", "/v2/_catalog?n=1").send();
        assertThat(first.json().get("repositories").toString()).isEqualTo("[\"open/a\"]");
        assertThat(first.headerOrEmpty("Link")).contains("last=open%2Fa");
        Response second = http.call("GET", "/v2/_catalog?n=1&last=open%2Fa").send();
        assertThat(second.json().get("repositories").toString()).as("two refused names skipped").isEqualTo("[\"zz/d\"]");
        assertThat(second.headerOrEmpty("Link")).isEmpty();
    }
}
