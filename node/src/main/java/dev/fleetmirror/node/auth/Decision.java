package dev.fleetmirror.node.auth;

/**
 * The answer of an {@link AccessDecider}. A refusal's reason goes into the error message the
 * client sees, so it must not contain credentials.
 */
public record Decision(boolean allowed, String reason) {
    public static final Decision ALLOW = new Decision(true, "");

    public static Decision deny(String reason) {
        return new Decision(false, reason);
    }
}
