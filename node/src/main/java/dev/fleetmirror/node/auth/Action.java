package dev.fleetmirror.node.auth;

import io.vertx.core.http.HttpMethod;
import java.util.Locale;
import java.util.Optional;

/** What a caller does to a repository, in the words of the Docker token spec's scopes. */
public enum Action {
    PULL, PUSH, DELETE;

    /** The scope word: {@code pull}, {@code push}, {@code delete}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Action> parse(String word) {
        for (Action action : values()) {
            if (action.word().equals(word.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(action);
            }
        }
        return Optional.empty();
    }

    /** GET and HEAD pull, DELETE deletes, every other method (PUT, POST, PATCH) pushes. */
    public static Action of(HttpMethod method) {
        if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
            return PULL;
        }
        return method == HttpMethod.DELETE ? DELETE : PUSH;
    }
}
