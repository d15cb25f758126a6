package dev.fleetmirror.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuthConfigTest {

    @Test
    void withoutAuthSectionEverythingStaysOpen() {
        AuthConfig auth = ConfigLoader.fromYaml("version: 0.1\n", Map.of()).auth();
        assertThat(auth.enabled()).isFalse();
        assertThat(auth.rules()).isEmpty();
    }

    @Test
    void tokenServiceGroupsAdminsAndRulesAreRead() {
        AuthConfig auth = ConfigLoader.fromYaml("""
                version: 0.1
                auth:
                  htpasswd:
                    realm: corp
                    path: /etc/fm/htpasswd
                  token:
                    service: fleet-mirror
                    issuer: fm
                  tokenservice:
                    signingkey: /etc/fm/token.key
                    expiration: 10m
                  groups:
                    team-a: [alice, bob]
                  admins: [root, ops]
                access:
                  - repository: "team-a/**"
                    groups: [team-a]
                    actions: [pull, push]
                  - repository: "**"
                    anonymous: true
                    users: ["*"]
                    actions: [pull]
                """, Map.of()).auth();
        assertThat(auth.enabled()).isTrue();
        assertThat(auth.htpasswd().get()).isEqualTo(new AuthConfig.Htpasswd("corp", Path.of("/etc/fm/htpasswd")));
        assertThat(auth.token().get().realm()).isEmpty();
        assertThat(auth.tokenService().get().expiration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(auth.tokenService().get().signingKey()).contains(Path.of("/etc/fm/token.key"));
        assertThat(auth.groups()).isEqualTo(Map.of("team-a", Set.of("alice", "bob")));
        assertThat(auth.admins()).containsExactlyInAnyOrder("root", "ops");
        assertThat(auth.rules()).containsExactly(
                new AuthConfig.Rule("team-a/**", Set.of(), Set.of("team-a"), false, Set.of("pull", "push")),
                new AuthConfig.Rule("**", Set.of("*"), Set.of(), true, Set.of("pull")));
    }

    @Test
    void mistakesNameTheirKey() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("auth:\n  silly:\n    realm: x\n", Map.of()))
                .as("an unknown auth method must not leave the registry open").hasMessageContaining("auth.silly");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("auth:\n  htpasswd:\n    realm: x\n", Map.of()))
                .hasMessageContaining("auth.htpasswd.path");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("auth:\n  token:\n    service: s\n    issuer: i\n", Map.of()))
                .hasMessageContaining("rootcertbundle");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("access:\n  - repository: x\n    actions: [pull, write]\n", Map.of()))
                .hasMessageContaining("access.0.actions").hasMessageContaining("write");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("access:\n  - repository: x\n    user: [a]\n", Map.of()))
                .hasMessageContaining("access.0.user");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("""
                auth:
                  token: {service: s, issuer: i}
                  tokenservice: {}
                """, Map.of())).hasMessageContaining("auth.htpasswd");
    }
}
