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

    interface SourceConfig {

        /** {@code file} (watched folder). */
        String kind();

        @WithDefault("true")
        boolean enabled();

        /** Folder to watch. */
        Optional<String> path();

        @WithDefault("false")
        boolean recursive();

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

        /** Largest file accepted; larger ones go to the error folder. 0 = no limit. */
        @WithDefault("0")
        long maxFileSize();

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
