package dev.fleetmirror.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The parsed YAML with environment overrides applied, read by dotted key. It remembers every key
 * the loader asked about, so that whatever else the file holds (Distribution keys this node does
 * not implement) can be reported once, by name, instead of being silently ignored or fatal.
 */
final class ConfigTree {
    /** Names the config file (as in Distribution), not a key in it. */
    static final String CONFIGURATION_PATH_ENV = "REGISTRY_CONFIGURATION_PATH";

    private final ObjectNode root;
    private final Set<String> known = new HashSet<>();

    ConfigTree(ObjectNode root) {
        this.root = root;
    }

    static ConfigTree empty() {
        return new ConfigTree(JsonNodeFactory.instance.objectNode());
    }

    /**
     * Applies Distribution's overrides: {@code REGISTRY_STORAGE_DELETE_ENABLED=false} sets
     * {@code storage.delete.enabled}. Levels are separated by {@code _}; keys are lower-case.
     */
    void applyEnvironment(Map<String, String> env) {
        env.entrySet().stream()
                .filter(e -> e.getKey().startsWith("REGISTRY_") && e.getKey().length() > "REGISTRY_".length())
                .filter(e -> !e.getKey().equals(CONFIGURATION_PATH_ENV))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> set(e.getKey().substring("REGISTRY_".length()).toLowerCase(Locale.ROOT).split("_"),
                        e.getValue()));
    }

    private void set(String[] path, String value) {
        ObjectNode node = root;
        for (int i = 0; i < path.length - 1; i++) {
            String field = spelledAsInFile(node, path[i]);
            JsonNode child = node.get(field);
            if (!(child instanceof ObjectNode)) {
                child = node.putObject(field);
            }
            node = (ObjectNode) child;
        }
        node.put(spelledAsInFile(node, path[path.length - 1]), value);
    }

    /**
     * Environment names are upper case, so {@code REGISTRY_CLUSTER_MINIMUMSIZE} must override the
     * file's {@code cluster.minimumSize} rather than sit beside it as {@code minimumsize}.
     */
    private static String spelledAsInFile(ObjectNode node, String lowerCase) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (name.equalsIgnoreCase(lowerCase)) {
                return name;
            }
        }
        return lowerCase;
    }

    /** The scalar at {@code key} as text; a mapping or list there is an error naming the key. */
    Optional<String> text(String key) {
        known.add(key);
        JsonNode node = node(key);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isValueNode()) {
            throw new ConfigException(key, "must be a single value, not a " + (node.isArray() ? "list" : "mapping"));
        }
        return Optional.of(node.asText());
    }

    /** The whole number at {@code key}, at least {@code minimum}; {@code fallback} when absent. */
    int wholeNumber(String key, int fallback, int minimum) {
        return text(key).map(String::trim).map(v -> {
            int value;
            try {
                value = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new ConfigException(key, "'" + v + "' is not a whole number");
            }
            if (value < minimum) {
                throw new ConfigException(key, "must be at least " + minimum);
            }
            return value;
        }).orElse(fallback);
    }

    boolean bool(String key, boolean fallback) {
        return text(key).map(v -> switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(key, "'" + v + "' is not a boolean; use true or false");
        }).orElse(fallback);
    }

    /**
     * The scalars directly under a section, by their key within it, for a reader (such as a storage
     * driver's own config) that validates the keys itself. Registers every key as known.
     */
    Map<String, String> scalars(String key) {
        known.add(key);
        JsonNode section = node(key);
        Map<String, String> values = new java.util.LinkedHashMap<>();
        if (section == null || section.isNull()) {
            return values;
        }
        if (!section.isObject()) {
            throw new ConfigException(key, "must be a mapping of keys to values");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = section.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String child = key + "." + field.getKey();
            known.add(child);
            if (!field.getValue().isValueNode()) {
                throw new ConfigException(child, "must be a single value, not a "
                        + (field.getValue().isArray() ? "list" : "mapping"));
            }
            if (!field.getValue().isNull()) {
                values.put(field.getKey(), field.getValue().asText());
            }
        }
        return values;
    }

    /**
     * The list of scalars at {@code key}, or a single scalar split at commas (the form an
     * environment override takes); empty when absent. Registers the key as known.
     */
    List<String> strings(String key) {
        known.add(key);
        JsonNode node = node(key);
        List<String> values = new ArrayList<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (node.isValueNode()) {
            for (String part : node.asText().split(",")) {
                if (!part.isBlank()) {
                    values.add(part.trim());
                }
            }
            return values;
        }
        if (!node.isArray()) {
            throw new ConfigException(key, "must be a list, not a mapping");
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isValueNode() || item.isNull()) {
                throw new ConfigException(key + "." + i, "must be a single value");
            }
            values.add(item.asText().trim());
        }
        return values;
    }

    /** True when {@code key} is present (scalar or section). Registers it as known. */
    boolean has(String key) {
        known.add(key);
        JsonNode node = node(key);
        return node != null && !node.isNull();
    }

    /** How many entries the list at {@code key} has (0 when absent); entries are read as {@code key.<index>.field}. */
    int listSize(String key) {
        known.add(key);
        JsonNode node = node(key);
        if (node == null || node.isNull()) {
            return 0;
        }
        if (!node.isArray()) {
            throw new ConfigException(key, "must be a list");
        }
        return node.size();
    }

    /** The field names of the mapping at {@code key}, for readers that reject unknown fields themselves. */
    List<String> fieldNames(String key) {
        JsonNode node = node(key);
        if (node == null || !node.isObject()) {
            throw new ConfigException(key, "must be a mapping");
        }
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Keys present in the tree that no reader asked about, at the shallowest level where they diverge. */
    List<String> unknownKeys() {
        List<String> unknown = new ArrayList<>();
        collectUnknown(root, "", unknown);
        return unknown;
    }

    private void collectUnknown(JsonNode node, String prefix, List<String> unknown) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            boolean isKnown = known.contains(key);
            if (isKnown && !field.getValue().isObject()) {
                continue;
            }
            boolean ancestorOfKnown = isKnown || known.stream().anyMatch(k -> k.startsWith(key + "."));
            if (ancestorOfKnown && field.getValue().isObject()) {
                collectUnknown(field.getValue(), key, unknown);
            } else {
                unknown.add(key);
            }
        }
    }

    private JsonNode node(String key) {
        JsonNode node = root;
        for (String part : key.split("\\.")) {
            if (node != null && node.isArray() && part.chars().allMatch(Character::isDigit)) {
                node = node.get(Integer.parseInt(part));
                continue;
            }
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(part);
        }
        return node;
    }
}
