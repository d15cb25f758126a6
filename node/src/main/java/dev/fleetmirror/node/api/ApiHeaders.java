package dev.fleetmirror.node.api;

/** Header names and values of the distribution API. */
public final class ApiHeaders {
    public static final String API_VERSION = "Docker-Distribution-API-Version";
    public static final String API_VERSION_VALUE = "registry/2.0";
    public static final String CONTENT_DIGEST = "Docker-Content-Digest";
    public static final String UPLOAD_UUID = "Docker-Upload-UUID";
    public static final String OCI_SUBJECT = "OCI-Subject";
    public static final String OCI_FILTERS_APPLIED = "OCI-Filters-Applied";
    public static final String JSON = "application/json";
    public static final String OCTET_STREAM = "application/octet-stream";

    private ApiHeaders() {
    }
}
