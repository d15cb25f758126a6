package dev.fleetmirror.node.upstream;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Whether an upstream's credentials may be sent to the token realm its challenge names. A
 * registry (or anyone able to tamper with its answer) could otherwise name any URL as realm and
 * collect the configured password: credentials go only to the upstream's own host or a host of its
 * registrable domain ({@code registry-1.docker.io} -> {@code auth.docker.io}), and never over plain
 * HTTP when the upstream itself is HTTPS.
 *
 * <p>The registrable domain is approximated without the Public Suffix List: the last two labels,
 * or three under a two-letter country code whose second level is a generic one ({@code co.uk}).
 * That errs on the strict side for hosts under private suffixes.
 */
public final class CredentialPolicy {
    private static final Set<String> GENERIC_SECOND_LEVELS = Set.of("co", "com", "net", "org", "gov", "ac", "edu", "or", "ne", "go");

    private CredentialPolicy() {
    }

    public static boolean mayReceiveCredentials(URI upstream, URI realm) {
        if (realm.getHost() == null || upstream.getHost() == null) {
            return false;
        }
        if ("https".equalsIgnoreCase(upstream.getScheme()) && !"https".equalsIgnoreCase(realm.getScheme())) {
            return false;
        }
        String upstreamHost = upstream.getHost().toLowerCase(Locale.ROOT);
        String realmHost = realm.getHost().toLowerCase(Locale.ROOT);
        if (upstreamHost.equals(realmHost)) {
            return true;
        }
        if (isIpLiteral(upstreamHost) || isIpLiteral(realmHost)) {
            return false;
        }
        String domain = registrableDomain(upstreamHost);
        return domain != null && (realmHost.equals(domain) || realmHost.endsWith("." + domain));
    }

    static String registrableDomain(String host) {
        String[] labels = host.split("\\.");
        if (labels.length < 2) {
            return null;
        }
        int keep = 2;
        if (labels.length >= 3 && labels[labels.length - 1].length() == 2
                && GENERIC_SECOND_LEVELS.contains(labels[labels.length - 2])) {
            keep = 3;
        }
        if (labels.length < keep) {
            return null;
        }
        return String.join(".", java.util.Arrays.copyOfRange(labels, labels.length - keep, labels.length));
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> Character.isDigit(c) || c == '.');
    }
}
