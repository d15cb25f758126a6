package dev.fleetmirror.node.proxy;

import java.util.List;
import org.junit.jupiter.params.provider.Arguments;

/**
 * {@link AuthorizationMatrixTest}'s cells in the routing where the private upstream is the
 * {@code default: true} one beside {@code proxy.hosted}: a class of its own so that the two
 * routings run in two test JVMs at once.
 */
class AuthorizationMatrixDefaultUpstreamTest extends AuthorizationMatrixTest {

    /** Hides the parent's: the parameterised test takes its deployments from the class it runs in. */
    static List<Arguments> deployments() {
        return deployments(Routing.PRIVATE_DEFAULT);
    }
}
