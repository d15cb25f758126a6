package dev.fleetmirror.node.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Distribution's {@code http.tls}: the node serves HTTPS with a PEM certificate (chain) and key,
 * and with {@code clientcas} demands a client certificate signed by one of those CAs (mutual TLS).
 * HTTP/2 is offered by ALPN beside HTTP/1.1 unless {@code http.http2.disabled} is set.
 */
public record TlsConfig(Path certificate, Path key, List<Path> clientCas, boolean http2) {

    public TlsConfig {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        clientCas = List.copyOf(clientCas);
    }

    public boolean mutual() {
        return !clientCas.isEmpty();
    }

    /** Reads {@code http.tls} (absent: plain HTTP); files must be readable when the node starts. */
    static Optional<TlsConfig> read(ConfigTree tree) {
        Optional<String> certificate = tree.text("http.tls.certificate").filter(s -> !s.isBlank());
        Optional<String> key = tree.text("http.tls.key").filter(s -> !s.isBlank());
        List<String> clientCas = tree.strings("http.tls.clientcas");
        boolean http2 = !tree.bool("http.http2.disabled", false);
        if (certificate.isEmpty() && key.isEmpty()) {
            if (!clientCas.isEmpty()) {
                throw new ConfigException("http.tls.clientcas", "needs http.tls.certificate and http.tls.key");
            }
            return Optional.empty();
        }
        if (certificate.isEmpty() || key.isEmpty()) {
            throw new ConfigException(certificate.isEmpty() ? "http.tls.certificate" : "http.tls.key",
                    "http.tls needs both certificate and key (PEM files)");
        }
        Path cert = readable("http.tls.certificate", certificate.get());
        Path keyFile = readable("http.tls.key", key.get());
        List<Path> cas = new java.util.ArrayList<>();
        for (int i = 0; i < clientCas.size(); i++) {
            cas.add(readable("http.tls.clientcas." + i, clientCas.get(i)));
        }
        return Optional.of(new TlsConfig(cert, keyFile, cas, http2));
    }

    private static Path readable(String key, String value) {
        Path path = Path.of(value.trim());
        if (!Files.isReadable(path)) {
            throw new ConfigException(key, "'" + value + "' is not a readable file");
        }
        return path;
    }
}
