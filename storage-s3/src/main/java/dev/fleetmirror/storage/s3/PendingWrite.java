package dev.fleetmirror.storage.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a writer closed without commit leaves for the next {@code writer(path, true)}, on this node or
 * any other: the multipart upload it started, the parts already in it, and the tail, the bytes after
 * the last full part, which S3 cannot take as a part yet (every part but the last must hold at least
 * 5 MiB).
 *
 * <p>It is stored as ONE object (see {@link S3Keys#pending}): a short text header, an empty line,
 * then the tail bytes. One object means one GET to resume and one PUT to suspend, and the header and
 * tail can never disagree after a crash: the previous version stays whole until the PUT replaces it.
 *
 * <pre>
 * fleetmirror-s3-pending 1
 * upload &lt;uploadId, URL-encoded&gt;
 * part &lt;number&gt; &lt;size&gt; &lt;etag, URL-encoded&gt;
 * tail &lt;size&gt;
 *
 * &lt;tail bytes&gt;
 * </pre>
 */
record PendingWrite(Optional<String> uploadId, List<Part> parts, long tailSize) {
    private static final String MAGIC = "fleetmirror-s3-pending 1";
    /** 10,000 parts of about 60 header bytes each fit comfortably. */
    private static final int MAX_HEADER = 4 * 1024 * 1024;

    record Part(int number, long size, String etag) {
    }

    /** The object is not a pending write this version can read (as opposed to a failed read). */
    static final class Malformed extends IOException {
        Malformed(String message) {
            super(message);
        }

        Malformed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    PendingWrite {
        parts = List.copyOf(parts);
    }

    long partsSize() {
        return parts.stream().mapToLong(Part::size).sum();
    }

    long size() {
        return partsSize() + tailSize;
    }

    byte[] header() {
        StringBuilder text = new StringBuilder(MAGIC).append('\n');
        uploadId.ifPresent(id -> text.append("upload ").append(encode(id)).append('\n'));
        for (Part part : parts) {
            text.append("part ").append(part.number()).append(' ').append(part.size()).append(' ')
                    .append(encode(part.etag())).append('\n');
        }
        text.append("tail ").append(tailSize).append("\n\n");
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads the header; the stream is left at the first tail byte. */
    static PendingWrite readHeader(InputStream in) throws IOException {
        String first = readLine(in);
        if (!MAGIC.equals(first)) {
            throw new Malformed("not a pending-write object (starts with '" + first + "')");
        }
        Optional<String> uploadId = Optional.empty();
        List<Part> parts = new ArrayList<>();
        Long tail = null;
        int headerBytes = first.length();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            headerBytes += line.length() + 1;
            if (headerBytes > MAX_HEADER) {
                throw new Malformed("pending-write header exceeds " + MAX_HEADER + " bytes");
            }
            String[] fields = line.split(" ");
            try {
                switch (fields[0]) {
                    case "upload" -> uploadId = Optional.of(decode(fields[1]));
                    case "part" -> parts.add(new Part(Integer.parseInt(fields[1]), Long.parseLong(fields[2]),
                            decode(fields[3])));
                    case "tail" -> tail = Long.parseLong(fields[1]);
                    default -> throw new Malformed("unknown pending-write field '" + fields[0] + "'");
                }
            } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
                throw new Malformed("malformed pending-write line '" + line + "'", e);
            }
        }
        if (tail == null) {
            throw new Malformed("pending-write header has no tail size");
        }
        return new PendingWrite(uploadId, parts, tail);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new Malformed("pending-write header ends early");
            }
            if (line.size() > MAX_HEADER) {
                throw new Malformed("pending-write header line too long");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
