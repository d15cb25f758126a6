import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load generator for large GETs, for bench/warm.sh: CONNECTIONS kept-alive HTTP/1.1 connections,
 * each sending the same GET again as soon as the last answer was read whole, for SECONDS. Bodies are
 * read into one 1 MiB direct buffer per connection and dropped, so the client spends as little as
 * possible per byte (wrk reads 8 KiB at a time and tops out near 1 GB/s per thread; curl per
 * process near 2 GB/s): on a small machine the client competes with the servers for the CPU.
 *
 * <p>Prints "requests/s MB/s failures" (MB = 10^6 bytes), counting only answers read whole.
 *
 * <p>A 307 answer (a registry redirecting to presigned storage) is followed as a client does: the
 * GET goes to its {@code Location} over a second kept-alive connection of the same thread, and the
 * request counts once, with the body read there.
 *
 * <pre>java bench/BlobLoad.java URL CONNECTIONS SECONDS ["Header: value"]...</pre>
 */
public final class BlobLoad {
    private static final int BUFFER = 1 << 20;
    /** What {@link #readAnswer} returns for a 307; the Location is in {@link #lastLocation}. */
    private static final long REDIRECT = -2;
    private static final ThreadLocal<String> lastLocation = new ThreadLocal<>();

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int connections = Integer.parseInt(args[1]);
        long deadline = System.nanoTime() + (long) (Double.parseDouble(args[2]) * 1e9);
        StringBuilder request = new StringBuilder("GET ").append(uri.getRawPath())
                .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
        for (int i = 3; i < args.length; i++) {
            request.append(args[i]).append("\r\n");
        }
        byte[] head = request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        AtomicLong bytes = new AtomicLong();
        AtomicLong answers = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long started = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread thread = new Thread(() -> {
                SocketChannel redirected = null;
                String redirectedTo = "";
                try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(uri.getHost(), uri.getPort()))) {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
                    while (System.nanoTime() < deadline) {
                        channel.write(ByteBuffer.wrap(head));
                        long body = readAnswer(channel, buffer);
                        if (body == REDIRECT) {
                            URI location = URI.create(lastLocation.get());
                            String authority = location.getHost() + ":" + location.getPort();
                            if (redirected == null || !authority.equals(redirectedTo)) {
                                if (redirected != null) {
                                    redirected.close();
                                }
                                redirected = SocketChannel.open(new InetSocketAddress(location.getHost(), location.getPort()));
                                redirectedTo = authority;
                            }
                            redirected.write(ByteBuffer.wrap(("GET " + location.getRawPath()
                                    + (location.getRawQuery() == null ? "" : "?" + location.getRawQuery()) + " HTTP/1.1\r\n"
                                    + "Host: " + authority + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
                            body = readAnswer(redirected, buffer);
                        }
                        if (body < 0) {
                            failures.incrementAndGet();
                            return;
                        }
                        bytes.addAndGet(body);
                        answers.incrementAndGet();
                    }
                } catch (IOException e) {
                    failures.incrementAndGet();
                } finally {
                    if (redirected != null) {
                        try {
                            redirected.close();
                        } catch (IOException ignored) {
                            // done anyway
                        }
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "%.1f %.1f %d%n", answers.get() / seconds, bytes.get() / seconds / 1e6, failures.get());
    }

    /** Reads one answer whole; its body length, or -1 for an answer that is not a 200 with a length. */
    private static long readAnswer(SocketChannel channel, ByteBuffer buffer) throws IOException {
        buffer.clear();
        int headerEnd = -1;
        while (headerEnd < 0) {
            if (channel.read(buffer) < 0) {
                throw new IOException("connection closed in the headers");
            }
            headerEnd = find(buffer);
        }
        byte[] headerBytes = new byte[headerEnd];
        buffer.get(0, headerBytes);
        String headers = new String(headerBytes, StandardCharsets.ISO_8859_1);
        boolean ok = headers.startsWith("HTTP/1.1 200");
        boolean redirect = headers.startsWith("HTTP/1.1 307");
        long length = -1;
        for (String line : headers.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Long.parseLong(line.substring(15).trim());
            } else if (line.regionMatches(true, 0, "Location:", 0, 9)) {
                lastLocation.set(line.substring(9).trim());
            }
        }
        if (length < 0) {
            throw new IOException("no Content-Length in " + headers);
        }
        long remaining = length - (buffer.position() - headerEnd - 4);
        while (remaining > 0) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                throw new IOException("connection closed in the body");
            }
            remaining -= n;
        }
        return ok ? length : redirect ? REDIRECT : -1;
    }

    /** The index of CRLFCRLF in what was read so far, or -1. */
    private static int find(ByteBuffer buffer) {
        for (int i = 3; i < buffer.position(); i++) {
            if (buffer.get(i) == '\n' && buffer.get(i - 1) == '\r' && buffer.get(i - 2) == '\n' && buffer.get(i - 3) == '\r') {
                return i - 3;
            }
        }
        return -1;
    }
}
