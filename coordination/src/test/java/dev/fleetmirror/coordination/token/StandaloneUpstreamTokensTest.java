package dev.fleetmirror.coordination.token;

import dev.fleetmirror.coordination.SharedCaches;

/** A node without a cluster: its upstream callers share one in-memory token cache. */
class StandaloneUpstreamTokensTest extends UpstreamTokensContract {
    private final UpstreamTokens tokens = SharedCaches.standalone("local").upstreamTokens();

    @Override
    UpstreamTokens member(int index) {
        return tokens;
    }
}
