package dev.fleetmirror.node.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An nginx access log in {@link NginxProcess#LOG_FORMAT}, one {@link Request} per line. nginx
 * writes a line when a request ends, also when it was cut off: {@code bytesSent} is then what went
 * out before the cut, which is what an egress measure needs.
 */
public record NginxAccessLog(List<Request> requests) {
    private static final Pattern LINE = Pattern.compile("^(\\d{3}) (\\d+) \"(\\S+) (\\S+)[^\"]*\" \"([^\"]*)\"$");

    public NginxAccessLog {
        requests = List.copyOf(requests);
    }

    /**
     * @param status    the status sent to the client (nginx's own 499/502 when the client or the
     *                  backend went away)
     * @param bytesSent header and body bytes sent to the client
     * @param target    path and query as requested
     * @param backends  {@code $upstream_addr}: the backend(s) nginx tried, the last one answered
     */
    public record Request(int status, long bytesSent, String method, String target, String backends) {

        /** The path without the query. */
        public String path() {
            int query = target.indexOf('?');
            return query < 0 ? target : target.substring(0, query);
        }

        /** The backend that answered ({@code 127.0.0.1:port}), or empty when nginx answered itself. */
        public String backend() {
            String[] tried = backends.split(",\\s*");
            String last = tried[tried.length - 1].trim();
            return last.equals("-") ? "" : last;
        }
    }

    public static NginxAccessLog read(Path file) {
        List<Request> requests = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                Matcher m = LINE.matcher(line);
                if (!m.matches()) {
                    throw new IllegalStateException("not in the 'requests' log format: " + line);
                }
                requests.add(new Request(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), m.group(3), m.group(4),
                        m.group(5)));
            }
        } catch (NoSuchFileException e) {
            return new NginxAccessLog(List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new NginxAccessLog(requests);
    }

    public List<Request> matching(Predicate<Request> filter) {
        return requests.stream().filter(filter).toList();
    }

    /** The requests after the first {@code count} (what a phase of a test added to the log). */
    public NginxAccessLog after(int count) {
        return new NginxAccessLog(requests.subList(Math.min(count, requests.size()), requests.size()));
    }

    public int size() {
        return requests.size();
    }

    /** Body-carrying GETs of {@code path} (200, or 206 for a range): each one is a transfer, HEADs are not. */
    public List<Request> transfers(String path) {
        return matching(r -> r.method().equals("GET") && r.path().equals(path) && (r.status() == 200 || r.status() == 206));
    }

    public static long bytesSent(List<Request> requests) {
        return requests.stream().mapToLong(Request::bytesSent).sum();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        requests.forEach(r -> text.append("\n  ").append(r.status()).append(' ').append(r.bytesSent()).append(' ')
                .append(r.method()).append(' ').append(r.target()).append(" -> ").append(r.backends()));
        return text.toString();
    }
}
