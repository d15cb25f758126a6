package dev.fleetmirror.node.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks Basic credentials against the htpasswd file without blocking the event loop: bcrypt
 * (tens of milliseconds by design) runs on a small worker pool of its own, and a successful check
 * is remembered for {@link #REMEMBER} under a SHA-256 of user and password (never the password
 * itself), so a client pulling an image's many blobs pays bcrypt once. The file is checked for
 * changes every {@link #RELOAD_INTERVAL}; a change forgets every remembered check.
 */
public final class PasswordChecks implements AutoCloseable {
    static final Duration REMEMBER = Duration.ofSeconds(60);
    static final Duration RELOAD_INTERVAL = Duration.ofSeconds(2);
    private static final int MAX_REMEMBERED = 10_000;
    private static final int BCRYPT_THREADS = 4;

    private final HtpasswdFile file;
    private final WorkerExecutor bcrypt;
    private final Vertx vertx;
    private final long timer;
    private final Map<String, Long> remembered = new ConcurrentHashMap<>();
    private volatile Htpasswd checkedAgainst;

    public PasswordChecks(Vertx vertx, HtpasswdFile file) {
        this.vertx = vertx;
        this.file = file;
        this.checkedAgainst = file.users();
        this.bcrypt = vertx.createSharedWorkerExecutor("fleetmirror-bcrypt", BCRYPT_THREADS);
        this.timer = vertx.setPeriodic(RELOAD_INTERVAL.toMillis(), id -> bcrypt.executeBlocking(() -> {
            file.reloadIfChanged();
            forgetIfChanged();
            return null;
        }, false));
    }

    private void forgetIfChanged() {
        if (file.users() != checkedAgainst) {
            remembered.clear();
            checkedAgainst = file.users();
        }
    }

    /** Whether the credentials are a user's of the file; completes on the caller's context. */
    public Future<Boolean> check(BasicCredentials credentials) {
        String key = key(credentials);
        Long until = remembered.get(key);
        if (until != null && until - System.nanoTime() > 0) {
            return Future.succeededFuture(true);
        }
        return bcrypt.executeBlocking(() -> {
            forgetIfChanged();
            Htpasswd users = file.users();
            boolean ok = users.matches(credentials);
            if (ok && users == file.users()) {
                if (remembered.size() >= MAX_REMEMBERED) {
                    remembered.clear();
                }
                remembered.put(key, System.nanoTime() + REMEMBER.toNanos());
            }
            return ok;
        }, false);
    }

    /** Whether the file names {@code user} (for callers that proved themselves otherwise). */
    public boolean knows(String user) {
        return file.users().hasUser(user);
    }

    private static String key(BasicCredentials credentials) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(credentials.user().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(credentials.password().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public void close() {
        vertx.cancelTimer(timer);
        bcrypt.close();
    }
}
