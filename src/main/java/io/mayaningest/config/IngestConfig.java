package io.mayaningest.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The service's own settings: data directory and the named sources. */
@ConfigMapping(prefix = "ingest")
public interface IngestConfig {

    /** Ledger database and spool live here (the H2 URL in application.properties points inside it). */
    @WithDefault("./data")
    String dataDir();

    /** Sources by name: {@code ingest.sources.<name>.*}. */
    Map<String, SourceConfig> sources();

    /** The operator API ({@code /api/*}) and the metrics endpoint. */
    Operator operator();

    /**
     * Programs that upload through the HTTP API ({@code kind=http} sources), by client name:
     * {@code ingest.api-clients.<client>.token} (bearer) or {@code .username} and {@code .password}
     * (Basic). Each http source names the clients it lets in ({@code ingest.sources.<name>.clients}).
     */
    Map<String, ApiClient> apiClients();

    interface ApiClient {
        /** Bearer token; put it in the environment (e.g. INGEST_API_CLIENTS_SCANNER_TOKEN). */
        Optional<String> token();

        /** Basic authentication: this user name with {@link #password()}. */
        Optional<String> username();

        Optional<String> password();
    }

    interface Operator {
        /** Bearer token for the operator API and /q/metrics (env INGEST_OPERATOR_TOKEN). Without it and a password, both answer 401. */
        Optional<String> token();

        /** Basic authentication: this user name with {@link #password()}. */
        @WithDefault("operator")
        String username();

        /** Password for Basic authentication (env INGEST_OPERATOR_PASSWORD). */
        Optional<String> password();
    }

    // ---- cluster: single-reader sources read by one leader (io.mayaningest.cluster) ------------------

    /** How replicas agree on the one that reads each leader-only source. */
    Cluster cluster();

    interface Cluster {
        /**
         * {@code none} (one instance: every source reads here), {@code file} (a lock file per source in
         * {@code ingest.cluster.file.root}, a directory all replicas share) or {@code kubernetes} (a
         * coordination.k8s.io Lease per source).
         */
        @WithDefault("none")
        String kind();

        ClusterFile file();

        ClusterKubernetes kubernetes();
    }

    interface ClusterFile {
        /** kind=file: the directory every replica shares (a local or network file system with locks). */
        Optional<String> root();

        /** kind=file: wait this long after start before the first try for a lock. */
        @WithDefault("1s")
        Duration acquireLockDelay();

        /** kind=file: a standby replica tries for the lock this often (the hand-over time after a leader dies). */
        @WithDefault("5s")
        Duration acquireLockInterval();
    }

    interface ClusterKubernetes {
        /** kind=kubernetes: namespace of the Leases; default the pod's own (the client's) namespace. */
        Optional<String> namespace();

        /** kind=kubernetes: a lease not renewed for this long can be taken by another pod. */
        @WithDefault("15s")
        Duration leaseDuration();

        /** kind=kubernetes: the leader gives up the role if it could not renew for this long. */
        @WithDefault("10s")
        Duration renewDeadline();

        /** kind=kubernetes: how often each pod looks at (and the leader renews) the lease. */
        @WithDefault("2s")
        Duration retryPeriod();

        /** kind=kubernetes: this pod's name (default: the environment's HOSTNAME, which Kubernetes sets to it). */
        Optional<String> podName();

        /** kind=kubernetes: Lease names are {@code <lease-prefix>-mayan-ingest-<source>}. */
        @WithDefault("leaders")
        String leasePrefix();

        /**
         * kind=kubernetes: labels ({@code key=value}, comma-separated) that select the pods of this
         * deployment; a pod must be among them to lead, and a leader's pod that is gone is replaced at once.
         */
        @WithDefault("app.kubernetes.io/name=mayan-ingest")
        List<String> clusterLabels();
    }

    /** Result events for the enterprise bus. */
    Events events();

    interface Events {
        /** A JMS queue or topic ({@code queue:x} / {@code topic:x}, or a plain name for a queue) receiving one JSON event per item. */
        Optional<String> destination();
    }

    // ---- claims: several replicas on one PostgreSQL ledger (README "Operations: running several replicas")

    /** claims: the ledger's settings ({@code ingest.ledger.*}). */
    LedgerSettings ledger();

    /**
     * claims: this replica's name in the ledger's claims ({@code ingest.replica-id}); default the host
     * name and the process id. Each running replica needs its own.
     */
    Optional<String> replicaId();

    /** claims */
    interface LedgerSettings {
        /**
         * How long a replica's claim of an item lasts without renewal: a replica renews its claims every
         * third of it while it works; the items of a replica that died are taken over by another once it
         * passed.
         */
        @WithDefault("30s")
        Duration claimLease();
    }

    interface SourceConfig {

        /** {@code file} (watched folder), {@code sftp}, {@code imap}, {@code pop3}, {@code jms}, {@code route} or {@code http}. */
        String kind();

        @WithDefault("true")
        boolean enabled();

        // ---- cluster -------------------------------------------------------------------------------

        /**
         * file, sftp, imap, pop3: with {@code ingest.cluster.kind} file or kubernetes, only the leader
         * replica reads this source. Default {@code true} for imap and pop3, {@code false} for file and sftp.
         */
        Optional<Boolean> leaderOnly();

        /** Folder to watch (local for file, remote for sftp). */
        Optional<String> path();

        // ---- remote servers (sftp, imap, pop3) ------------------------------------------------

