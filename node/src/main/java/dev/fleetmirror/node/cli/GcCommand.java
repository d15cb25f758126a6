package dev.fleetmirror.node.cli;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.gc.ClusterStateSnapshot;
import dev.fleetmirror.gc.CollectionRun;
import dev.fleetmirror.gc.GcReport;
import dev.fleetmirror.node.config.ConfigException;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageDrivers;
import dev.fleetmirror.node.gc.ConfiguredMirrors;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fleetmirror gc [--dry-run] [--delete-untagged] [--grace D] config.yml}: the cluster's
 * garbage collection, run once, offline, on the configured storage. It refuses to delete while a
 * cluster on that storage is running and not read-only.
 */
@Command(name = "gc",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Collect garbage in the configured storage, once, and exit.",
                "",
                "With a proxy configured, first unlinks cached manifests not pulled within proxy.ttl",
                "(default 168h), as the live node's collection does; hosted repositories are never expired.",
                "Marks every manifest of every repository (with --delete-untagged only those a tag",
                "reaches, their index children and referrers), their configs and layers, and",
                "deletes every other blob older than the grace window. Refuses to delete while a",
                "cluster on this storage runs and is not read-only: switch it with",
                "'fleetmirror mode read-only --server URL' first, or stop it.",
                "--dry-run lists 'blob eligible for deletion: <digest>' as Distribution does.",
                ""})
public final class GcCommand implements Callable<Integer> {
    /** The CLI prints its own summary from the run's outcome; the live node's flat report is not needed. */
    private static final CollectionRun.Report IGNORED = new CollectionRun.Report() {
        @Override
        public void put(String field, long value) {
        }

        @Override
        public void put(String field, String value) {
        }
    };

    @Parameters(index = "0", paramLabel = "CONFIG", description = "configuration file of the registry whose storage to collect")
    Path configFile;

    @Option(names = "--dry-run", description = "list what would be deleted; delete nothing")
    boolean dryRun;

    @Option(names = "--delete-untagged", description = "also delete manifests no tag reaches (and their blobs)")
    boolean deleteUntagged;

    @Option(names = "--grace", paramLabel = "DURATION",
            description = "keep unreferenced blobs younger than this (Go syntax: 90m, 1h; default from gc.grace, else 1h; 0 keeps none)")
    String grace;

    @Option(names = "--parallelism", paramLabel = "N", description = "storage requests in flight (default 32)")
    int parallelism = 32;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;

    public GcCommand() {
        this(System.getenv());
    }

    GcCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NodeConfig config;
        Duration graceWindow;
        try {
            config = ConfigLoader.load(Optional.of(configFile), env);
            graceWindow = grace == null ? config.gc().grace() : ConfigLoader.duration("--grace", grace);
        } catch (ConfigException e) {
            err.println("fleetmirror gc: " + e.getMessage());
            err.flush();
            return 2;
        }
        try (StorageDriver storage = StorageDrivers.open(config.storage().backend())) {
            Instant now = Instant.now();
            Optional<ClusterStateSnapshot> state = ClusterStateSnapshot.read(storage);
            if (!dryRun && state.isPresent() && state.get().forbidsDeletion(now)) {
                err.println("fleetmirror gc: cluster '" + state.get().cluster() + "' runs on this storage in mode "
                        + state.get().mode() + " (as of " + state.get().updated() + "): deleting now could lose what it"
                        + " writes. Switch it to read-only first (fleetmirror mode read-only --server URL), or stop it,"
                        + " or run with --dry-run.");
                err.flush();
                return 3;
            }
            Optional<CollectionRun.Expiry> expiry = config.proxy().enabled()
                    ? Optional.of(new CollectionRun.Expiry(config.proxy().cacheTtl(), ConfiguredMirrors.of(config.proxy())))
                    : Optional.empty();
            CollectionRun run = CollectionRun.offline(storage,
                    new CollectionRun.Settings(dryRun, deleteUntagged, graceWindow, parallelism, expiry), Clock.systemUTC(),
                    new CollectionRun.Listener() {
                        @Override
                        public void eligible(Digest blob) {
                            if (dryRun) {
                                synchronized (out) {
                                    out.println("blob eligible for deletion: " + blob);
                                }
                            }
                        }

                        @Override
                        public void spared(Digest blob, Duration age) {
                            if (dryRun) {
                                synchronized (out) {
                                    out.println("blob spared by the grace window: " + blob + " (age " + age.toMinutes() + "m)");
                                }
                            }
                        }

                        @Override
                        public void manifestEligible(dev.fleetmirror.core.name.RepositoryName repository, Digest manifest) {
                            synchronized (out) {
                                out.println((dryRun ? "manifest eligible for deletion: " : "manifest deleted: ")
                                        + repository + "@" + manifest);
                            }
                        }
                    });
            CollectionRun.Outcome outcome = run.collect(IGNORED, CollectionRun.Window.WHOLE_RUN);
            outcome.expiry().ifPresent(expired -> out.printf("%s: %d mirrored repositories, %d manifests and %d tags %s"
                            + " (not pulled within %s), %d manifests kept%n",
                    dryRun ? "expiry, dry run" : "expiry", expired.repositoriesVisited(), expired.manifestsUnlinked(),
                    expired.tagsUnlinked(), dryRun ? "would be unlinked" : "unlinked", config.proxy().cacheTtl(),
                    expired.manifestsKept()));
            GcReport report = outcome.collection();
            out.printf("%s: %d repositories, %d manifests kept, %d blobs referenced, %d untagged manifests %s, "
                            + "%d blobs %s (%d bytes), %d spared by the grace window (%s), %d layer links %s; mark %d ms, sweep %d ms%n",
                    dryRun ? "dry run" : "collected", report.repositories(), report.manifestsMarked(), report.blobsMarked(),
                    report.manifestsDeleted(), dryRun ? "eligible" : "deleted", report.blobsDeleted(),
                    dryRun ? "eligible for deletion" : "deleted", report.bytesFreed(), report.blobsSpared(), graceWindow,
                    report.layerLinksDeleted(), dryRun ? "eligible" : "deleted", report.markMillis(), report.sweepMillis());
            out.flush();
            return 0;
        }
    }
}
