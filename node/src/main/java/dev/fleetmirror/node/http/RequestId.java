package dev.fleetmirror.node.http;

import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The id of a request: the client's {@value #HEADER} when it sent a sensible one, else a new one.
 * It is echoed in the response, written in the access log, and sent along with the upstream and
 * peer requests made on the request's behalf. The id travels with the thread: the dispatcher sets it
 * while it routes, and {@link StorageWorkers} carries it to the worker that runs the storage and
 * upstream calls, which is where upstream requests are made.
 */
public final class RequestId {
    public static final String HEADER = "X-Request-Id";
    private static final int MAX_LENGTH = 128;
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private RequestId() {
    }

    /** The client's id when it is short and made of safe characters (it ends up in logs), else a new one. */
    public static String of(HttpServerRequest request) {
        String sent = request.getHeader(HEADER);
        return sent != null && valid(sent) ? sent : generate();
    }

    static boolean valid(String id) {
        if (id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '@' || c == '+' || c == '=' || c == '/';
            if (!safe) {
                return false;
            }
        }
        return true;
    }

    /** 64 random bits in hex: unique enough to find one request in a day of logs. */
    static String generate() {
        long bits = ThreadLocalRandom.current().nextLong();
        char[] out = new char[16];
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (bits & 0xf)];
            bits >>>= 4;
        }
        return new String(out);
    }

    /** The id the dispatcher gave the request of {@code response}, for work continued in a callback. */
    public static Optional<String> of(io.vertx.core.http.HttpServerResponse response) {
        return Optional.ofNullable(response.headers().get(HEADER));
    }

    /** The id of the request this thread works for now. */
    public static Optional<String> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** Makes {@code id} current on this thread; returns what was current, for {@link #restore}. */
    static String enter(String id) {
        String previous = CURRENT.get();
        CURRENT.set(id);
        return previous;
    }

    static void restore(String previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }

    /** Runs {@code call} with {@code id} current on this thread, for work continued on another thread. */
    public static <T> T within(Optional<String> id, java.util.function.Supplier<T> call) {
        if (id.isEmpty()) {
            return call.get();
        }
        String previous = enter(id.get());
        try {
            return call.get();
        } finally {
            restore(previous);
        }
    }

    /** {@code task}, run with the id current when this was called (if any). */
    public static <T> Callable<T> carried(Callable<T> task) {
        String id = CURRENT.get();
        if (id == null) {
            return task;
        }
        return () -> {
            String previous = enter(id);
            try {
                return task.call();
            } finally {
                restore(previous);
            }
        };
    }
}
