package io.mayaningest.replicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.mayaningest.it.ServiceProcess;
import io.mayaningest.testing.FakeMayan;
import io.mayaningest.testing.Postgres;
import io.mayaningest.testing.SftpTestServer;
import org.apache.sshd.server.SshServer;
import org.junit.jupiter.api.Test;

/**
 * Two packaged replicas polling one SFTP directory (Apache MINA SSHD, host key checked) without a
 * leader ({@code leader-only=false}, the default for sftp), on one PostgreSQL ledger: the ledger's
 * claims give each file to one replica; a file the other replica finished between this one's listing
 * and its download is left alone quietly (no warning, no error, no second upload).
 */
class TwoReplicasSftpIT {

    static final int FILES = 60;
    static final String PASSWORD = "sftp-" + java.util.UUID.randomUUID();

    @Test
    void twoReplicasShareOneSftpDirectoryWithoutDuplicates() throws Exception {
        Postgres pg = Postgres.start();
        try (ReplicaRun run = new ReplicaRun("replicas-sftp", pg)) {
            SshServer server = sftpServer(run.work);
            try {
                run.mayan.stallNext("POST", FakeMayan.DOCUMENT_UPLOAD, Duration.ofMillis(300), Integer.MAX_VALUE);
                for (int i = 1; i <= 2; i++) {
                    run.replica("s" + i, sftpSource(run.work, server.getPort())).start();
                }
                run.stage(FILES);
                long start = System.nanoTime();
                run.release();
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                        .until(() -> run.doneCount() + run.errorCount() >= FILES);
                double seconds = (System.nanoTime() - start) / 1e9;

                Map<String, Integer> shares = run.shares();
                System.out.printf("REPLICAS: 2 replicas on one SFTP directory, %d files: %.1f s, %.1f files/s; share %s;"
                        + " upload requests %d, documents %d, complete %d, duplicated %d, lost %d, done/ %d, error/ %d%n",
                        FILES, seconds, FILES / seconds, shares, run.uploadRequests(), run.mayan.documents().size(),
                        run.complete(), run.duplicatedDocuments(), run.lost(), run.doneCount(), run.errorCount());
                assertThat(run.errorCount()).isZero();
                assertThat(run.doneCount()).isEqualTo(FILES);
                assertThat(run.inboxCount()).as("nothing left in the directory").isZero();
                assertThat(run.mayan.documents()).hasSize(FILES);
                assertThat(run.complete()).as("documents with their checksum and mapping").isEqualTo(FILES);
                assertThat(run.duplicatedDocuments()).isZero();
                assertThat(run.uploadRequests()).as("one upload request per file").isEqualTo(FILES);
                assertThat(run.lost()).isZero();
                assertThat(shares.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(FILES);
                for (ServiceProcess p : run.replicas) {
                    assertThat(p.logText()).as("no warning or error in %s", p.log()).doesNotContain(" WARN ")
                            .doesNotContain(" ERROR ");
                }
            } finally {
                // The replicas first, so that none polls a server already gone.
                for (ServiceProcess p : run.replicas) {
                    p.stop();
                }
                server.stop(true);
            }
        } finally {
            pg.drop();
        }
    }

    /** The replicas' drawings source as an SFTP source on the server's "inbox" (ReplicaRun's folder). */
    private static Map<String, String> sftpSource(Path work, int port) {
        Map<String, String> c = new HashMap<>();
        String p = "ingest.sources.drawings.";
        c.put(p + "kind", "sftp");
        c.put(p + "host", "127.0.0.1");
        c.put(p + "port", String.valueOf(port));
        c.put(p + "username", "partner");
        c.put(p + "password", PASSWORD);
        c.put(p + "known-hosts-file", work.resolve("known_hosts").toString());
        c.put(p + "path", "inbox");
        return c;
    }

    private static SshServer sftpServer(Path root) throws Exception {
        return SftpTestServer.start(root, "partner", PASSWORD, root.resolve("known_hosts"));
    }
}
