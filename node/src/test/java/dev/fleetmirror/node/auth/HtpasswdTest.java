package dev.fleetmirror.node.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import dev.fleetmirror.node.testing.CapturedLogs;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

class HtpasswdTest {
    private static final String ALICE = BCrypt.hashpw("alice-secret", BCrypt.gensalt(4)).replaceFirst("^\\$2a\\$", "\\$2y\\$");
    private static final String MD5 = "$apr1$3kF5Zl2g$Bq0jTEoNAjnv9d3wQbSzV/";
    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs(Htpasswd.class);

    @TempDir
    Path dir;

    @Test
    void bcryptEntriesVerifyAndOtherHashesAreIgnoredWithAWarningThatNamesLineAndUserButNotTheHash() {
        Htpasswd users = Htpasswd.parse("# users\nalice:" + ALICE + "\n\nmallory:" + MD5 + "\nplain:secret\n", "users.htpasswd");

        assertThat(users.size()).isEqualTo(1);
        assertThat(users.matches(new BasicCredentials("alice", "alice-secret"))).isTrue();
        assertThat(users.matches(new BasicCredentials("alice", "wrong"))).isFalse();
        assertThat(users.matches(new BasicCredentials("mallory", "anything"))).isFalse();
        assertThat(users.matches(new BasicCredentials("plain", "secret"))).isFalse();
        assertThat(logs.messages())
                .anySatisfy(m -> assertThat(m).contains("users.htpasswd line 4").contains("'mallory'"))
                .anySatisfy(m -> assertThat(m).contains("line 5").contains("'plain'"))
                .allSatisfy(m -> assertThat(m).doesNotContain(MD5).doesNotContain("secret"));
    }

    @Test
    void twoAndTwoBHashesAsOtherToolsWriteThemVerifyToo() {
        String twoB = BCrypt.hashpw("pw", BCrypt.gensalt("$2b", 4));
        String twoA = BCrypt.hashpw("pw", BCrypt.gensalt(4));
        Htpasswd users = Htpasswd.parse("b:" + twoB + "\na:" + twoA, "f");
        assertThat(users.matches(new BasicCredentials("b", "pw"))).isTrue();
        assertThat(users.matches(new BasicCredentials("a", "pw"))).isTrue();
    }

    @Test
    void theFileIsReadAgainWhenItChanges() throws Exception {
        Path file = dir.resolve("htpasswd");
        Files.writeString(file, "alice:" + ALICE + "\n");
        HtpasswdFile htpasswd = new HtpasswdFile(file);
        Htpasswd first = htpasswd.users();
        assertThat(first.hasUser("alice")).isTrue();

        assertThat(htpasswd.reloadIfChanged()).isTrue();
        assertThat(htpasswd.users()).as("unchanged file: not parsed again").isSameAs(first);

        String bob = BCrypt.hashpw("bob-secret", BCrypt.gensalt(4));
        Files.writeString(file, "bob:" + bob + "\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(htpasswd.reloadIfChanged()).isTrue();
        assertThat(htpasswd.users().hasUser("alice")).isFalse();
        assertThat(htpasswd.users().matches(new BasicCredentials("bob", "bob-secret"))).isTrue();

        Files.delete(file);
        assertThat(htpasswd.reloadIfChanged()).as("a missing file keeps the users read before").isFalse();
        assertThat(htpasswd.users().hasUser("bob")).isTrue();
    }

    @Test
    void basicHeadersParseAndTheirTextNeverShowsThePassword() {
        BasicCredentials credentials = new BasicCredentials("alice", "p:ss");
        assertThat(BasicCredentials.fromHeader(credentials.header())).contains(credentials);
        assertThat(BasicCredentials.fromHeader("Basic !!!")).isEmpty();
        assertThat(BasicCredentials.fromHeader("Bearer abc")).isEmpty();
        assertThat(credentials.toString()).doesNotContain("p:ss");
    }
}
