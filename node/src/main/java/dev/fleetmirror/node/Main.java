package dev.fleetmirror.node;

/** Command-line entry point: {@code java -jar fleetmirror.jar serve [config.yml]}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.err.println("usage: fleetmirror serve [config.yml]");
        System.exit(2);
    }
}
