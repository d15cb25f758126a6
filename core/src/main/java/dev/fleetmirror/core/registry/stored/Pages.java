package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.registry.Page;
import dev.fleetmirror.core.error.RegistryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The paging shared by tag and catalog listings: lexical order, strictly after {@code last}, at most {@code limit}. */
final class Pages {
    private Pages() {
    }

    /**
     * @param sortedNames names in lexical order
     * @throws RegistryException PAGINATION_NUMBER_INVALID for a negative limit
     */
    static <T> Page<T> of(List<String> sortedNames, int limit, Optional<String> last, Function<String, T> convert) {
        if (limit < 0) {
            throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID,
                    "the number of results requested (n=" + limit + ") must not be negative");
        }
        List<T> items = new ArrayList<>();
        boolean more = false;
        for (String name : sortedNames) {
            if (last.isPresent() && name.compareTo(last.get()) <= 0) {
                continue;
            }
            if (items.size() == limit) {
                more = true;
                break;
            }
            items.add(convert.apply(name));
        }
        return new Page<>(items, more);
    }
}
