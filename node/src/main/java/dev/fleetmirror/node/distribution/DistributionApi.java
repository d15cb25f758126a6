package dev.fleetmirror.node.distribution;

import static dev.fleetmirror.node.api.ApiPath.Resource.BASE;
import static dev.fleetmirror.node.api.ApiPath.Resource.BLOB;
import static dev.fleetmirror.node.api.ApiPath.Resource.CATALOG;
import static dev.fleetmirror.node.api.ApiPath.Resource.MANIFEST;
import static dev.fleetmirror.node.api.ApiPath.Resource.REFERRERS;
import static dev.fleetmirror.node.api.ApiPath.Resource.TAGS;
import static dev.fleetmirror.node.api.ApiPath.Resource.UPLOAD;
import static dev.fleetmirror.node.api.ApiPath.Resource.UPLOADS;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.HEAD;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;

import dev.fleetmirror.node.http.Dispatcher;
import dev.fleetmirror.node.api.NamespaceResolver;
import dev.fleetmirror.node.http.NodeServices;
import dev.fleetmirror.node.mode.WriteGate;

/** The OCI distribution API v1.1 of a hosted registry: every route and the endpoint serving it. */
public final class DistributionApi {
    private DistributionApi() {
    }

    public static Dispatcher dispatcher(NodeServices services, boolean readOnly) {
        return dispatcher(services, WriteGate.pinned(readOnly), NamespaceResolver.NONE);
    }

    /** With {@code namespaces} mapping containerd's {@code ?ns=} requests onto mirrored repositories. */
    public static Dispatcher dispatcher(NodeServices services, WriteGate writes, NamespaceResolver namespaces) {
        BlobFetch blobFetch = new BlobFetch();
        ManifestFetch manifestFetch = new ManifestFetch();
        BaseCheck base = new BaseCheck();
        return new Dispatcher(services, writes, namespaces)
                .route(BASE, GET, base)
                .route(BASE, HEAD, base)
                .route(CATALOG, GET, new CatalogList())
                .route(TAGS, GET, new TagList())
                .route(MANIFEST, GET, manifestFetch)
                .route(MANIFEST, HEAD, manifestFetch)
                .route(MANIFEST, PUT, new ManifestPut())
                .route(MANIFEST, DELETE, new ManifestDelete())
                .route(BLOB, GET, blobFetch)
                .route(BLOB, HEAD, blobFetch)
                .route(BLOB, DELETE, new BlobDelete())
                .route(UPLOADS, POST, new UploadStart(namespaces))
                .route(UPLOAD, GET, new UploadStatus())
                .route(UPLOAD, PATCH, new UploadChunk())
                .route(UPLOAD, PUT, new UploadFinish())
                .route(UPLOAD, DELETE, new UploadCancel())
                .route(REFERRERS, GET, new ReferrerList());
    }
}
