package dev.fleetmirror.coordination.gc;

import java.time.Duration;
import java.util.Set;

/**
 * The writes that reference content, recorded cluster-wide while a GC marks: the paths of the
 * revision, tag and layer links and the blob data every member stores. The GC lists the registry
 * while it is read-write; afterwards, in the short read-only window, it marks again from these
 * paths only (gc-job/GC-PROTOCOL.md says why that is enough).
 *
 * <p>A member records a path <em>before</em> it writes it. {@link #start} returns only once every
 * member records, and once every link write that began before a member started recording is over:
 * from then on no link can appear in storage without being in the journal.
 */
public interface WriteJournal extends AutoCloseable {

    /** One write in progress; closed when the write is over (done or failed). */
    interface Writing extends AutoCloseable {
        Writing NONE = () -> { };

        @Override
        void close();
    }

    /**
     * Called by storage before it writes {@code path}: records it if the journal is on. A link write
     * begun while the journal is off is counted until it is over, so that {@link #start} can wait for it.
     */
    Writing writing(String path, boolean link);

    /**
     * Every member records from now on; link writes that began unrecorded are over. Fails (leaving
     * the journal off) when they are not over within {@code timeout} or a member does not answer.
     */
    void start(Duration timeout) throws InterruptedException;

    /** The paths recorded since {@link #start}. */
    Set<String> recorded();

    /** Every member stops recording; the journal is emptied. */
    void stop();

    @Override
    default void close() {
    }
}
