package dev.fleetmirror.node.http;

import io.vertx.core.Future;
import java.util.concurrent.Callable;

/**
 * Storage tasks of one request (an upload session's start, writes, completion and close), run
 * strictly one after another on the storage workers, each after the previous one finished whether
 * it failed or not. Used from the request's event loop only.
 */
public final class SerialQueue {
    private final StorageWorkers workers;
    private Future<?> tail = Future.succeededFuture();

    SerialQueue(StorageWorkers workers) {
        this.workers = workers;
    }

    public <T> Future<T> submit(Callable<T> task) {
        Future<T> next = tail.transform(previous -> workers.run(task));
        tail = next;
        return next;
    }
}
