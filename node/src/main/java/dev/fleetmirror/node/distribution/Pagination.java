package dev.fleetmirror.node.distribution;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The {@code Link: <...>; rel="next"} header of paginated listings. */
final class Pagination {
    private Pagination() {
    }

    static String nextLink(String path, String last, int n) {
        return "<" + path + "?last=" + URLEncoder.encode(last, StandardCharsets.UTF_8) + "&n=" + n + ">; rel=\"next\"";
    }
}
