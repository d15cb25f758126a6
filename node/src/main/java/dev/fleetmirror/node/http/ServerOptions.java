package dev.fleetmirror.node.http;

import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.HttpLimits;
import dev.fleetmirror.node.config.TlsConfig;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP server's options from {@code http}: address, TLS (HTTP/2 by ALPN, client certificates
 * when {@code clientcas} is set) and the limits of {@link HttpLimits} that Netty enforces itself
 * (header sizes, idle timeout). HTTP/2 in clear text (h2c) is off: no registry client uses it, and
 * its detection of the connection preface would let a client hold a connection before the
 * {@link ConnectionGuard} sees it.
 */
public final class ServerOptions {
    /** A TLS handshake must finish within this; a client trickling its ClientHello is cut off. */
    static final long TLS_HANDSHAKE_SECONDS = 10;

    private ServerOptions() {
    }

    public static HttpServerOptions of(HttpConfig http) {
        HttpLimits limits = http.limits();
        HttpServerOptions options = new HttpServerOptions()
                .setHost(http.host())
                .setPort(http.port())
                .setHandle100ContinueAutomatically(true)
                .setCompressionSupported(false)
                .setHttp2ClearTextEnabled(false)
                .setMaxInitialLineLength(limits.maxHeaderBytes())
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setInitialSettings(new Http2Settings().setMaxHeaderListSize(limits.maxHeaderBytes()))
                // Frees connections of clients that stalled mid-request; long enough for a slow completion on S3.
                .setIdleTimeout((int) Math.max(1, limits.idle().toSeconds()))
                .setIdleTimeoutUnit(TimeUnit.SECONDS);
        http.tls().ifPresent(tls -> secure(options, tls));
        return options;
    }

    private static void secure(HttpServerOptions options, TlsConfig tls) {
        options.setSsl(true)
                .setSslHandshakeTimeout(TLS_HANDSHAKE_SECONDS)
                .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(tls.certificate().toString())
                        .setKeyPath(tls.key().toString()))
                .setUseAlpn(true)
                .setAlpnVersions(tls.http2() ? List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1) : List.of(HttpVersion.HTTP_1_1));
        if (tls.mutual()) {
            PemTrustOptions trust = new PemTrustOptions();
            for (Path ca : tls.clientCas()) {
                trust.addCertPath(ca.toString());
            }
            options.setTrustOptions(trust).setClientAuth(ClientAuth.REQUIRED);
        }
    }
}
