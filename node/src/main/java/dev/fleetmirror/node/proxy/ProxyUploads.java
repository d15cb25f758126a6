package dev.fleetmirror.node.proxy;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.core.registry.Uploads;

/** Uploads go to hosted repositories only; a mirrored namespace belongs to its upstream. */
final class ProxyUploads implements Uploads {
    private final Uploads local;
    private final UpstreamRoutes routes;

    ProxyUploads(Uploads local, UpstreamRoutes routes) {
        this.local = local;
        this.routes = routes;
    }

    @Override
    public UploadSession start(RepositoryName repo) {
        routes.requireHosted(repo, "pushing");
        return local.start(repo);
    }

    @Override
    public UploadSession resume(RepositoryName repo, String uploadId) {
        routes.requireHosted(repo, "pushing");
        return local.resume(repo, uploadId);
    }

    @Override
    public void cancel(RepositoryName repo, String uploadId) {
        routes.requireHosted(repo, "pushing");
        local.cancel(repo, uploadId);
    }
}
