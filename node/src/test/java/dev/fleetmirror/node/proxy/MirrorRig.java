package dev.fleetmirror.node.proxy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.testing.DistributionProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a proxy test starts, stopped after every test by its own handle (register it with
 * {@code @RegisterExtension}): a docker-registry upstream, optionally a {@link TokenGate} in front
 * of it, and the mirror node last started. The node goes down first, the upstream last.
 */
final class MirrorRig implements AfterEachCallback {
    private final Optional<String> keptLog;
    private DistributionProcess upstream;
    private TokenGate gate;
    private FleetMirrorNode node;

    /** A rig whose upstream log is not kept. */
    MirrorRig() {
        this(Optional.empty());
    }

    /** A rig that keeps the upstream's access log under {@code logName} for the build's reports. */
    MirrorRig(String logName) {
        this(Optional.of(logName));
    }

    private MirrorRig(Optional<String> keptLog) {
        this.keptLog = keptLog;
    }

    /** Starts the upstream (skipping the test where docker-registry is not installed). */
    DistributionProcess startUpstream(Path work, String name, String extraYaml) {
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        upstream = MirrorFixture.upstream(work, name, extraYaml);
        return upstream;
    }

    /** Tracks a gate the test started in front of the upstream. */
    TokenGate track(TokenGate started) {
        gate = started;
        return gate;
    }

    /** Starts a mirror node; a node started before must have been stopped by the test. */
    FleetMirrorNode startNode(Path storage, Path spool, Duration tagTtl, UpstreamConfig... upstreams) throws Exception {
        node = MirrorFixture.node(storage, spool, tagTtl, upstreams);
        return node;
    }

    /** Stops the node last started (its close flushes what it kept in memory); the rig then has none to stop. */
    void stopNode() throws Exception {
        MirrorFixture.stop(node);
        node = null;
    }

    DistributionProcess upstream() {
        return upstream;
    }

    TokenGate gate() {
        return gate;
    }

    /** The node last started. */
    FleetMirrorNode node() {
        return node;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        MirrorFixture.stop(node);
        if (gate != null) {
            gate.close();
        }
        if (upstream != null) {
            keptLog.ifPresent(upstream::keepLog);
            upstream.close();
        }
    }
}
