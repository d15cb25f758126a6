package dev.fleetmirror.core.registry.stored;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetmirror.core.manifest.ManifestParser;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.registry.Page;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.UploadSession;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoredListingsTest extends RegistryFixture {
    static final RepositoryName REPO = RepositoryName.of("library/app");

    private static List<Tag> tags(String... values) {
        return java.util.Arrays.stream(values).map(Tag::of).toList();
    }

    private static List<RepositoryName> repos(String... values) {
        return java.util.Arrays.stream(values).map(RepositoryName::of).toList();
    }

    @Test
    void tagsArePagedInLexicalOrder() {
        for (String tag : List.of("v2", "latest", "v10", "1.0", "V3")) {
            push.image(REPO, tag, tag);
        }

        assertThat(registry.tags().list(REPO, 100, Optional.empty()))
                .isEqualTo(new Page<>(tags("1.0", "V3", "latest", "v10", "v2"), false));
        assertThat(registry.tags().list(REPO, 2, Optional.empty())).isEqualTo(new Page<>(tags("1.0", "V3"), true));
        assertThat(registry.tags().list(REPO, 2, Optional.of("V3"))).isEqualTo(new Page<>(tags("latest", "v10"), true));
        assertThat(registry.tags().list(REPO, 2, Optional.of("v10"))).isEqualTo(new Page<>(tags("v2"), false));
        assertThat(registry.tags().list(REPO, 2, Optional.of("v2"))).isEqualTo(new Page<>(List.of(), false));
        assertThat(registry.tags().list(REPO, 5, Optional.empty()).more()).isFalse();
        assertThat(registry.tags().list(REPO, 0, Optional.empty())).isEqualTo(new Page<>(List.of(), true));
    }

    @Test
    void lastNeedNotBeAnExistingTag() {
        push.image(REPO, "a", "a");
        push.image(REPO, "c", "c");

        assertThat(registry.tags().list(REPO, 10, Optional.of("b")).items()).isEqualTo(tags("c"));
    }

    @Test
    void tagsOfAnUnknownRepositoryIsNameUnknownButARepositoryWithOnlyBlobsListsNoTags() {
        push.blob(REPO, "only a blob");

        assertThatThrownBy(() -> registry.tags().list(RepositoryName.of("nobody/here"), 10, Optional.empty()))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_UNKNOWN));
        assertThat(registry.tags().list(REPO, 10, Optional.empty()).items()).isEmpty();
    }

    @Test
    void deletingTheLastManifestLeavesAnEmptyTagListWhileBlobsAreLinked() {
        var digest = push.image(REPO, "only", "a");

        registry.manifests().delete(REPO, Reference.of(digest));

        assertThat(registry.tags().list(REPO, 10, Optional.empty()).items()).isEmpty();
        assertThat(registry.catalog().list(10, Optional.empty()).items()).as("its blobs are still linked").containsExactly(REPO);
    }

    @Test
    void repositoryWithNothingLeftLeavesTheCatalog() {
        var digest = push.image(REPO, "only", "a");
        var manifest = registry.manifests().get(REPO, Tag.of("only")).orElseThrow();
        registry.manifests().delete(REPO, Reference.of(digest));
        for (var layer : ManifestParser.parse(manifest.mediaType(), manifest.content()).blobs()) {
            registry.blobs().delete(REPO, layer.digest());
        }

        assertThat(registry.catalog().list(10, Optional.empty()).items()).isEmpty();
    }

    @Test
    void repositoryWithManifestsButNoTagsHasAnEmptyTagList() {
        push.manifest(REPO, Pushes.imageManifest(push.blob(REPO, "{}")));

        assertThat(registry.tags().list(REPO, 10, Optional.empty())).isEqualTo(new Page<>(List.of(), false));
    }

    @Test
    void negativeCountIsPaginationNumberInvalid() {
        push.image(REPO, "a", "a");

        assertThatThrownBy(() -> registry.tags().list(REPO, -1, Optional.empty()))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.PAGINATION_NUMBER_INVALID));
        assertThatThrownBy(() -> registry.catalog().list(-1, Optional.empty()))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.PAGINATION_NUMBER_INVALID));
    }

    @Test
    void catalogListsNestedRepositoriesInLexicalOrder() {
        push.image(RepositoryName.of("a"), "t", "1");
        push.image(RepositoryName.of("a/b"), "t", "2");
        push.blob(RepositoryName.of("a-c"), "blobs only");
        push.image(RepositoryName.of("z/y/x"), "t", "3");
        try (UploadSession ignored = registry.uploads().start(RepositoryName.of("only/uploads"))) {
            assertThat(ignored.id()).isNotEmpty();
        }

        assertThat(registry.catalog().list(100, Optional.empty()))
                .isEqualTo(new Page<>(repos("a", "a-c", "a/b", "z/y/x"), false));
        assertThat(registry.catalog().list(2, Optional.empty())).isEqualTo(new Page<>(repos("a", "a-c"), true));
        assertThat(registry.catalog().list(2, Optional.of("a-c"))).isEqualTo(new Page<>(repos("a/b", "z/y/x"), false));
    }

    @Test
    void emptyStorageHasAnEmptyCatalog() {
        assertThat(registry.catalog().list(100, Optional.empty())).isEqualTo(new Page<>(List.of(), false));
    }
}