        Optional<String> host();

        /** Default: 22 for sftp; 993/995 (ssl) or 143/110 for imap/pop3. */
        Optional<Integer> port();

        Optional<String> username();

        Optional<String> password();

        /** SFTP: a private key file instead of a password. */
        Optional<String> privateKeyFile();

        Optional<String> privateKeyPassphrase();

        /** SFTP: the known_hosts file that holds the server's host key. */
        Optional<String> knownHostsFile();

        /** SFTP: host keys are checked unless this is set to false explicitly (which logs a warning). */
        @WithDefault("true")
        boolean strictHostKeyChecking();

        /** Local directory where remote payloads (SFTP files, attachments, JMS bodies) are spooled. Default: {@code <data-dir>/spool/<source>}. */
        Optional<String> spoolPath();

        // ---- e-mail (imap, pop3) ------------------------------------------------------------------

        /** {@code ssl}, {@code starttls} or {@code none}. */
        @WithDefault("ssl")
        String security();

        /** IMAP folder to read. */
        @WithDefault("INBOX")
        String folder();

        /** File-name glob(s) of the attachments to ingest; all when empty. */
        Optional<List<String>> attachments();

        /** Also ingest the whole message as a .eml document. */
        @WithDefault("false")
        boolean storeEmail();

        /** {@code seen}, {@code delete} or {@code move:<folder>}. */
        @WithDefault("seen")
        String afterSuccess();

        /** {@code move:<folder>} (IMAP); POP3 leaves a failed mail on the server. */
        @WithDefault("move:Mayan-Failed")
        String afterFailure();

        // ---- jms ----------------------------------------------------------------------------------

        /** The queue to consume. */
        Optional<String> destination();

        /** Where messages that fail for good go, with the reason in their properties. Default: {@code <destination>.DLQ}. */
        Optional<String> deadLetterDestination();

        // ---- jms replicas -------------------------------------------------------------------------

        /**
         * jms: the JMS name of {@link #concurrency()}: transacted consumers of this replica on the queue
         * (the JMS component's {@code concurrentConsumers}); every replica consumes the same queue, the
         * broker hands each message to one consumer. Both given: they must agree (start-up stops otherwise).
         */
        Optional<Integer> concurrentConsumers();


        @WithDefault("false")
        boolean recursive();

        /**
         * Whether a symbolic link to a file (document or sidecar) is read through. Default {@code false}:
         * a link goes to the error folder unread. Links to folders are never entered.
         */
        @WithDefault("false")
        boolean followSymlinks();

        /** Comma-separated file-name globs to take (e.g. {@code *.pdf,*.tif}); all files when empty. */
        Optional<List<String>> include();

        /** Comma-separated file-name globs to leave alone. */
        Optional<List<String>> exclude();

        /** Where ingested files go; default {@code <path>/.done}. */
        Optional<String> donePath();

        /** Delete the file instead of moving it to done-path once Mayan has confirmed it. */
        @WithDefault("false")
        boolean deleteAfterSuccess();

        /** Where files that cannot be ingested go, with a {@code .error.json}; default {@code <path>/.error}. */
        Optional<String> errorPath();

        /** How often the folder is scanned. */
        @WithDefault("2s")
        Duration pollInterval();

        /** A file is taken only once its size and time stamp have not changed for this long. */
        @WithDefault("2s")
        Duration stableFor();

        /**
         * What to do with content already ingested: {@code skip} (default: not uploaded again, the item is
         * acknowledged and the ledger names the document it matched), {@code allow} (upload anyway), or
         * {@code new-file} (a document of the same type with the same label gets it as a new file, replacing).
         */
        @WithDefault("skip")
        String duplicates();

        /**
         * file, jms: items of this source processed at the same time (read, hash, validate, upload; the
         * wait for Mayan holds no thread). Default: {@code mayan.max-in-flight}, which caps uploads across
         * all sources anyway; 1 for {@code duplicates=new-file}, whose files of one label must reach their
         * document one after the other. Items of a source with more than 1 are not ingested in order.
         */
        Optional<Integer> concurrency();

        /** Largest file accepted; larger ones go to the error folder. 0 = no limit. */
        @WithDefault("0")
        long maxFileSize();

        // ---- http (upload API) ----------------------------------------------------------------

        /** http: the API clients ({@code ingest.api-clients.<client>}) allowed to upload to this source. */
        Optional<List<String>> clients();

        /** http: anyone may upload without credentials (logged as a warning at start-up). */
        @WithDefault("false")
        boolean anonymous();

        /**
         * http: what an upload gets while Mayan cannot take documents: {@code refuse} (503 with
         * Retry-After, nothing stored) or {@code spool} (202; it is checked and uploaded once Mayan is back).
         */
        @WithDefault("refuse")
        String whenMayanUnreachable();

        // ---- mapping -------------------------------------------------------------------------

        /** Document type label in Mayan. */
        @WithDefault("Default")
        String documentType();

        /** Template of the document label; default the file name. */
        @WithDefault("{file.name}")
        String label();

        Optional<String> description();

        Optional<String> language();

        /** Java regex with named groups matched against the file name; its groups feed templates. */
        Optional<String> filenamePattern();

        /** Metadata type name to value template. */
        Map<String, String> metadata();

        /** Comma-separated tag labels (templates allowed). */
        Optional<List<String>> tags();

        /** Comma-separated cabinet full paths, levels separated by '/'. */
        Optional<List<String>> cabinets();
    }
}
