package dev.fleetmirror.node.http;

import dev.fleetmirror.node.metrics.AccessLog;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The end of one response, whichever way it comes: the response ends, or its connection closes
 * first. Vert.x keeps a single end handler and a single close handler per response, so everything
 * that must hear of the end (the write permit, metrics and access log, a blob streamer that must
 * stop) registers here instead of replacing the others' handler. Actions run once, on the
 * response's context.
 */
public final class ResponseEnd {
    private static final Map<HttpServerResponse, ResponseEnd> OPEN = new ConcurrentHashMap<>();

    /** What ran: {@code closed} when the connection closed before the response ended. */
    public interface Listener {
        void ended(boolean closed);
    }

    private final HttpServerResponse response;
    private final List<Listener> listeners = new ArrayList<>(2);
    private boolean done;
    /** Who the request was admitted as, once an admission said so; the access log names it. */
    private volatile String user = AccessLog.ANONYMOUS;

    private ResponseEnd(HttpServerResponse response) {
        this.response = response;
    }

    /** Installs the end and close handlers of {@code response}; call before anything else sets them. */
    static ResponseEnd install(HttpServerResponse response) {
        ResponseEnd end = new ResponseEnd(response);
        OPEN.put(response, end);
        response.endHandler(v -> end.finish(false));
        response.closeHandler(v -> end.finish(true));
        return end;
    }

    /**
     * Runs {@code action} when {@code response} ends or its connection closes. A response the
     * dispatcher did not set up gets {@code action} as its plain close handler.
     */
    public static void onClose(HttpServerResponse response, Runnable action) {
        ResponseEnd end = OPEN.get(response);
        if (end == null) {
            response.closeHandler(v -> action.run());
        } else {
            end.listen(closed -> action.run());
        }
    }

    /**
     * Records that the request of {@code response} was admitted as {@code user}, by the API's guard
     * or by an endpoint mounted beside the API that checks callers itself (the admin endpoints).
     */
    public static void admitted(HttpServerResponse response, String user) {
        ResponseEnd end = OPEN.get(response);
        if (end != null) {
            end.user = user;
        }
    }

    /** The user the request was admitted as, or {@link AccessLog#ANONYMOUS}. */
    String user() {
        return user;
    }

    synchronized void listen(Listener listener) {
        if (done) {
            listener.ended(!response.ended());
            return;
        }
        listeners.add(listener);
    }

    private void finish(boolean closed) {
        List<Listener> run;
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            run = List.copyOf(listeners);
            listeners.clear();
        }
        OPEN.remove(response);
        // An HTTP/2 stream may report its close before its end: only an unfinished response was cut short.
        boolean cut = closed && !response.ended();
        for (Listener listener : run) {
            listener.ended(cut);
        }
    }
}
