package dev.fleetmirror.node.distribution;

import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * How the blob and manifest deletes delete: {@code storage.delete.enabled: false} refuses them
 * before the path is parsed or storage is touched; otherwise storage deletes on a worker and the
 * client gets 202.
 */
final class DeletePolicy {
    private DeletePolicy() {
    }

    /**
     * @param parse    reads what to delete from the path's tail (a digest, a reference), refusing what is invalid
     * @param deletion deletes it from the registry, in the exchange's repository
     */
    static <T> Future<Void> delete(Exchange exchange, Function<String, T> parse, BiConsumer<Registry, T> deletion) {
        if (!exchange.services().deleteEnabled()) {
            throw new RegistryException(ErrorCode.UNSUPPORTED,
                    "deletes are disabled on this registry (storage.delete.enabled: false)");
        }
        T target = parse.apply(exchange.tail());
        return exchange.services().workers().run(() -> {
            deletion.accept(exchange.services().registry(), target);
            return null;
        }).compose(v -> exchange.endEmpty(202));
    }
}
