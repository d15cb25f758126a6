package dev.fleetmirror.core.registry;

import java.util.List;

/** One page of a lexically sorted listing; {@code more} says whether entries follow the last. */
public record Page<T>(List<T> items, boolean more) {
    public Page {
        items = List.copyOf(items);
    }
}
