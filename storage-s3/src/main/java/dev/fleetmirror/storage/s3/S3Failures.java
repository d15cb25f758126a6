package dev.fleetmirror.storage.s3;

import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageException;
import dev.fleetmirror.core.storage.StorageUnavailableException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns what the SDK throws (after its own retries) into the storage SPI's typed errors, with a
 * message an operator can act on: which endpoint, which bucket, which operation, what S3 said.
 */
final class S3Failures {
    private final String endpoint;
    private final String bucket;

    S3Failures(String endpoint, String bucket) {
        this.endpoint = endpoint;
        this.bucket = bucket;
    }

    StorageException translate(String operation, String path, SdkException e) {
        if (e instanceof S3Exception s3) {
            return translate(operation, path, s3);
        }
        if (e instanceof SdkClientException) {
            // Connection refused or reset, timeouts, DNS: the endpoint is not answering.
            return new StorageUnavailableException(path, "S3 endpoint " + endpoint + " is unreachable ("
                    + operation + " " + path + " in bucket " + bucket + "): " + rootMessage(e), e);
        }
        return new StorageException(path, "S3 " + operation + " " + path + " failed: " + e.getMessage(), e);
    }

    private StorageException translate(String operation, String path, S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        int status = e.statusCode();
        String said = status + (code == null ? "" : " " + code);
        if ("NoSuchBucket".equals(code)) {
            return new StorageUnavailableException(path, "S3 bucket " + bucket + " does not exist at " + endpoint
                    + " (" + operation + " " + path + ")", e);
        }
        if (status == 404) {
            return new PathNotFoundException(path);
        }
        if (status >= 500 || status == 429) {
            return new StorageUnavailableException(path, "S3 endpoint " + endpoint + " answered " + said
                    + " to " + operation + " " + path + " in bucket " + bucket + " after retries", e);
        }
        if (status == 403) {
            return new StorageException(path, "S3 denied " + operation + " " + path + " in bucket " + bucket
                    + " (" + said + "): check storage.s3.accesskey/secretkey and the bucket policy", e);
        }
        return new StorageException(path, "S3 " + operation + " " + path + " in bucket " + bucket + " failed: "
                + said + " " + e.awsErrorDetails().errorMessage(), e);
    }

    static boolean isNotFound(SdkException e) {
        return e instanceof S3Exception s3 && s3.statusCode() == 404
                && (s3.awsErrorDetails() == null || !"NoSuchBucket".equals(s3.awsErrorDetails().errorCode()));
    }

    static boolean isInvalidRange(SdkException e) {
        return e instanceof S3Exception s3 && s3.statusCode() == 416;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return t == e ? message : e.getMessage() + " (" + message + ")";
    }
}
