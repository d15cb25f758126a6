package dev.fleetmirror.coordination.token;

import dev.fleetmirror.coordination.expiring.ExpiringMap;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Upstream tokens as entries of an {@link ExpiringMap} that expire with the tokens: {@code <epoch millis>\n<token>}. */
public final class ExpiringUpstreamTokens implements UpstreamTokens {
    private final ExpiringMap entries;

    public ExpiringUpstreamTokens(ExpiringMap entries) {
        this.entries = entries;
    }

    @Override
    public Optional<SharedToken> get(TokenKey key) {
        return entries.get(key.entryKey()).map(ExpiringUpstreamTokens::decode)
                .filter(token -> Instant.now().isBefore(token.expires()));
    }

    @Override
    public void put(TokenKey key, SharedToken token) {
        Duration left = Duration.between(Instant.now(), token.expires());
        if (!left.isNegative() && !left.isZero()) {
            entries.put(key.entryKey(), encode(token), left);
        }
    }

    @Override
    public void forget(TokenKey key, String token) {
        entries.get(key.entryKey())
                .filter(value -> decode(value).token().equals(token))
                .ifPresent(value -> entries.remove(key.entryKey(), value));
    }

    private static String encode(SharedToken token) {
        return token.expires().toEpochMilli() + "\n" + token.token();
    }

    private static SharedToken decode(String value) {
        int newline = value.indexOf('\n');
        return new SharedToken(value.substring(newline + 1), Instant.ofEpochMilli(Long.parseLong(value.substring(0, newline))));
    }
}
