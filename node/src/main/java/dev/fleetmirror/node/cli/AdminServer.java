package dev.fleetmirror.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.node.auth.BasicCredentials;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options of the commands that talk to a running node's admin endpoints ({@code mode},
 * {@code warm}): which node, the cluster secret that admits the caller, and, on a node with
 * {@code auth:} on, the credentials of an admin ({@code auth.admins}): a user and password (Basic)
 * or a bearer token. Also how such a command says that the node did not answer, or refused.
 */
public final class AdminServer {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--server", required = true, paramLabel = "URL", description = "any node, e.g. http://127.0.0.1:5000")
    URI server;

    @Option(names = "--secret", paramLabel = "SECRET", defaultValue = "${env:REGISTRY_CLUSTER_SECRET}",
            description = "the cluster secret (default: $REGISTRY_CLUSTER_SECRET); not needed on the node's own machine without one")
    String secret;

    @Option(names = "--username", paramLabel = "USER",
            description = "an admin (auth.admins) of a node with auth: on; the password from --password-stdin or --password")
    String username;

    @Option(names = "--password", paramLabel = "PASSWORD",
            description = "the user's password (other users of this machine may see it; prefer --password-stdin)")
    String password;

    @Option(names = "--password-stdin", description = "read the user's password from the first line of standard input")
    boolean passwordStdin;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:FLEETMIRROR_TOKEN}",
            description = "a bearer token of an admin instead of a user and password (default: $FLEETMIRROR_TOKEN)")
    String token;

    /** The command this mixes into: where its output and errors go, how it reports bad options. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Where {@code --password-stdin} reads; tests set their own. */
    InputStream stdin = System.in;

    private String authorization;

    /**
     * Checks that the credential options make one complete set and reads the password from
     * standard input when asked; call once, before {@link #request}.
     *
     * @throws ParameterException naming what is missing or conflicting (picocli prints it with the usage)
     */
    void readCredentials() {
        CommandSpec spec = command;
        boolean hasToken = token != null && !token.isBlank();
        if (username == null) {
            if (password != null || passwordStdin) {
                throw new ParameterException(spec.commandLine(), "--password and --password-stdin need --username");
            }
            authorization = hasToken ? "Bearer " + token.trim() : null;
            return;
        }
        if (hasToken && spec.commandLine().getParseResult().hasMatchedOption("--token")) {
            throw new ParameterException(spec.commandLine(), "give either --username or --token, not both");
        }
        if (password != null && passwordStdin) {
            throw new ParameterException(spec.commandLine(), "give either --password or --password-stdin, not both");
        }
        if (password == null && !passwordStdin) {
            throw new ParameterException(spec.commandLine(), "--username needs --password-stdin or --password");
        }
        String secretWord = password;
        if (passwordStdin) {
            try {
                secretWord = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (secretWord == null || secretWord.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--password-stdin: standard input held no password");
            }
        }
        authorization = new BasicCredentials(username, secretWord).header();
    }

    /** A request to {@code path} on the node, carrying the secret and the credentials there are. */
    HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.resolve(path));
        if (secret != null && !secret.isBlank()) {
            request.header("X-Fleetmirror-Cluster-Secret", secret);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    URI server() {
        return server;
    }

    /**
     * Sends the request; when the node does not answer at all, says so on the command's error
     * output as {@code fleetmirror <command>: no answer from URL: why} and returns empty.
     */
    <T> Optional<HttpResponse<T>> send(String path, HttpRequest.Builder request, HttpResponse.BodyHandler<T> body)
            throws InterruptedException {
        try {
            return Optional.of(client().send(request.build(), body));
        } catch (IOException e) {
            error(unanswered(path, e));
            return Optional.empty();
        }
    }

    /** Says on the command's error output why the node refused it, as {@link #refused} words it. */
    void reportRefusal(String path, int status, String body) {
        error(refused(path, status, body));
    }

    /** {@code fleetmirror <command>: message} on the command's error output. */
    void error(String message) {
        PrintWriter err = err();
        err.println("fleetmirror " + command.name() + ": " + message);
        err.flush();
    }

    PrintWriter out() {
        return command.commandLine().getOut();
    }

    PrintWriter err() {
        return command.commandLine().getErr();
    }

    /** "no answer from URL: why", for a request that got no answer at all. */
    String unanswered(String path, IOException failure) {
        return "no answer from " + server.resolve(path) + ": " + why(failure);
    }

    /** What a person should know about a refusal, with the node's own message. */
    String refused(String path, int status, String body) {
        String text = "the node at " + server.resolve(path) + " answered " + status;
        String message = errorMessage(body);
        String hint = switch (status) {
            case 401 -> authorization == null
                    ? "; it needs an admin's credentials (auth.admins): --username with --password-stdin, or --token;"
                            + " or the cluster secret (--secret) where the node has one"
                    : "; the credentials were not accepted (wrong user or password, or an expired token),"
                            + " or the cluster secret is missing or wrong";
            case 403 -> username != null
                    ? "; user '" + username + "' is not an admin (auth.admins)"
                    : "; the token's holder is not an admin (auth.admins)";
            default -> "";
        };
        return text + hint + (message.isEmpty() ? "" : " (node: " + message + ")");
    }

    /** The first error message of an OCI error body, or the body itself, shortened. */
    private static String errorMessage(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode error = JSON.readTree(body).path("errors").path(0);
            if (error.has("message")) {
                return error.path("message").asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: the text as it is
        }
        String text = body.trim();
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    /** Why a request got no answer, in words: the JDK's HttpClient gives most of these without a message. */
    static String why(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException) {
                return "its host name does not resolve";
            }
            if (t instanceof HttpConnectTimeoutException) {
                return "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s";
            }
            if (t instanceof HttpTimeoutException) {
                return "no answer in time (" + t.getMessage() + ")";
            }
            if (t instanceof ConnectException && t.getCause() instanceof ClosedChannelException) {
                return "connection refused (is a node listening there?)";
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage() + " (" + t.getClass().getSimpleName() + ")";
            }
        }
        return failure.getClass().getName();
    }
}
