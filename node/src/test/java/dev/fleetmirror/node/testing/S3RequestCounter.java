package dev.fleetmirror.node.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts S3 requests at the endpoint, by kind, on their way to S3Proxy: a TCP relay on loopback
 * that reads the request heads the client sends (it must, to find where each body ends) and passes
 * every byte through unchanged, Host header included, so SigV4 signatures still verify. Responses
 * are copied without parsing, so interim answers ({@code 100 Continue}) flow as they come. The
 * Java twin of {@code bench/s3-count.py}, for tests that assert what the node asked of storage
 * rather than what its own metrics say.
 */
public final class S3RequestCounter implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "s3-request-counter");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private S3RequestCounter(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
    }

    /** Listens on a free loopback port and relays to {@code s3} (an http endpoint). */
    public static S3RequestCounter start(URI s3) throws IOException {
        ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        S3RequestCounter counter = new S3RequestCounter(server, new InetSocketAddress(s3.getHost(), s3.getPort()));
        counter.threads.execute(counter::accept);
        return counter;
    }

    /** Where clients send S3 requests to be counted. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Requests counted since the last {@link #reset}, by kind (GET, LIST, HEAD, PUT, POST, DELETE). */
    public Map<String, Long> counts() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((kind, n) -> copy.put(kind, n.get()));
        return copy;
    }

    public long total() {
        return counts.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** "METHOD path" of every request since the last reset, for messages of failed assertions. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    public void reset() {
        counts.clear();
        requests.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                threads.execute(() -> relay(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket client) {
        try (client; Socket upstream = new Socket()) {
            open.add(upstream);
            upstream.connect(target);
            threads.execute(() -> {
                try {
                    upstream.getInputStream().transferTo(client.getOutputStream());
                } catch (IOException ignored) {
                    // one side closed: the other follows
                } finally {
                    closeQuietly(client);
                }
            });
            InputStream in = client.getInputStream();
            OutputStream out = upstream.getOutputStream();
            while (true) {
                byte[] head = readHead(in);
                if (head == null) {
                    return;
                }
                String text = new String(head, StandardCharsets.ISO_8859_1);
                String[] lines = text.split("\r\n");
                String[] requestLine = lines[0].split(" ");
                count(requestLine[0], requestLine.length > 1 ? requestLine[1] : "/");
                out.write(head);
                out.flush();
                long length = 0;
                boolean chunked = false;
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = lines[i].substring(colon + 1).trim();
                    if (name.equals("content-length")) {
                        length = Long.parseLong(value);
                    } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                        chunked = true;
                    }
                }
                if (chunked) {
                    copyChunked(in, out);
                } else {
                    copy(in, out, length);
                }
                out.flush();
            }
        } catch (IOException e) {
            // the client or S3Proxy closed the connection
        }
    }

    private void count(String method, String path) {
        requests.add(method + " " + path);
        counts.computeIfAbsent(kind(method, path), k -> new AtomicLong()).incrementAndGet();
    }

    /** As {@code bench/s3-count.py} sorts them: a bucket-level GET is a listing. */
    static String kind(String method, String path) {
        int query = path.indexOf('?');
        String plain = query < 0 ? path : path.substring(0, query);
        String params = query < 0 ? "" : path.substring(query + 1);
        if (method.equals("GET")) {
            long segments = java.util.Arrays.stream(plain.split("/")).filter(s -> !s.isEmpty()).count();
            return segments <= 1 || params.contains("list-type") || params.contains("prefix=") ? "LIST" : "GET";
        }
        return method;
    }

    /** The request head up to and including the blank line, or null at the end of the stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toByteArray();
    }

    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (length > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length));
            if (n < 0) {
                throw new IOException("body ended early");
            }
            out.write(buffer, 0, n);
            length -= n;
        }
    }

    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                // trailers up to the blank line
                String trailer;
                do {
                    trailer = readLine(in);
                    out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                } while (!trailer.isEmpty());
                return;
            }
            copy(in, out, size + 2);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("stream ended in a chunk header");
            }
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            previous = b;
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(S3RequestCounter::closeQuietly);
        threads.shutdownNow();
    }
}
