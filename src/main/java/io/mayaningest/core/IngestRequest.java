package io.mayaningest.core;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


/**
 * The canonical message every source produces (design.md, "The canonical message"). Everything after
 * the source route works on this object only, so a new source is one new route plus its mapping.
 * <p>
 * The first block is what the source says; the second is filled in by the pipeline as it goes.
 */
public class IngestRequest {

    // ---- from the source ------------------------------------------------------------------------
    private String ingestId;
    private String sourceName;
    private String sourceKind;
    /** Identifies the item at its source across restarts (path + size + mtime for a folder). */
    private String sourceKey;
    /** The path below the source's folder (folder and SFTP sources), kept apart from the key so no one parses it. */
    private String sourcePath;
    /** The payload's modification time (ms) when it was read: its acknowledgement checks that it did not change since. */
    private Long sourceModified;
    /** The payload on local disk (the file itself, or its spooled copy). */
    private Path payload;
    /** Files that travel with the payload (a sidecar): moved to done/ or error/ with it, never uploaded. */
    private final List<Path> companions = new ArrayList<>();
    private String fileName;
    private long size;
    private String sha256;

    private String documentType;
    private String label;
    private String description;
    private String language;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<String> tags = new ArrayList<>();
    private final List<String> cabinets = new ArrayList<>();
    /** New-file mode: add the payload as a new file of this existing document. */
    private Long targetDocumentId;
    /** replace, append or keep (Mayan's {@code action_name}, mayan-api.md §6). */
    private String action;

    // ---- filled in by the pipeline ------------------------------------------------------------
    private long documentTypeId;
    private Long documentId;
    private Long fileId;
    private String state;

    public boolean isNewFileMode() {
        return targetDocumentId != null;
    }

    /**
     * A short name for messages and log lines: source and file, with control characters escaped (a file
     * name with a line break must not forge a log line).
     */
    public String describe() {
        return "\"" + SafeNames.visible(fileName) + "\" from source \"" + SafeNames.visible(sourceName) + "\"";
    }

    public String getIngestId() { return ingestId; }
    public void setIngestId(String ingestId) { this.ingestId = ingestId; }
    public String getSourceName() { return sourceName; }
    public void setSourceName(String sourceName) { this.sourceName = sourceName; }
    public String getSourceKind() { return sourceKind; }
    public void setSourceKind(String sourceKind) { this.sourceKind = sourceKind; }
    public String getSourceKey() { return sourceKey; }
    public void setSourceKey(String sourceKey) { this.sourceKey = sourceKey; }
    public String getSourcePath() { return sourcePath; }
    public void setSourcePath(String sourcePath) { this.sourcePath = sourcePath; }
    public Long getSourceModified() { return sourceModified; }
    public void setSourceModified(Long sourceModified) { this.sourceModified = sourceModified; }
    public Path getPayload() { return payload; }
    public void setPayload(Path payload) { this.payload = payload; }
    public List<Path> getCompanions() { return companions; }
    public String getFileName() { return fileName; }
    public void setFileName(String fileName) { this.fileName = fileName; }
    public long getSize() { return size; }
    public void setSize(long size) { this.size = size; }
    public String getSha256() { return sha256; }
    public void setSha256(String sha256) { this.sha256 = sha256; }
    public String getDocumentType() { return documentType; }
    public void setDocumentType(String documentType) { this.documentType = documentType; }
    public String getLabel() { return label; }
    public void setLabel(String label) { this.label = label; }
    public String getDescription() { return description; }
    public void setDescription(String description) { this.description = description; }
    public String getLanguage() { return language; }
    public void setLanguage(String language) { this.language = language; }
    public Map<String, String> getMetadata() { return metadata; }
    public List<String> getTags() { return tags; }
    public List<String> getCabinets() { return cabinets; }
    public Long getTargetDocumentId() { return targetDocumentId; }
    public void setTargetDocumentId(Long targetDocumentId) { this.targetDocumentId = targetDocumentId; }
    public String getAction() { return action; }
    public void setAction(String action) { this.action = action; }
    public long getDocumentTypeId() { return documentTypeId; }
    public void setDocumentTypeId(long documentTypeId) { this.documentTypeId = documentTypeId; }
    public Long getDocumentId() { return documentId; }
    public void setDocumentId(Long documentId) { this.documentId = documentId; }
    public Long getFileId() { return fileId; }
    public void setFileId(Long fileId) { this.fileId = fileId; }
    public String getState() { return state; }
    public void setState(String state) { this.state = state; }

    /** Not stored: the ledger row was quarantined before and this is its replay (set by Ledger#begin). */
    private boolean replay;
    /** Not stored: Mayan's answer to this run's own upload request named the document (not adopted). */
    private boolean documentCreatedHere;
    /** Not stored: the enrichment calls Mayan answered in this exchange ("metadata:<name>", "tag:<label>", "cabinet:<path>"). */
    private final java.util.Set<String> enrichDone = new java.util.HashSet<>();

    public boolean isReplay() { return replay; }
    public void setReplay(boolean replay) { this.replay = replay; }
    public java.util.Set<String> getEnrichDone() { return enrichDone; }
    public boolean isDocumentCreatedHere() { return documentCreatedHere; }
    public void setDocumentCreatedHere(boolean documentCreatedHere) { this.documentCreatedHere = documentCreatedHere; }

    @Override
    public String toString() {
        return "IngestRequest[" + ingestId + " " + describe() + " state=" + state + " document=" + documentId + "]";
    }
}
