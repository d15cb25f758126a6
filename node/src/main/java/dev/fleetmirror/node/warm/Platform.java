package dev.fleetmirror.node.warm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/** {@code os/architecture[/variant]}, as {@code --platform} takes it and an index lists it. */
public record Platform(String os, String architecture, Optional<String> variant) {

    /** @throws IllegalArgumentException for anything but two or three non-empty parts */
    public static Platform parse(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length < 2 || parts.length > 3 || java.util.Arrays.stream(parts).anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("'" + text + "' is not a platform; use os/architecture[/variant],"
                    + " e.g. linux/amd64 or linux/arm64/v8");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? Optional.of(parts[2]) : Optional.empty());
    }

    /** Whether an index entry's {@code platform} object is this one (without a variant, any variant). */
    public boolean matches(JsonNode platform) {
        return os.equals(platform.path("os").asText()) && architecture.equals(platform.path("architecture").asText())
                && (variant.isEmpty() || variant.get().equals(platform.path("variant").asText()));
    }

    /** An index entry's platform as text, "unknown" without one. */
    public static String describe(JsonNode platform) {
        if (platform.isMissingNode() || platform.isNull()) {
            return "unknown";
        }
        String variant = platform.path("variant").asText("");
        return platform.path("os").asText("?") + "/" + platform.path("architecture").asText("?")
                + (variant.isEmpty() ? "" : "/" + variant);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
    }
}
