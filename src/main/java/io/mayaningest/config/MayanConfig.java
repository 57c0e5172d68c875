package io.mayaningest.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Where Mayan is and how to talk to it. Secrets come from configuration or the environment
 * ({@code MAYAN_TOKEN}, {@code MAYAN_PASSWORD}) and are never logged.
 */
@ConfigMapping(prefix = "mayan")
public interface MayanConfig {

    /** Base URL of Mayan, without {@code /api/v4}. */
    @WithDefault("http://127.0.0.1:8000")
    String url();

    /** API token, sent as {@code Authorization: Token <key>} (mayan-api.md §1: the keyword is Token, not Bearer). */
    Optional<String> token();

    /** User name for Basic authentication, used when no token is set. */
    Optional<String> username();

    Optional<String> password();

    /** Trust store (PKCS12 or JKS) for TLS to Mayan; the JVM's default trust store when empty. */
    Optional<String> trustStore();

    Optional<String> trustStorePassword();

    @WithDefault("PKCS12")
    String trustStoreType();

    @WithDefault("10s")
    Duration connectTimeout();

    /** Socket timeout of one request; uploads of large files stream within it. */
    @WithDefault("120s")
    Duration readTimeout();

    /** How long names resolved to ids (document types, metadata types, tags, cabinets) are cached. */
    @WithDefault("5m")
    Duration lookupCacheTtl();

    /** First wait before asking Mayan whether an uploaded file has been processed. */
    @WithDefault("500ms")
    Duration pollInitialDelay();

    /** Upper bound of the growing wait between two polls. */
    @WithDefault("10s")
    Duration pollMaxDelay();

    /**
     * How long Mayan may take to process an upload (its Celery workers compute the checksum later).
     * Past it the item is retried later by polling again, never by uploading again.
     */
    @WithDefault("10m")
    Duration fileTimeout();

    /** Redeliveries of a transient failure (connection refused, timeout, 5xx, 429) before the item is left for the next poll. */
    @WithDefault("5")
    int maxRetries();

    @WithDefault("1s")
    Duration retryInitialDelay();

    /**
     * After an upload whose answer was lost (timeout, crash), how long to keep looking for the document it
     * may have created before uploading again: Mayan finishes a request even when the client has gone.
     */
    @WithDefault("2m")
    Duration interruptedUploadGrace();

    /** Uploads sent to Mayan at the same time, across all sources; protects Mayan's workers from a burst. */
    @WithDefault("4")
    int maxInFlight();

    /** While Mayan is unreachable, how often it is asked whether it is back (sources pause meanwhile). */
    @WithDefault("5s")
    Duration healthInterval();

    @WithDefault("60s")
    Duration retryMaxDelay();

    /**
     * Requests per second the service sends to Mayan at most, evenly spaced (MayanThrottle); 0 = no limit.
     * Mayan 4.12 throttles each user at 20 per second per gunicorn worker (REST_API_THROTTLING_RATE_USER),
     * so 18 meets no 429 even when one worker takes every request (4.10: 10 per second; 4.5: no throttle).
     * Off by default: the right figure depends on Mayan's release, its workers and how many replicas share
     * it (the limit is per process), and a wrong default would cap every installation; a 429 is honoured
     * with its Retry-After either way.
     */
    @WithDefault("0")
    double maxRequestsPerSecond();

    /**
     * Label of the Mayan source whose {@code document_upload} action takes new documents (the sources
     * action API). Unset: the web-form source "Default" that a fresh Mayan has, else the first enabled
     * source offering {@code document_upload} with file uploads; without one, the deprecated
     * {@code documents/upload/} (see MayanClient).
     */
    Optional<String> uploadSource();

    /** User-Agent of every request to Mayan (shows in Mayan's access log); default {@code mayan-ingest/<version>}. */
    Optional<String> userAgent();
}
