package io.mayaningest.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * A real SFTP server (Apache MINA SSHD) for tests and the benchmark: 127.0.0.1 on a free port, one user
 * with a password, {@code root} as its file system, a fresh EC host key written to a known_hosts file
 * the way OpenSSH writes a non-standard port ({@code [127.0.0.1]:port}).
 */
public final class SftpTestServer {

    private SftpTestServer() {
    }

    /** Starts the server; its host key goes to {@code knownHosts}. Listeners see what clients do. */
    public static SshServer start(Path root, String user, String password, Path knownHosts,
            SftpEventListener... listeners) throws Exception {
        KeyPair hostKey = ecKeyPair();
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPasswordAuthenticator((u, p, session) -> user.equals(u) && password.equals(p));
        SftpSubsystemFactory sftp = new SftpSubsystemFactory();
        for (SftpEventListener listener : listeners) {
            sftp.addSftpEventListener(listener);
        }
        server.setSubsystemFactories(List.of(sftp));
        server.setFileSystemFactory(new VirtualFileSystemFactory(root));
        server.start();
        Files.writeString(knownHosts, knownHostsLine(server.getPort(), hostKey.getPublic()));
        return server;
    }

    /** A known_hosts line for a key of the server on 127.0.0.1 at {@code port}. */
    public static String knownHostsLine(int port, PublicKey key) {
        return "[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(key) + "\n";
    }

    /** A new EC (P-256) key pair, e.g. a host key the client must not trust. */
    public static KeyPair ecKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }
}
