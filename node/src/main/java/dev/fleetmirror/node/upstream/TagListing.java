package dev.fleetmirror.node.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.core.name.Tag;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code GET /v2/<name>/tags/list?n=&last=}: one page of the upstream's tags. */
public record TagListing(String repository, int limit, Optional<String> last) implements UpstreamOperation<TagListing.Page> {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tag lists of big repositories are long, but not this long. */
    private static final int MAX_BYTES = 16 * 1024 * 1024;

    /** The tags, and whether the upstream said more follow (a Link header). */
    public record Page(List<Tag> tags, boolean more) {
    }

    @Override
    public HttpMethod method() {
        return HttpMethod.GET;
    }

    @Override
    public String path() {
        StringBuilder path = new StringBuilder("/v2/").append(repository).append("/tags/list");
        char sep = '?';
        if (limit != Integer.MAX_VALUE) {
            path.append(sep).append("n=").append(limit);
            sep = '&';
        }
        if (last.isPresent()) {
            path.append(sep).append("last=").append(URLEncoder.encode(last.get(), StandardCharsets.UTF_8));
        }
        return path.toString();
    }

    @Override
    public String scope() {
        return UpstreamOperation.scopeOf(repository);
    }

    @Override
    public String description() {
        return "the tags of " + repository;
    }

    @Override
    public Future<Page> read(HttpClientResponse response) {
        String length = response.getHeader("Content-Length");
        if (length != null && length.chars().allMatch(Character::isDigit) && Long.parseLong(length) > MAX_BYTES) {
            response.request().reset();
            return Future.failedFuture(new MalformedAnswer(description() + " (too large)"));
        }
        boolean more = response.getHeader("Link") != null;
        return response.body().compose(body -> {
            try {
                JsonNode tags = JSON.readTree(body.getBytes()).path("tags");
                List<Tag> result = new ArrayList<>();
                tags.forEach(t -> {
                    if (Tag.isValid(t.asText())) {
                        result.add(Tag.of(t.asText()));
                    }
                });
                return Future.succeededFuture(new Page(result, more));
            } catch (IOException e) {
                return Future.failedFuture(new MalformedAnswer(description() + " (answer is not JSON)"));
            }
        });
    }
}
