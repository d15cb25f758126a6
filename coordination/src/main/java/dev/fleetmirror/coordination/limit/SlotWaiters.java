package dev.fleetmirror.coordination.limit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member's requests waiting for a fill slot of one upstream, first come first served, each
 * with its own deadline. Whenever a slot may have been freed (here, or on another member of a
 * cluster) the waiter at the head tries to take one; a success moves on to the next waiter, a
 * failure waits for the next signal. The standalone and the Hazelcast limiter share this and differ
 * only in how a slot is taken and given back ({@link Slots}).
 *
 * <p>Nothing here blocks: attempts are asynchronous, and deadlines are timers.
 */
final class SlotWaiters {
    private static final Logger LOG = LoggerFactory.getLogger(SlotWaiters.class);
    /** The shortest Retry-After a client is told when no slot came free. */
    private static final Duration MIN_RETRY_AFTER = Duration.ofSeconds(1);

    /** How the slots themselves are kept: in memory, or in a cluster map. */
    interface Slots {
        /** Takes a slot if one is free now: true when taken. */
        CompletionStage<Boolean> tryTake();

        /** Returns a slot taken before. */
        CompletionStage<Void> giveBack();
    }

    private final String upstream;
    private final int capacity;
    private final Slots slots;
    private final ScheduledExecutorService timers;
    private final Deque<CompletableFuture<FillSlot>> queue = new ArrayDeque<>();
    private boolean draining;
    private boolean signalled;
    private boolean closed;

    SlotWaiters(String upstream, int capacity, Slots slots, ScheduledExecutorService timers) {
        this.upstream = upstream;
        this.capacity = capacity;
        this.slots = slots;
        this.timers = timers;
    }

    /** A timer thread for the waits of one {@link RateLimits}; a daemon, so it never holds a JVM up. */
    static ScheduledExecutorService timers(String name) {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        });
        timers.setRemoveOnCancelPolicy(true);
        return timers;
    }

    /** A slot at once when one is free and nobody waits; else a place in the queue, for at most {@code maxWait}. */
    CompletionStage<FillSlot> acquire(Duration maxWait) {
        boolean nobodyWaits;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the limiter of " + upstream + " is closed"));
            }
            nobodyWaits = queue.isEmpty();
        }
        if (!nobodyWaits) {
            return enqueue(maxWait);
        }
        // Not thenCompose: that would wrap the limit's exception in a CompletionException.
        CompletableFuture<FillSlot> result = new CompletableFuture<>();
        attempt().whenComplete((taken, failure) -> {
            if (failure != null) {
                result.completeExceptionally(unwrapped(failure));
            } else if (taken) {
                result.complete(held());
            } else {
                enqueue(maxWait).whenComplete((slot, waitFailure) -> {
                    if (waitFailure != null) {
                        result.completeExceptionally(unwrapped(waitFailure));
                    } else {
                        result.complete(slot);
                    }
                });
            }
        });
        return result;
    }

    private static Throwable unwrapped(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
    }

    private CompletionStage<FillSlot> enqueue(Duration maxWait) {
        long nanos = TokenBucket.nanos(maxWait);
        if (nanos <= 0) {
            return CompletableFuture.failedFuture(exceeded(maxWait));
        }
        CompletableFuture<FillSlot> waiter = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the limiter of " + upstream + " is closed"));
            }
            queue.addLast(waiter);
        }
        var deadline = timers.schedule(() -> {
            if (waiter.completeExceptionally(exceeded(maxWait))) {
                synchronized (this) {
                    queue.remove(waiter);
                }
            }
        }, nanos, TimeUnit.NANOSECONDS);
        waiter.whenComplete((slot, failure) -> deadline.cancel(false));
        // A slot freed between the failed attempt and the enqueue would otherwise wake nobody.
        signal();
        return waiter;
    }

    /** A slot may have been freed: the head of the queue tries to take it. */
    void signal() {
        synchronized (this) {
            if (draining) {
                signalled = true;
                return;
            }
            draining = true;
            signalled = false;
        }
        drain();
    }

    private void drain() {
        CompletableFuture<FillSlot> head;
        synchronized (this) {
            queue.removeIf(CompletableFuture::isDone);
            head = queue.peekFirst();
            signalled = false;
            if (head == null) {
                draining = false;
                return;
            }
        }
        attempt().whenComplete((taken, failure) -> {
            if (failure == null && taken) {
                synchronized (this) {
                    queue.remove(head);
                }
                FillSlot slot = held();
                if (!head.complete(slot)) {
                    slot.release(); // its wait ended meanwhile
                }
                drain();
                return;
            }
            if (failure != null) {
                LOG.warn("taking a fill slot of {} failed: {}; retrying until the wait ends", upstream, failure.toString());
            }
            boolean again;
            synchronized (this) {
                again = signalled;
                draining = again;
            }
            if (again) {
                drain();
            }
        });
    }

    private CompletionStage<Boolean> attempt() {
        try {
            return slots.tryTake();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A taken slot: given back once, then the queue is told. */
    private FillSlot held() {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                CompletionStage<Void> given;
                try {
                    given = slots.giveBack();
                } catch (RuntimeException e) {
                    given = CompletableFuture.failedFuture(e);
                }
                given.whenComplete((v, failure) -> {
                    if (failure != null) {
                        LOG.warn("giving back a fill slot of {} failed: {}", upstream, failure.toString());
                    }
                    signal();
                });
            }
        };
    }

    private LimitExceededException exceeded(Duration maxWait) {
        return new LimitExceededException(upstream, "all " + capacity + " concurrent fills of upstream " + upstream
                + " are busy and none ended within " + maxWait.toMillis() + " ms",
                maxWait.compareTo(MIN_RETRY_AFTER) < 0 ? MIN_RETRY_AFTER : maxWait);
    }

    /** Fails every waiter; later acquisitions fail at once. */
    void close() {
        List<CompletableFuture<FillSlot>> waiting;
        synchronized (this) {
            closed = true;
            waiting = List.copyOf(queue);
            queue.clear();
        }
        waiting.forEach(w -> w.completeExceptionally(new IllegalStateException("the limiter of " + upstream + " is closed")));
    }
}
