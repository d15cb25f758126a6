package dev.fleetmirror.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.node.api.ApiPath.Resource;
import org.junit.jupiter.api.Test;

class ApiPathTest {
    private static ApiPath parse(String path) {
        return ApiPath.parse(path).orElseThrow();
    }

    @Test
    void resourcesAreRecognisedByTheirLastSegments() {
        assertThat(parse("/v2/")).isEqualTo(new ApiPath(Resource.BASE, "", ""));
        assertThat(parse("/v2/_catalog")).isEqualTo(new ApiPath(Resource.CATALOG, "", ""));
        assertThat(parse("/v2/a/b/tags/list")).isEqualTo(new ApiPath(Resource.TAGS, "a/b", ""));
        assertThat(parse("/v2/a/manifests/latest")).isEqualTo(new ApiPath(Resource.MANIFEST, "a", "latest"));
        assertThat(parse("/v2/a/blobs/sha256:ab")).isEqualTo(new ApiPath(Resource.BLOB, "a", "sha256:ab"));
        assertThat(parse("/v2/a/blobs/uploads/")).isEqualTo(new ApiPath(Resource.UPLOADS, "a", ""));
        assertThat(parse("/v2/a/blobs/uploads")).isEqualTo(new ApiPath(Resource.UPLOADS, "a", ""));
        assertThat(parse("/v2/a/blobs/uploads/123")).isEqualTo(new ApiPath(Resource.UPLOAD, "a", "123"));
        assertThat(parse("/v2/a/referrers/sha256:ab")).isEqualTo(new ApiPath(Resource.REFERRERS, "a", "sha256:ab"));
    }

    @Test
    void repositoryNamesMayContainEndpointWords() {
        assertThat(parse("/v2/blobs/manifests/manifests/v1")).isEqualTo(new ApiPath(Resource.MANIFEST, "blobs/manifests", "v1"));
        assertThat(parse("/v2/tags/list/tags/list")).isEqualTo(new ApiPath(Resource.TAGS, "tags/list", ""));
        assertThat(parse("/v2/x/blobs/blobs/sha256:ab")).isEqualTo(new ApiPath(Resource.BLOB, "x/blobs", "sha256:ab"));
    }

    @Test
    void percentEncodedSegmentsAreDecoded() {
        assertThat(parse("/v2/a/manifests/sha256%3Aab").tail()).isEqualTo("sha256:ab");
    }

    @Test
    void pathsOutsideTheApiAreNotRouted() {
        assertThat(ApiPath.parse("/")).isEmpty();
        assertThat(ApiPath.parse("/v1/a/manifests/x")).isEmpty();
        assertThat(ApiPath.parse("/v2/a/unknown/x")).isEmpty();
        assertThat(ApiPath.parse("/v2/manifests/x")).isEmpty();
    }
}
