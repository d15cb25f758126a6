package dev.fleetmirror.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HazelcastMemberConfigTest {

    private static ClusterSettings settings(List<String> members, boolean multicast, Optional<String> kubernetes,
                                            Optional<String> secret) {
        return new ClusterSettings("fleet", "127.0.0.1", 5801, members, multicast, kubernetes, secret, 1,
                Duration.ofSeconds(10), "");
    }

    @Test
    void staticMembersJoinOverTcpIpAndNothingElseIsTried() {
        Config config = HazelcastMemberConfig.of(settings(List.of("10.0.0.1:5701", "10.0.0.2"), false, Optional.empty(),
                Optional.empty()));
        JoinConfig join = config.getNetworkConfig().getJoin();
        assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
        assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.1:5701", "10.0.0.2");
        assertThat(join.getMulticastConfig().isEnabled()).isFalse();
        assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
        assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
        assertThat(config.getNetworkConfig().getPort()).isEqualTo(5801);
        assertThat(config.getNetworkConfig().isPortAutoIncrement()).isTrue();
        assertThat(config.getNetworkConfig().getInterfaces().isEnabled()).isTrue();
        assertThat(config.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
        assertThat(config.getNetworkConfig().getPublicAddress()).isEqualTo("127.0.0.1");
        assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
        assertThat(config.getProperty("hazelcast.shutdownhook.enabled")).isEqualTo("false");
        assertThat(config.getProperty("hazelcast.logging.type")).isEqualTo("slf4j");
        assertThat(config.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("1");
        assertThat(config.getJetConfig().isEnabled()).isFalse();
    }

    @Test
    void multicastAndKubernetesAreEachTheOnlyJoinMethodWhenChosen() {
        JoinConfig multicast = HazelcastMemberConfig.of(settings(List.of(), true, Optional.empty(), Optional.empty()))
                .getNetworkConfig().getJoin();
        assertThat(multicast.getMulticastConfig().isEnabled()).isTrue();
        assertThat(multicast.getTcpIpConfig().isEnabled()).isFalse();
        assertThat(multicast.getKubernetesConfig().isEnabled()).isFalse();

        JoinConfig kubernetes = HazelcastMemberConfig.of(settings(List.of(), false,
                Optional.of("fleetmirror-hz.registry.svc.cluster.local"), Optional.empty())).getNetworkConfig().getJoin();
        assertThat(kubernetes.getKubernetesConfig().isEnabled()).isTrue();
        assertThat(kubernetes.getKubernetesConfig().getProperty("service-dns"))
                .isEqualTo("fleetmirror-hz.registry.svc.cluster.local");
        assertThat(kubernetes.getMulticastConfig().isEnabled()).isFalse();
        assertThat(kubernetes.getTcpIpConfig().isEnabled()).isFalse();
    }

    @Test
    void withoutJoinSettingsTheMemberLooksForNobody() {
        JoinConfig join = HazelcastMemberConfig.of(settings(List.of(), false, Optional.empty(), Optional.empty()))
                .getNetworkConfig().getJoin();
        assertThat(join.getMulticastConfig().isEnabled()).isFalse();
        assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
        assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    }

    @Test
    void theAnyAddressLeavesTheChoiceOfInterfaceToHazelcast() {
        ClusterSettings any = new ClusterSettings("fleet", HazelcastMemberConfig.ANY_ADDRESS, 5701, List.of(), false,
                Optional.empty(), Optional.empty(), 1, Duration.ofSeconds(10), "");
        Config config = HazelcastMemberConfig.of(any);
        assertThat(config.getNetworkConfig().getInterfaces().isEnabled()).isFalse();
        assertThat(config.getNetworkConfig().getPublicAddress()).isNull();
    }

    @Test
    void theSecretIsPartOfTheClusterNameButCannotBeReadFromIt() {
        String plain = HazelcastMemberConfig.effectiveClusterName("fleet", Optional.empty());
        String right = HazelcastMemberConfig.effectiveClusterName("fleet", Optional.of("s3cret"));
        assertThat(plain).isEqualTo("fleet");
        assertThat(right).startsWith("fleet-").doesNotContain("s3cret")
                .isEqualTo(HazelcastMemberConfig.effectiveClusterName("fleet", Optional.of("s3cret")))
                .isNotEqualTo(HazelcastMemberConfig.effectiveClusterName("fleet", Optional.of("s3cret2")))
                .isNotEqualTo(HazelcastMemberConfig.effectiveClusterName("fleet2", Optional.of("s3cret")).replace("fleet2", "fleet"));
    }
}
