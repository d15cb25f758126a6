package dev.fleetmirror.node.distribution;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** JSON response bodies of the listing endpoints. */
final class JsonBodies {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonBodies() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static Future<Void> send(Exchange exchange, int status, String contentType, ObjectNode body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            return Future.failedFuture(e);
        }
        exchange.response().setStatusCode(status)
                .putHeader("Content-Type", contentType)
                .putHeader("Content-Length", Integer.toString(bytes.length));
        return exchange.isHead() ? exchange.response().end() : exchange.response().end(Buffer.buffer(bytes));
    }
}
