package dev.fleetmirror.node.proxy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A token realm that only takes notes: every request it receives, with its Authorization header,
 * is recorded; each is answered with a token no registry accepts. Bound to the loopback address
 * the test chooses (127.0.0.2 is another host to a client, yet on this machine).
 */
final class RealmWitness implements AutoCloseable {
    record Seen(URI uri, String authorization) {
    }

    private final HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private RealmWitness(HttpServer server) {
        this.server = server;
    }

    static RealmWitness start(String address) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 16);
            RealmWitness witness = new RealmWitness(server);
            server.createContext("/", exchange -> {
                witness.seen.add(new Seen(exchange.getRequestURI(), exchange.getRequestHeaders().getFirst("Authorization")));
                byte[] body = "{\"token\":\"witness-token-not-a-jwt\",\"expires_in\":60}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return witness;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The realm URL to name in a challenge. */
    URI realm() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort()
                + "/token");
    }

    List<Seen> seen() {
        return seen;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
