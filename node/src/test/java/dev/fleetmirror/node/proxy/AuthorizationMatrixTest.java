package dev.fleetmirror.node.proxy;

import dev.fleetmirror.node.upstream.Route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.distribution.DistributionApi;
import dev.fleetmirror.node.api.ApiPath;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.TestUsers;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.net.URLEncoder;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may read what, cell by cell: every route of the distribution API (taken from the dispatcher's
 * own table, so a new endpoint fails here until it has cells), every kind of caller (anonymous,
 * Basic, bearer tokens of the built-in service, anonymous tokens, a user allowed elsewhere), every
 * kind of repository (hosted, open mirror, private mirror, private mirror with passThroughAuth),
 * with the private content at rest and while its fill is in flight (a slow upstream), plus the
 * {@code ?ns=} forms, cross-repository mounts with and without {@code from}, catalog paging, and the
 * referrers of the signed private image (listed, and filtered by artifactType, to entitled callers only).
 * Each cell asserts its status; no refused cell may answer a byte of private content. Both
 * deployment shapes run it: one node, and two cluster members where one fills while the other
 * answers the cells (its requests join the fill through the lease and the peer endpoint).
 *
 * <p>Both routings run it too: by prefixes only, and with the private upstream as the {@code default: true}
 * one beside hosted namespaces ({@code proxy.hosted}), where the bare {@code team/secret} is
 * {@code corp/team/secret}: every cell is asked through both spellings, tokens are asked for with the bare
 * one, and the {@code ?ns=} forms, mounts and token scopes are expected as the node's own tables
 * ({@link AccessTable}: its routing, its access rules, its upstreams' privacy) resolve them.
 *
 * <p>Set-up: a docker-registry behind a {@link TokenGate} (credentials carol/carol-pw) holds the
 * private image, mirrored under {@code corp/} (private) and {@code corpx/} (passThroughAuth, so the
 * caller's own credentials must open the gate: carol's do, alice's do not); a second docker-registry
 * is open, under {@code pub/}; {@code alice/**} and {@code bob/**} are hosted. Rules: alice and
 * carol read corp/ and corpx/; bob owns bob/**, alice owns alice/**; everyone else, anonymous
 * included, may pull everything else ({@code **}) — which must still not open the private upstream.
 */
class AuthorizationMatrixTest {
    private static final String CAROL_PW = "carol-pw";
    private static final List<String> USERS = List.of("alice", "bob", "carol");

    @TempDir
    static Path work;

    private static DistributionProcess privateRegistry;
    private static DistributionProcess openRegistry;
    static TokenGate gate;
    private static final List<FleetMirrorNode> nodes = new ArrayList<>();
    /** The member the cells ask. */
    static RegistryHttpClient client;
    /** The member that fills the private blob (the same node in the single-node shape). */
    private static RegistryHttpClient filler;
    /** The private image: a config, a small layer and a 6 MB layer that the slow gate trickles. */
    static TestImage secret;
    /** An image both upstreams hold: a fill of it for corp/ may be joined through pub/ after pub's upstream confirms. */
    private static TestImage shared;
    private static TestImage hosted;
    private static TestImage open;
    private static final String SIGNATURE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    /** The private image's signature, which only callers entitled to the image may see listed. */
    private static Digest secretSignature;
    private static final Map<String, String> AUTH = new LinkedHashMap<>();
    private static final List<String> cells = java.util.Collections.synchronizedList(new ArrayList<>());
    /** The routing and access tables of the nodes running now, from which cells take their expectations. */
    static AccessTable table;
    private static Routing routing;
    /** The repositories every caller's cells are asked on, in the running routing. */
    private static List<Repo> repos;
    /** The repositories the callers' tokens were asked for, as the tables resolve the scopes' names. */
    private static Set<String> tokenRepositories;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        privateRegistry = MirrorFixture.upstream(work, "private", "");
        openRegistry = MirrorFixture.upstream(work, "open", "");
        secret = TestImage.random(9001, 4_000, 6_000_000);
        shared = TestImage.random(9002, 3_000_000);
        hosted = TestImage.random(9003, 5_000);
        open = TestImage.random(9004, 2_000);
        secret.push(privateRegistry.baseUri(), "team/secret", "v1");
        // The private image is signed: its signature is private content too, listed by the referrers tag.
        Referrer signature = Referrer.of(secret, SIGNATURE_TYPE, "signature of the secret image");
        signature.push(privateRegistry.baseUri(), "team/secret");
        secretSignature = signature.digest();
        byte[] referrersIndex = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + signature.descriptorJson() + "]}").getBytes(StandardCharsets.UTF_8);
        assertThat(new RegistryHttpClient(privateRegistry.baseUri())
                .call("PUT", "/v2/team/secret/manifests/sha256-" + secret.digest().hex())
                .header("Content-Type", MediaTypes.OCI_INDEX).body(referrersIndex).send().status()).isEqualTo(201);
        shared.push(privateRegistry.baseUri(), "team/shared", "v1");
        shared.push(openRegistry.baseUri(), "base2", "v1");
        open.push(openRegistry.baseUri(), "base", "v1");
        gate = TokenGate.start(privateRegistry.baseUri(), "carol", CAROL_PW, "127.0.0.1");
        Map<String, String> passwords = new LinkedHashMap<>();
        USERS.forEach(user -> passwords.put(user, password(user)));
        TestUsers.htpasswd(work.resolve("htpasswd"), passwords);
    }

    /** Where the mirror runs: one node, or two cluster members sharing storage (fills on one, cells on the other). */
    enum Shape { SINGLE_NODE, TWO_MEMBER_CLUSTER }

    /**
     * How names reach the upstreams: by prefix only (a bare name is hosted), or with the private upstream
     * {@code corp} as the {@code default: true} one, beside the hosted namespaces alice/, bob/ and carol/.
     */
    enum Routing { PREFIXES, PRIVATE_DEFAULT }

    /**
     * This class runs the prefix routing; {@link AuthorizationMatrixDefaultUpstreamTest} runs the
     * same cells with the private default upstream, so that two test JVMs take one each.
     */
    static List<org.junit.jupiter.params.provider.Arguments> deployments() {
        return deployments(Routing.PREFIXES);
    }

    static List<org.junit.jupiter.params.provider.Arguments> deployments(Routing routing) {
        List<org.junit.jupiter.params.provider.Arguments> all = new ArrayList<>();
        for (Shape shape : Shape.values()) {
            all.add(org.junit.jupiter.params.provider.Arguments.of(shape, routing));
        }
        return all;
    }

    private static void startNodes(Shape shape, Routing routing) throws Exception {
        AuthorizationMatrixTest.routing = routing;
        Path storage = work.resolve("storage-" + shape + "-" + routing);
        java.util.function.IntFunction<NodeConfig> config = i -> nodeConfig(storage,
                work.resolve("spool-" + shape + "-" + routing + i), routing);
        if (shape == Shape.SINGLE_NODE) {
            nodes.add(FleetMirrorNode.start(config.apply(0)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
        } else {
            LoopbackNodes.start(2, "matrix-secret-0123456789", java.time.Duration.ofSeconds(2), config, nodes);
        }
        filler = new RegistryHttpClient(MirrorFixture.uri(nodes.get(0)));
        client = new RegistryHttpClient(MirrorFixture.uri(nodes.get(nodes.size() - 1)));
        table = new AccessTable(nodes.get(0).vertx(), config.apply(0), "carol"::equals);
        repos = (routing == Routing.PREFIXES ? List.of("alice/private", "pub/base", "corp/team/secret", "corpx/team/secret")
                : List.of("alice/private", "corp/team/secret", "team/secret"))
                .stream().map(AuthorizationMatrixTest::repo).toList();
        tokenRepositories = tokenScopes().stream().map(table::resolve).collect(java.util.stream.Collectors.toSet());
        if (routing == Routing.PRIVATE_DEFAULT) {
            // The tables are the code's; that they describe the shape this test means is checked here, once.
            assertThat(table.resolve("team/secret")).isEqualTo("corp/team/secret");
            assertThat(table.resolve("alice/private")).isEqualTo("alice/private");
            assertThat(table.kind("corp/team/secret")).isEqualTo(AccessTable.Kind.PRIVATE_MIRROR);
            assertThat(table.kind("alice/private")).isEqualTo(AccessTable.Kind.HOSTED);
        }
        hosted.push(MirrorFixture.uri(nodes.get(0)), "alice/private", "v1", "Authorization", basic("alice"));
        AUTH.clear();
        AUTH.put("anonymous", null);
        for (String user : USERS) {
            AUTH.put(user + "/basic", basic(user));
        }
        for (String user : List.of("alice", "bob", "carol")) {
            AUTH.put(user + "/token", "Bearer " + token(basic(user)));
        }
        AUTH.put("anonymous/token", "Bearer " + token(null));
    }

    private static NodeConfig nodeConfig(Path storage, Path spool, Routing routing) {
        boolean privateDefault = routing == Routing.PRIVATE_DEFAULT;
        return ConfigLoader.fromYaml(TestUsers.loopbackNodeYaml(storage) + """
                proxy:
                  spooldirectory: %s
                %s
                upstreams:
                  - name: corp
                    url: %s
                    prefix: corp/
                    username: carol
                    password: %s
                    default: %s
                  - name: corpx
                    url: %s
                    prefix: corpx/
                    username: carol
                    password: %s
                    passThroughAuth: true
                  - name: pub
                    url: %s
                    prefix: pub/
                auth:
                  htpasswd:
                    path: %s
                  token:
                    service: fleet-mirror
                    issuer: fleet-mirror
                  tokenservice:
                    expiration: 5m
                access:
                  - {repository: "corp/**", users: [alice, carol], actions: [pull]}
                  - {repository: "corpx/**", users: [alice, carol], actions: [pull]}
                  - {repository: "corp/**", users: ["*"], anonymous: true, actions: []}
                  - {repository: "corpx/**", users: ["*"], anonymous: true, actions: []}
                  - {repository: "bob/**", users: [bob], actions: [pull, push, delete]}
                  - {repository: "alice/**", users: [alice], actions: [pull, push, delete]}
                  - {repository: "alice/**", users: ["*"], anonymous: true, actions: []}
                  - {repository: "**", users: ["*"], anonymous: true, actions: [pull]}
                """.formatted(spool, privateDefault ? "  hosted: [alice/, bob/, carol/]" : "", gate.baseUri(), CAROL_PW,
                privateDefault, gate.baseUri(), CAROL_PW, openRegistry.baseUri(), work.resolve("htpasswd")), Map.of());
    }

    private static void stopNodes() throws Exception {
        if (table != null) {
            table.close();
            table = null;
        }
        for (FleetMirrorNode node : nodes) {
            MirrorFixture.stop(node);
        }
        nodes.clear();
    }

    @AfterAll
    static void stop() throws Exception {
        stopNodes();
        if (gate != null) {
            gate.close();
        }
        if (openRegistry != null) {
            openRegistry.close();
        }
        if (privateRegistry != null) {
            privateRegistry.close();
        }
    }

    /**
     * A token for every repository of the test, with whatever the service grants the caller. With the
     * private default upstream its repository is asked for by the bare name only, as dockerd asks for
     * {@code library/redis}: every token cell on {@code corp/team/secret} then uses a scope spelled the other way.
     */
    private static List<String> tokenScopes() {
        return List.of("corp/team/secret", "corpx/team/secret", "team/secret", "pub/base", "pub/team/secret",
                "alice/private", "bob/loot", "alice/loot", "carol/loot").stream()
                .filter(repo -> routing == Routing.PREFIXES || !repo.equals("corp/team/secret")).toList();
    }

    private static String token(String basicAuth) {
        RegistryHttpClient.Call call = client.call("GET", "/token").query("service", "fleet-mirror");
        for (String repo : tokenScopes()) {
            call.query("scope", "repository:" + repo + ":pull,push,delete");
        }
        if (basicAuth != null) {
            call.header("Authorization", basicAuth);
        }
        RegistryHttpClient.Response answer = call.send();
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return answer.json().path("token").asText();
    }

    // ---- who may pull which repository (the expectation every cell derives from) ----

    /**
     * A repository the cells ask, as written in the request, with what the node's tables make of it:
     * the repository it resolves to and its kind there.
     */
    private record Repo(AccessTable.Kind kind, String name, String resolved) {
        /** Whether it holds the private image (a mirror of the private upstream) rather than naming its digests. */
        boolean holdsSecret() {
            return AccessTable.holdingPrivateContent().contains(kind);
        }
    }

    private static Repo repo(String written) {
        String resolved = table.resolve(written);
        return new Repo(table.kind(resolved), written, resolved);
    }

    /** The user a caller is ({@code alice/token}: alice), null for anonymous ones. */
    private static String user(String caller) {
        String user = caller.substring(0, caller.indexOf('/') < 0 ? caller.length() : caller.indexOf('/'));
        return user.equals("anonymous") ? null : user;
    }

    /**
     * Whether {@code caller} may pull {@code repo}, by the tables. A token was asked for every repository of
     * the test, so it grants what the caller's credentials do; for a pass-through upstream, pull is granted only
     * when the upstream admitted them at issue time.
     */
    private static boolean mayPull(String caller, Repo repo) {
        return mayPull(caller, repo.resolved());
    }

    /** As above for a resolved repository, which a token caller reads only if its token was asked for it. */
    static boolean mayPull(String caller, String resolved) {
        return table.mayPull(user(caller), resolved) && (!caller.endsWith("/token") || tokenRepositories.contains(resolved));
    }

    /** The status a refused read gets: 401 asks for (other) credentials, 403 denies an authenticated user. */
    private static Set<Integer> refusals(String caller) {
        return caller.endsWith("/basic") ? Set.of(403) : Set.of(401);
    }

    // ---- the matrix ----

    @Test
    void everyRouteOfTheApiHasCells() {
        Map<ApiPath.Resource, Set<HttpMethod>> table = DistributionApi.dispatcher(null, false).routeTable();
        Map<ApiPath.Resource, Set<HttpMethod>> covered = new EnumMap<>(ApiPath.Resource.class);
        COVERED.forEach(route -> covered.computeIfAbsent(route.resource(), r -> new java.util.HashSet<>()).add(route.method()));
        assertThat(covered).as("routes with authorization cells; add cells for a new route").isEqualTo(table);
    }

    private record Route(ApiPath.Resource resource, HttpMethod method) {
    }

    private static final List<Route> COVERED = List.of(
            new Route(ApiPath.Resource.BASE, HttpMethod.GET), new Route(ApiPath.Resource.BASE, HttpMethod.HEAD),
            new Route(ApiPath.Resource.CATALOG, HttpMethod.GET), new Route(ApiPath.Resource.TAGS, HttpMethod.GET),
            new Route(ApiPath.Resource.MANIFEST, HttpMethod.GET), new Route(ApiPath.Resource.MANIFEST, HttpMethod.HEAD),
            new Route(ApiPath.Resource.MANIFEST, HttpMethod.PUT), new Route(ApiPath.Resource.MANIFEST, HttpMethod.DELETE),
            new Route(ApiPath.Resource.BLOB, HttpMethod.GET), new Route(ApiPath.Resource.BLOB, HttpMethod.HEAD),
            new Route(ApiPath.Resource.BLOB, HttpMethod.DELETE), new Route(ApiPath.Resource.UPLOADS, HttpMethod.POST),
            new Route(ApiPath.Resource.UPLOAD, HttpMethod.GET), new Route(ApiPath.Resource.UPLOAD, HttpMethod.PATCH),
            new Route(ApiPath.Resource.UPLOAD, HttpMethod.PUT), new Route(ApiPath.Resource.UPLOAD, HttpMethod.DELETE),
            new Route(ApiPath.Resource.REFERRERS, HttpMethod.GET));

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("deployments")
    void privateContentReachesOnlyEntitledCallersAtRestAndWhileItsFillIsInFlight(Shape shape, Routing routing)
            throws Exception {
        cells.clear();
        startNodes(shape, routing);
        try {
            runMatrix(shape + ", " + routing);
        } finally {
            stopNodes();
        }
    }

    private static void runMatrix(String deployment) throws Exception {
        // The private upstream's repositories as its fills are asked for: by the bare name where it is the default.
        String corp = routing == Routing.PRIVATE_DEFAULT ? "" : "corp/";
        // In flight: carol's pull of the 6 MB private layer trickles from the gate while every cell runs.
        Digest big = secret.blobDigests().get(2);
        gate.slowBlobs(200);
        int fetchedBefore = MirrorFixture.requests(privateRegistry, "GET", "/v2/team/secret/blobs/" + big);
        CompletableFuture<RegistryHttpClient.Response> filling = CompletableFuture.supplyAsync(() ->
                filler.call("GET", "/v2/" + corp + "team/secret/blobs/" + big).header("Authorization", basic("carol")).send());
        CompletableFuture<RegistryHttpClient.Response> sharedFilling = CompletableFuture.supplyAsync(() ->
                filler.call("GET", "/v2/" + corp + "team/shared/blobs/" + shared.blobDigests().get(1))
                        .header("Authorization", basic("carol")).send());
        awaitFills(filler, 2);
        // A fill for corp/ is joined through pub/ once pub's own upstream has the blob: the shared layer.
        Digest sharedLayer = shared.blobDigests().get(1);
        CompletableFuture<RegistryHttpClient.Response> joining = CompletableFuture.supplyAsync(() ->
                client.call("GET", "/v2/pub/base2/blobs/" + sharedLayer).send());
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long began = System.nanoTime();
        runCells("in flight", failures, Set.of(big));
        System.out.printf("authorization matrix: in-flight cells took %d ms%n", (System.nanoTime() - began) / 1_000_000);
        assertThat(fillsInFlight(filler)).as("the private fills were still in flight after every in-flight cell ran")
                .isEqualTo(2);
        gate.slowBlobs(0);
        RegistryHttpClient.Response joined = joining.get(120, TimeUnit.SECONDS);
        check(failures, "in flight: anonymous joins the corp/ fill of a layer pub/ has too", joined.status() == 200
                && Arrays.equals(joined.body(), shared.blob(sharedLayer)), joined);
        check(failures, "in flight: the join fetched nothing from pub's upstream",
                MirrorFixture.requests(openRegistry, "GET", "/v2/base2/blobs/" + sharedLayer) == 0, joined);
        RegistryHttpClient.Response filled = filling.get(120, TimeUnit.SECONDS);
        assertThat(filled.status()).isEqualTo(200);
        assertThat(Digest.sha256(filled.body())).isEqualTo(big);
        // The upstream logs its GET once it has written the last byte, which may be after the node
        // received it: counted once the fill is over and the line is there.
        org.awaitility.Awaitility.await("the upstream's log line of the private layer").atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(50)).until(() ->
                        MirrorFixture.requests(privateRegistry, "GET", "/v2/team/secret/blobs/" + big) > fetchedBefore);
        check(failures, "in flight: the private layer crossed the upstream link once",
                MirrorFixture.requests(privateRegistry, "GET", "/v2/team/secret/blobs/" + big) - fetchedBefore == 1, filled);
        assertThat(sharedFilling.get(120, TimeUnit.SECONDS).status()).isEqualTo(200);
        for (FleetMirrorNode node : nodes) {
            awaitFills(new RegistryHttpClient(MirrorFixture.uri(node)), 0);
        }
        // At rest: everything of the private image is cached now (carol pulls the rest).
        for (Digest digest : secret.blobDigests()) {
            assertThat(client.call("GET", "/v2/" + corp + "team/secret/blobs/" + digest).header("Authorization", basic("carol"))
                    .send().status()).isEqualTo(200);
        }
        awaitFills(client, 0);
        began = System.nanoTime();
        runCells("at rest", failures, Set.of());
        System.out.printf("authorization matrix: at-rest cells took %d ms%n", (System.nanoTime() - began) / 1_000_000);
        System.out.println("authorization matrix, " + deployment + ": " + cells.size() + " cells " + breakdown());
        assertThat(failures).as(failures.size() + " of " + cells.size() + " cells failed").isEmpty();
    }

    /** How many cells each repository spelling, the {@code ?ns=} forms and the token scopes had (for the log). */
    private static Map<String, Long> breakdown() {
        Pattern onRepo = Pattern.compile(" on [A-Z_]+ (\\S+)");
        synchronized (cells) {
            return cells.stream().collect(java.util.stream.Collectors.groupingBy(where -> {
                Matcher on = onRepo.matcher(where);
                return on.find() ? on.group(1) : where.contains("?ns=") ? "?ns=" : where.contains("/token for ") ? "token scopes"
                        : where.contains("someone else's upload") ? "uploads" : "catalog, base, joins";
            }, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
        }
    }

    /**
     * Every caller's cells. The callers of one user run in turn (their mounts share the user's repository);
     * the users run side by side, as clients of a mirror do.
     */
    private static void runCells(String state, List<String> failures, Set<Digest> inFlight) throws Exception {
        Map<String, List<String>> byUser = new LinkedHashMap<>();
        AUTH.keySet().forEach(caller -> byUser.computeIfAbsent(String.valueOf(user(caller)), u -> new ArrayList<>()).add(caller));
        java.util.concurrent.ExecutorService users = java.util.concurrent.Executors.newFixedThreadPool(byUser.size());
        try {
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (List<String> callers : byUser.values()) {
                running.add(CompletableFuture.runAsync(() -> callers.forEach(caller -> runCells(state, failures, inFlight,
                        caller)), users));
            }
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        } finally {
            users.shutdownNow();
        }
    }

    private static void runCells(String state, List<String> failures, Set<Digest> inFlight, String caller) {
        List<Digest> privateDigests = new ArrayList<>(secret.blobDigests());
        privateDigests.add(secret.digest());
        for (Repo repo : repos) {
            boolean allowed = mayPull(caller, repo);
            boolean holds = repo.kind() != AccessTable.Kind.OPEN_MIRROR;
            TestImage image = repo.kind() == AccessTable.Kind.HOSTED ? hosted : secret;
            String where = state + ": " + caller + " on " + repo.kind() + " " + repo.name();
            for (Digest blob : image.blobDigests()) {
                if (repo.kind() == AccessTable.Kind.HOSTED && !inFlight.isEmpty()) {
                    continue;
                }
                boolean filling = inFlight.contains(blob);
                for (String method : List.of("GET", "HEAD", "RANGE")) {
                    if (filling && allowed && !method.equals("HEAD")) {
                        continue; // an entitled GET would wait for the trickle; HEAD shows it is visible
                    }
                    RegistryHttpClient.Call call = client.call(method.equals("RANGE") ? "GET" : method,
                            "/v2/" + repo.name() + "/blobs/" + blob);
                    if (method.equals("RANGE")) {
                        call.header("Range", "bytes=0-99");
                    }
                    RegistryHttpClient.Response answer = send(call, caller);
                    int expected = !allowed ? -1 : holds ? (method.equals("RANGE") ? 206 : 200) : 404;
                    cell(failures, where + " blob " + method + " " + blob.hex().substring(0, 8), expected, caller,
                            answer, privateDigests);
                }
            }
            for (String reference : List.of("v1", image.digest().toString())) {
                for (String method : List.of("GET", "HEAD")) {
                    RegistryHttpClient.Response answer = send(client.call(method, "/v2/" + repo.name() + "/manifests/"
                            + reference).header("Accept", MediaTypes.OCI_MANIFEST), caller);
                    int expected = !allowed ? -1
                            : repo.kind() == AccessTable.Kind.OPEN_MIRROR && !reference.equals("v1") ? 404 : 200;
                    cell(failures, where + " manifest " + method + " " + reference, expected, caller, answer, privateDigests);
                }
            }
            cell(failures, where + " tags", allowed ? 200 : -1, caller,
                    send(client.call("GET", "/v2/" + repo.name() + "/tags/list"), caller), privateDigests);
            boolean signed = repo.holdsSecret();
            for (boolean filtered : new boolean[] {false, true}) {
                RegistryHttpClient.Call referrers = client.call("GET", "/v2/" + repo.name() + "/referrers/" + image.digest());
                if (filtered) {
                    referrers.query("artifactType", SIGNATURE_TYPE);
                }
                RegistryHttpClient.Response listed = send(referrers, caller);
                String what = where + " referrers" + (filtered ? " filtered" : "");
                cell(failures, what, allowed ? 200 : -1, caller, listed, privateDigests);
                if (allowed && signed && !listed.text().contains(secretSignature.toString())) {
                    failures.add(what + ": the signature of the image is not listed: " + listed.text());
                }
            }
            writes(failures, where, caller, repo, image, privateDigests);
            mounts(failures, where, caller, repo, image, privateDigests);
        }
        someoneElsesUpload(failures, state, caller, privateDigests);
        ResolvedNameCells.namespaceForms(failures, state, caller, privateDigests);
        if (caller.equals("anonymous") || caller.endsWith("/basic")) {
            ResolvedNameCells.tokenScopes(failures, state, user(caller), privateDigests);
        }
        catalog(failures, state, caller);
        base(failures, state, caller);
    }

    /** Writes into a repository the caller cannot push: refused, and nothing changes (the manifest still pulls). */
    private static void writes(List<String> failures, String where, String caller, Repo repo, TestImage image,
                               List<Digest> privateDigests) {
        if (table.mayPush(user(caller), repo.resolved())) {
            return; // the caller's own repository (alice's): pushes and deletes are hers to make
        }
        Set<Integer> refused = repo.kind() == AccessTable.Kind.HOSTED ? refusals(caller) : Set.of(401, 403, 405);
        for (RegistryHttpClient.Call call : List.of(
                client.call("PUT", "/v2/" + repo.name() + "/manifests/evil").header("Content-Type", MediaTypes.OCI_MANIFEST)
                        .body(image.manifest()),
                client.call("DELETE", "/v2/" + repo.name() + "/manifests/" + image.digest()),
                client.call("DELETE", "/v2/" + repo.name() + "/blobs/" + image.blobDigests().get(0)),
                client.call("POST", "/v2/" + repo.name() + "/blobs/uploads/"))) {
            RegistryHttpClient.Response answer = send(call, caller);
            cells.add(where);
            if (!refused.contains(answer.status()) || leaks(answer, privateDigests)) {
                failures.add(where + " write " + answer.request() + " -> " + answer.status());
            }
        }
        assertThat(client.call("GET", "/v2/alice/private/manifests/v1").header("Accept", MediaTypes.OCI_MANIFEST)
                .header("Authorization", basic("alice")).send().status()).as("alice's image survived " + where).isEqualTo(200);
    }

    /**
     * Upload sessions of another caller: alice's own session, probed with every method (once per caller: the
     * session's repository, not the repository a cell is about, decides).
     */
    private static void someoneElsesUpload(List<String> failures, String state, String caller, List<Digest> privateDigests) {
        if (caller.startsWith("alice")) {
            return;
        }
        String location = client.call("POST", "/v2/alice/private/blobs/uploads/")
                .header("Authorization", basic("alice")).send().location();
        for (String method : List.of("GET", "PATCH", "PUT", "DELETE")) {
            RegistryHttpClient.Call call = client.call(method, location + (method.equals("PUT")
                    ? (location.contains("?") ? "&" : "?") + "digest=" + secret.blobDigests().get(0) : ""));
            if (!method.equals("GET") && !method.equals("DELETE")) {
                call.header("Content-Type", "application/octet-stream").body(new byte[] {1, 2, 3});
            }
            cell(failures, state + ": " + caller + " someone else's upload " + method, -1, caller, send(call, caller),
                    privateDigests);
        }
    }

    /** Mounts into the caller's own repository from {@code repo}, with and without {@code from}. */
    private static void mounts(List<String> failures, String where, String caller, Repo repo, TestImage image,
                               List<Digest> privateDigests) {
        String user = caller.substring(0, caller.indexOf('/') < 0 ? caller.length() : caller.indexOf('/'));
        if (user.equals("anonymous") || user.equals("carol")) {
            return; // may push nowhere: the POST itself is refused, as the write cells show
        }
        String target = user + "/loot";
        Digest digest = image.blobDigests().get(0);
        // Each cell starts from a target that does not hold the blob.
        client.call("DELETE", "/v2/" + target + "/blobs/" + digest).header("Authorization", basic(user)).send();
        boolean allowed = mayPull(caller, repo) && repo.kind() != AccessTable.Kind.OPEN_MIRROR;
        RegistryHttpClient.Response withFrom = send(client.call("POST", "/v2/" + target + "/blobs/uploads/?mount=" + digest
                + "&from=" + repo.name()), caller);
        int mounted = withFrom.status();
        cells.add(where);
        // While filling, an entitled source may not hold the blob yet (202); at rest it does (201).
        boolean expected = allowed ? mounted == 201 || where.startsWith("in flight") && mounted == 202 : mounted == 202;
        if (!expected) {
            failures.add(where + " mount from " + repo.name() + " into " + target + ": " + mounted + " " + withFrom);
        }
        allowed = mounted == 201;
        RegistryHttpClient.Response withoutFrom = send(client.call("POST", "/v2/" + target + "/blobs/uploads/?mount=" + digest),
                caller);
        cells.add(where);
        if (withoutFrom.status() != 202) {
            failures.add(where + " mount without from into " + target + ": " + withoutFrom.status());
        }
        RegistryHttpClient.Response read = send(client.call("GET", "/v2/" + target + "/blobs/" + digest), caller);
        cells.add(where);
        boolean linked = read.status() == 200;
        if (linked != allowed || !allowed && leaks(read, privateDigests)) {
            failures.add(where + " after mounts, " + target + " reads " + digest + ": " + read.status());
        }
        if (linked) {
            send(client.call("DELETE", "/v2/" + target + "/blobs/" + digest), caller);
        }
    }

    /** The catalog lists, and its Link names, only repositories the caller may pull. */
    private static void catalog(List<String> failures, String state, String caller) {
        List<String> listed = new ArrayList<>();
        String next = "/v2/_catalog?n=1";
        for (int page = 0; page < 50 && next != null; page++) {
            RegistryHttpClient.Response answer = send(client.call("GET", next), caller);
            cells.add(state);
            if (answer.status() != 200) {
                failures.add(state + ": " + caller + " catalog " + answer.status());
                return;
            }
            answer.json().path("repositories").forEach(r -> listed.add(r.asText()));
            String link = answer.headerOrEmpty("Link");
            Matcher last = Pattern.compile("last=([^&>]+)").matcher(link);
            if (last.find()) {
                String after = java.net.URLDecoder.decode(last.group(1), StandardCharsets.UTF_8);
                if (!listed.contains(after)) {
                    failures.add(state + ": " + caller + " catalog Link names " + after + ", which it did not list");
                }
            }
            next = link.isEmpty() ? null : link.substring(link.indexOf('<') + 1, link.indexOf('>'));
        }
        for (String name : listed) {
            if (!table.mayPull(user(caller), name)) {
                failures.add(state + ": " + caller + " catalog lists " + name);
            }
        }
        boolean entitled = caller.endsWith("/basic") && table.mayPull(user(caller), "corp/team/secret");
        if (entitled && !listed.contains("corp/team/secret")) {
            failures.add(state + ": " + caller + " may pull corp/team/secret, which the catalog does not list: " + listed);
        }
    }

    private static void base(List<String> failures, String state, String caller) {
        for (String method : List.of("GET", "HEAD")) {
            RegistryHttpClient.Response answer = send(client.call(method, "/v2/"), caller);
            cells.add(state);
            int expected = caller.equals("anonymous") ? 401 : 200;
            if (answer.status() != expected) {
                failures.add(state + ": " + caller + " " + method + " /v2/ -> " + answer.status());
            }
        }
    }

    /**
     * One cell: {@code expected} -1 means refused (401/403, or 404 where the repository does not
     * hold the content); a refused cell must not carry a byte of private content.
     */
    static void cell(List<String> failures, String where, int expected, String caller,
                             RegistryHttpClient.Response answer, List<Digest> privateDigests) {
        cells.add(where);
        boolean ok = expected == -1 ? refusals(caller).contains(answer.status()) && !leaks(answer, privateDigests)
                : answer.status() == expected;
        if (expected == 404 && leaks(answer, privateDigests)) {
            ok = false;
        }
        if (!ok) {
            failures.add(where + ": expected " + (expected == -1 ? "refusal " + refusals(caller) : expected) + ", got "
                    + answer.status() + " " + new String(answer.body(), 0, Math.min(200, answer.body().length),
                    StandardCharsets.UTF_8));
        }
    }

    static void check(List<String> failures, String where, boolean ok, RegistryHttpClient.Response answer) {
        cells.add(where);
        if (!ok) {
            failures.add(where + ": " + answer.status());
        }
    }

    /** Whether an answer carries private content: a private blob or manifest, or part of one, or a secret tag list. */
    private static boolean leaks(RegistryHttpClient.Response answer, List<Digest> privateDigests) {
        byte[] body = answer.body();
        if (new String(body, StandardCharsets.UTF_8).contains(secretSignature.toString())) {
            return true;
        }
        if (body.length >= 64) {
            for (Digest digest : privateDigests) {
                byte[] content = digest.equals(secret.digest()) ? secret.manifest() : secret.blob(digest);
                if (indexOf(content, Arrays.copyOf(body, 64)) >= 0) {
                    return true;
                }
            }
        }
        return answer.headerOrEmpty("Content-Length").matches("\\d+") && answer.status() < 300
                && privateDigests.stream().anyMatch(d -> answer.headerOrEmpty("Docker-Content-Digest").equals(d.toString()));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static RegistryHttpClient.Response send(RegistryHttpClient.Call call, String caller) {
        String auth = AUTH.get(caller);
        if (auth != null) {
            call.header("Authorization", auth);
        }
        return call.send();
    }

    private static double fillsInFlight(RegistryHttpClient member) {
        Matcher m = Pattern.compile("^fleetmirror_fills_in_flight (\\S+)$", Pattern.MULTILINE)
                .matcher(member.call("GET", "/metrics").send().text());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static void awaitFills(RegistryHttpClient member, int count) {
        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> fillsInFlight(member) == count);
    }

    private static String password(String user) {
        return user + "-pw";
    }

    static String basic(String user) {
        return TestUsers.basic(user, password(user));
    }

}
