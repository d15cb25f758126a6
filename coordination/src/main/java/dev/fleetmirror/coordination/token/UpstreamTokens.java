package dev.fleetmirror.coordination.token;

import java.util.Optional;

/**
 * Bearer tokens of upstream token services, shared by the members so that a token one member
 * fetched for a scope serves every member using the same credentials until shortly before it
 * expires. Passwords never enter it: a {@link TokenKey} names the credentials by a slow hash.
 *
 * <p>Methods may block briefly on the network: call them on worker threads.
 */
public interface UpstreamTokens {

    /** A token for {@code key} that has not expired, if a member stored one. */
    Optional<SharedToken> get(TokenKey key);

    /** Offers {@code token} to the other members until it expires; an expired one is ignored. */
    void put(TokenKey key, SharedToken token);

    /** Drops {@code token} (the upstream refused it), unless a member already replaced it. */
    void forget(TokenKey key, String token);
}
