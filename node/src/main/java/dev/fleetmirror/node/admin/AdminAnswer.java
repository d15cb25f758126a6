package dev.fleetmirror.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * What an {@link AdminEndpoint} answers: a status and a JSON body for the router to send, or
 * {@link #SENT} for an endpoint that wrote its response itself (a stream of progress events).
 */
public record AdminAnswer(int status, Optional<JsonNode> json) {
    public static final AdminAnswer SENT = new AdminAnswer(0, Optional.empty());

    public static AdminAnswer ok(JsonNode body) {
        return new AdminAnswer(200, Optional.of(body));
    }

    public static AdminAnswer of(int status, JsonNode body) {
        return new AdminAnswer(status, Optional.of(body));
    }
}
