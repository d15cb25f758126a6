package dev.fleetmirror.node.distribution;

import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.http.Exchange;

/** {@code storage.delete.enabled: false} refuses blob and manifest deletes before storage is touched. */
final class DeletePolicy {
    private DeletePolicy() {
    }

    static void requireEnabled(Exchange exchange) {
        if (!exchange.services().deleteEnabled()) {
            throw new RegistryException(ErrorCode.UNSUPPORTED,
                    "deletes are disabled on this registry (storage.delete.enabled: false)");
        }
    }
}
