package dev.fleetmirror.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetmirror.coordination.limit.RequestRate;
import dev.fleetmirror.coordination.limit.RateLimit;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RateLimitConfigTest {

    @Test
    void eachUpstreamReadsItsOwnLimitAndAnUpstreamWithoutOneIsUnlimited() {
        NodeConfig config = ConfigLoader.fromYaml("""
                upstreams:
                  - name: hub
                    url: https://registry-1.docker.io
                    prefix: docker.io/
                    ratelimit:
                      requestspersecond: 10
                      burst: 20
                      concurrentfills: 8
                      maxwait: 45s
                  - name: ghcr
                    url: https://ghcr.io
                    prefix: ghcr/
                """, Map.of());

        assertThat(config.proxy().upstreams().get(0).limit()).hasValue(new RateLimit(
                Optional.of(new RequestRate(10, 20)), OptionalInt.of(8), Duration.ofSeconds(45)));
        assertThat(config.proxy().upstreams().get(1).limit()).isEmpty();
    }

    @Test
    void theCatchAllUpstreamTakesProxyRateLimitWithDefaultsForWhatIsLeftOut() {
        NodeConfig config = ConfigLoader.fromYaml("""
                proxy:
                  remoteurl: https://registry-1.docker.io
                  ratelimit:
                    requestspersecond: 0.0046
                """, Map.of());

        RateLimit limit = config.proxy().upstreams().get(0).limit().orElseThrow();
        assertThat(limit.requests()).hasValue(new RequestRate(0.0046, 1));
        assertThat(limit.concurrentFills()).isEmpty();
        assertThat(limit.maxWait()).isEqualTo(RateLimit.DEFAULT_MAX_WAIT);
    }

    @Test
    void theDefaultBurstIsOneSecondsWorth() {
        NodeConfig config = ConfigLoader.fromYaml("""
                proxy:
                  remoteurl: https://quay.io
                  ratelimit: {requestspersecond: 2.5, maxwait: 0}
                """, Map.of());

        RateLimit limit = config.proxy().upstreams().get(0).limit().orElseThrow();
        assertThat(limit.requests()).hasValue(new RequestRate(2.5, 3));
        assertThat(limit.maxWait()).isZero();
    }

    @Test
    void theEnvironmentSetsTheRateLimitOfTheRemoteUrl() {
        NodeConfig config = ConfigLoader.fromYaml("proxy:\n  remoteurl: https://quay.io\n",
                Map.of("REGISTRY_PROXY_RATELIMIT_CONCURRENTFILLS", "4", "REGISTRY_PROXY_RATELIMIT_MAXWAIT", "5s"));

        assertThat(config.proxy().upstreams().get(0).limit()).hasValue(
                RateLimit.concurrentFills(4, Duration.ofSeconds(5)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "requestspersecond: 0                 | proxy.ratelimit.requestspersecond",
            "requestspersecond: -3                | proxy.ratelimit.requestspersecond",
            "requestspersecond: ten               | proxy.ratelimit.requestspersecond",
            "requestspersecond: NaN               | proxy.ratelimit.requestspersecond",
            "requestspersecond: 5, burst: 0       | proxy.ratelimit.burst",
            "requestspersecond: 5, burst: 1.5     | proxy.ratelimit.burst",
            "burst: 5                             | proxy.ratelimit.burst",
            "concurrentfills: 0                   | proxy.ratelimit.concurrentfills",
            "concurrentfills: many                | proxy.ratelimit.concurrentfills",
            "concurrentfills: 2, maxwait: soon    | proxy.ratelimit.maxwait",
            "concurrentfills: 2, maxwait: 5m      | proxy.ratelimit.maxwait",
            "concurrentfills: 2, maxwiat: 5s      | proxy.ratelimit.maxwiat",
            "maxwait: 5s                          | proxy.ratelimit",
    })
    void unusableRateLimitsStopStartUpNamingTheirKey(String settings, String key) {
        String yaml = "proxy:\n  remoteurl: https://quay.io\n  ratelimit: {" + settings + "}\n";

        assertThatThrownBy(() -> ConfigLoader.fromYaml(yaml, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo(key));
    }

    @Test
    void aRateLimitThatIsNotAMappingOrHasNoUpstreamNamesItsKey() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("proxy:\n  remoteurl: https://quay.io\n  ratelimit: 10\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("proxy.ratelimit"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("proxy:\n  ratelimit: {concurrentfills: 2}\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("proxy.ratelimit"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("""
                upstreams:
                  - url: https://ghcr.io
                    prefix: ghcr/
                    ratelimit: {concurrentfills: -1}
                """, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("upstreams.0.ratelimit.concurrentfills"));
    }
}
