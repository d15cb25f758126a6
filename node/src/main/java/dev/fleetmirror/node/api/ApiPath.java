package dev.fleetmirror.node.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A request path split into the API resource it addresses, the repository name and the last
 * parameter. Repository names contain '/', so the resource is recognised by the path's last
 * segments, as Distribution's route patterns do; the name is whatever precedes them.
 */
public record ApiPath(Resource resource, String name, String tail) {

    public enum Resource { BASE, CATALOG, TAGS, MANIFEST, BLOB, UPLOADS, UPLOAD, REFERRERS }

    public static Optional<ApiPath> parse(String rawPath) {
        if (rawPath.equals("/v2") || rawPath.equals("/v2/")) {
            return Optional.of(new ApiPath(Resource.BASE, "", ""));
        }
        if (!rawPath.startsWith("/v2/")) {
            return Optional.empty();
        }
        String rest = rawPath.substring("/v2/".length());
        if (rest.equals("_catalog")) {
            return Optional.of(new ApiPath(Resource.CATALOG, "", ""));
        }
        List<String> s = Arrays.stream(rest.split("/", -1)).map(ApiPath::decode).toList();
        int n = s.size();
        if (n >= 3 && s.get(n - 2).equals("tags") && s.get(n - 1).equals("list")) {
            return of(Resource.TAGS, s, 2, "");
        }
        if (n >= 4 && s.get(n - 3).equals("blobs") && s.get(n - 2).equals("uploads")) {
            String id = s.get(n - 1);
            return of(id.isEmpty() ? Resource.UPLOADS : Resource.UPLOAD, s, 3, id);
        }
        if (n >= 3 && s.get(n - 2).equals("blobs") && s.get(n - 1).equals("uploads")) {
            return of(Resource.UPLOADS, s, 2, "");
        }
        if (n >= 3 && s.get(n - 2).equals("blobs")) {
            return of(Resource.BLOB, s, 2, s.get(n - 1));
        }
        if (n >= 3 && s.get(n - 2).equals("manifests")) {
            return of(Resource.MANIFEST, s, 2, s.get(n - 1));
        }
        if (n >= 3 && s.get(n - 2).equals("referrers")) {
            return of(Resource.REFERRERS, s, 2, s.get(n - 1));
        }
        return Optional.empty();
    }

    private static Optional<ApiPath> of(Resource resource, List<String> segments, int suffixLength, String tail) {
        String name = String.join("/", segments.subList(0, segments.size() - suffixLength));
        return Optional.of(new ApiPath(resource, name, tail));
    }

    private static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return segment;
        }
    }
}
