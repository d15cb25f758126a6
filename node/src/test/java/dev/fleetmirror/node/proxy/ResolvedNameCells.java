package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.AuthorizationMatrixTest.basic;
import static dev.fleetmirror.node.proxy.AuthorizationMatrixTest.cell;
import static dev.fleetmirror.node.proxy.AuthorizationMatrixTest.check;
import static dev.fleetmirror.node.proxy.AuthorizationMatrixTest.client;
import static dev.fleetmirror.node.proxy.AuthorizationMatrixTest.gate;
import static dev.fleetmirror.node.proxy.AuthorizationMatrixTest.mayPull;
import static dev.fleetmirror.node.proxy.AuthorizationMatrixTest.secret;
import static dev.fleetmirror.node.proxy.AuthorizationMatrixTest.send;
import static dev.fleetmirror.node.proxy.AuthorizationMatrixTest.table;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * {@link AuthorizationMatrixTest}'s cells on how a request names its repository: containerd's
 * {@code ?ns=} forms and the token service's scopes, each spelled bare and prefixed. What each resolves
 * to is the node's own routing ({@link AccessTable}), so the same cells hold with and without a
 * {@code default: true} upstream; what each may read follows from that repository's rules.
 */
final class ResolvedNameCells {
    private ResolvedNameCells() {
    }

    /**
     * containerd's {@code ?ns=}: the decision is on the resolved repository, whatever the token names. Every
     * form is expected as the node's routing resolves it: with the private default upstream the bare name
     * without {@code ns} (or with an empty one) is {@code corp/team/secret}, with a registry no upstream is it
     * stays the bare name, a hosted one; the prefixed spelling under another upstream's {@code ns} is a
     * repository of that upstream, which does not hold the private image.
     */
    static void namespaceForms(List<String> failures, String state, String caller, List<Digest> privateDigests) {
        List<String> forms = List.of("", "corp", "corpx", "pub", gate.baseUri().getAuthority(), "quay.io");
        for (String written : List.of("team/secret", "corp/team/secret")) {
            for (String ns : forms) {
                boolean bare = written.equals("team/secret");
                if (!bare && !List.of("corp", "pub", "quay.io").contains(ns)) {
                    continue;
                }
                String resolved = table.resolve(written, Optional.of(ns));
                boolean allowed = mayPull(caller, resolved);
                int expected = !allowed ? -1 : AccessTable.holdingPrivateContent().contains(table.kind(resolved)) ? 200 : 404;
                String where = state + ": " + caller + " " + written + "?ns=" + ns + " (" + resolved + ")";
                String query = "?ns=" + URLEncoder.encode(ns, StandardCharsets.UTF_8);
                cell(failures, where + " manifest", expected, caller, send(client.call("GET",
                        "/v2/" + written + "/manifests/v1" + query).header("Accept", MediaTypes.OCI_MANIFEST), caller),
                        privateDigests);
                if (!bare) {
                    continue;
                }
                cell(failures, where + " blob", expected, caller, send(client.call("GET",
                        "/v2/" + written + "/blobs/" + secret.blobDigests().get(0) + query), caller), privateDigests);
                cell(failures, where + " tags", expected, caller, send(client.call("GET",
                        "/v2/" + written + "/tags/list" + query), caller), privateDigests);
            }
        }
    }

    /**
     * The token service decides a scope on the repository its name resolves to, as requests are decided: a
     * token asked for one spelling of a repository reads it through the other only where both resolve to the
     * same repository. A refused request's challenge names the resolved repository, the scope a client asks for.
     */
    static void tokenScopes(List<String> failures, String state, String user, List<Digest> privateDigests) {
        String caller = (user == null ? "anonymous" : user) + "/token";
        if (user == null && !table.mayPull(null, table.resolve("team/secret"))) {
            RegistryHttpClient.Response refused = client.call("GET", "/v2/team/secret/manifests/v1")
                    .header("Accept", MediaTypes.OCI_MANIFEST).send();
            check(failures, state + ": the challenge of an anonymous team/secret names " + table.resolve("team/secret"),
                    refused.status() == 401 && refused.headerOrEmpty("WWW-Authenticate")
                            .contains("scope=\"repository:" + table.resolve("team/secret") + ":pull\""), refused);
        }
        for (String scope : List.of("team/secret", "corp/team/secret")) {
            RegistryHttpClient.Call ask = client.call("GET", "/token").query("service", "fleet-mirror")
                    .query("scope", "repository:" + scope + ":pull");
            if (user != null) {
                ask.header("Authorization", basic(user));
            }
            RegistryHttpClient.Response issued = ask.send();
            check(failures, state + ": " + caller + " asks for a token for " + scope, issued.status() == 200, issued);
            if (issued.status() != 200) {
                continue;
            }
            String bearer = "Bearer " + issued.json().path("token").asText();
            for (String written : List.of("team/secret", "corp/team/secret")) {
                String resolved = table.resolve(written);
                boolean allowed = table.mayPull(user, resolved) && table.resolve(scope).equals(resolved);
                int expected = !allowed ? -1 : AccessTable.holdingPrivateContent().contains(table.kind(resolved)) ? 200 : 404;
                String where = state + ": " + caller + " for " + scope + " on " + written;
                cell(failures, where + " manifest", expected, caller, client.call("GET", "/v2/" + written + "/manifests/v1")
                        .header("Accept", MediaTypes.OCI_MANIFEST).header("Authorization", bearer).send(), privateDigests);
                cell(failures, where + " blob", expected, caller, client.call("GET", "/v2/" + written + "/blobs/"
                        + secret.blobDigests().get(0)).header("Authorization", bearer).send(), privateDigests);
            }
        }
    }
}
