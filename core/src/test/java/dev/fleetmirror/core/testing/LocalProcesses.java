package dev.fleetmirror.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What every fixture that runs a server as a separate process needs (S3Proxy in storage-s3's
 * tests, the node and Distribution in node's): a free loopback port, and stopping the process by
 * its own id, politely first.
 */
public final class LocalProcesses {
    /** How long a process gets to die after SIGKILL before a fixture gives up waiting. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    /**
     * How long a fixture waits for a process it started to serve, or for started nodes to form
     * their cluster. Generous on purpose: a JVM's start is mostly CPU, and on a loaded 2-core CI
     * machine (two test JVMs and several node JVMs starting at once) one took over 40 s. A
     * healthy start never waits for the bound, and one that fails (the process exits) is reported
     * at once; the bound only catches a process that hangs.
     */
    public static final Duration READY_WITHIN = Duration.ofMinutes(3);

    private LocalProcesses() {
    }

    /** A port nothing listens on right now on 127.0.0.1. */
    /** Ports handed out by {@link #freeMemberPort()} in this JVM, never handed out twice. */
    private static final java.util.Set<Integer> MEMBER_PORTS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final java.util.Random RANDOM = new java.util.Random();

    /**
     * A free loopback port below Linux's ephemeral range (32768-60999), for a cluster member that a
     * test lists before it starts. A port from the ephemeral range can be the source port the
     * kernel picks when another member dials that not-yet-listening address, and the connection
     * then reaches itself ("Connecting to self!"); below the range that cannot happen.
     */
    public static int freeMemberPort() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = 20000 + RANDOM.nextInt(12000);
            if (!MEMBER_PORTS.add(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // in use: try another
            }
        }
        throw new IllegalStateException("no free loopback port between 20000 and 32000");
    }

    public static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Asks the process and its children to stop (SIGTERM), and kills the process when it has not
     * exited within {@code grace}. Never throws, so it can run in a {@code finally} or an
     * {@code @AfterAll}; an interrupt kills at once and keeps the thread's interrupt flag.
     */
    public static void stop(Process process, Duration grace) {
        ProcessHandle handle = process.toHandle();
        handle.descendants().forEach(ProcessHandle::destroy);
        handle.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                handle.destroyForcibly();
                process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            handle.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Sleeps between readiness polls; an interrupt ends the wait with an exception. */
    public static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
