package dev.fleetmirror.node.upstream;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The bridge from the blocking registry services (called on storage workers) to the asynchronous
 * upstream client (running on its event loop): the worker waits for the answer. Refuses to run on
 * an event loop, where waiting would stall every connection of that loop, including the one the
 * answer must arrive on.
 */
public final class Blocking {
    private static final long TIMEOUT_SECONDS = 120;

    private Blocking() {
    }

    public static <T> T await(Future<T> future) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("waiting for an upstream answer on an event loop");
        }
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<T> value = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        future.onComplete(result -> {
            if (result.succeeded()) {
                value.set(result.result());
            } else {
                failure.set(result.cause());
            }
            done.countDown();
        });
        try {
            if (!done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no upstream answer within " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an upstream answer", e);
        }
        if (failure.get() instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure.get() != null) {
            throw new IllegalStateException(failure.get().getMessage(), failure.get());
        }
        return value.get();
    }
}
