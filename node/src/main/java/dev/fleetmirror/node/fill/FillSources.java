package dev.fleetmirror.node.fill;

import dev.fleetmirror.node.mode.WriteGate;
import dev.fleetmirror.coordination.fill.FillLeases;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.registry.Uploads;
import io.vertx.core.Context;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * What every fill on this member draws on: the cluster's leases, the peers' streams, storage, and
 * the threads its work runs on.
 *
 * @param context        the event-loop context fills run on (upstream and peer traffic)
 * @param memberId       this member's id, as leases name it
 * @param dataStored     whether a blob's data is in storage (wherever linked)
 * @param uploads        storage's own uploads (not the proxy's, which refuse mirrored repositories)
 * @param spoolWriters   short file appends
 * @param storageWriters one long task per owned fill, blocked while the source sends
 * @param stallLimit     how long a fill may go without a byte while it looks for a source
 * @param writes         whether a fill may store what it fetched (not while the cluster is read-only)
 */
public record FillSources(Context context, FillLeases leases, String memberId, PeerFillClient peers, Predicate<Digest> dataStored,
                   Uploads uploads, Path spoolDirectory, WorkerExecutor spoolWriters, WorkerExecutor storageWriters,
                   Duration stallLimit, WriteGate writes) {
}
