package org.mera.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a local HTTP server standing in for Maven Central. */
class MavenArtifactsTest {
    @TempDir
    Path tmp;

    private HttpServer server;
    private final Map<String, byte[]> files = new HashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = files.get(exchange.getRequestURI().getPath());
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private MavenArtifacts artifacts() {
        return new MavenArtifacts(
                tmp.resolve("repo"),
                "http://127.0.0.1:" + server.getAddress().getPort() + "/maven2/",
                new PrintStream(progress, true, StandardCharsets.UTF_8));
    }

    private static String sha1(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
    }

    @Test
    void downloadsVerifiesAndThenServesLocally() throws Exception {
        byte[] jar = "PK fake jar bytes".getBytes(StandardCharsets.UTF_8);
        files.put("/maven2/org/example/models/tiny-model/1.0/tiny-model-1.0-cpu.jar", jar);
        files.put(
                "/maven2/org/example/models/tiny-model/1.0/tiny-model-1.0-cpu.jar.sha1",
                (sha1(jar) + "  tiny-model-1.0-cpu.jar\n").getBytes(StandardCharsets.UTF_8));
        Path p = artifacts().get("org.example.models", "tiny-model", "1.0", "cpu");
        assertEquals(tmp.resolve("repo/org/example/models/tiny-model/1.0/tiny-model-1.0-cpu.jar"), p);
        assertArrayEquals(jar, Files.readAllBytes(p));
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("org.example.models:tiny-model:1.0:cpu"));
        int before = requests.get();
        assertEquals(p, artifacts().get("org.example.models", "tiny-model", "1.0", "cpu"));
        assertEquals(before, requests.get(), "a local hit must not touch the network");
        try (var listing = Files.list(p.getParent())) {
            assertEquals(1, listing.count(), "no temporary file is left");
        }
    }

    @Test
    void checksumMismatchLeavesNothing() throws Exception {
        files.put("/maven2/g/a/1/a-1.jar", new byte[] {1, 2, 3});
        files.put("/maven2/g/a/1/a-1.jar.sha1", sha1(new byte[] {9}).getBytes(StandardCharsets.UTF_8));
        IOException e = assertThrows(IOException.class, () -> artifacts().get("g", "a", "1", null));
        assertTrue(
                e.getMessage().contains("checksum mismatch") && e.getMessage().contains("g:a:1"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("repo/g/a/1/a-1.jar")));
        try (var listing = Files.list(tmp.resolve("repo/g/a/1"))) {
            assertEquals(0, listing.count());
        }
    }

    @Test
    void missingArtifactNamesCoordinatesAndUrl() {
        IOException e = assertThrows(IOException.class, () -> artifacts().get("g", "nothing", "2", null));
        assertTrue(
                e.getMessage().contains("g:nothing:2")
                        && e.getMessage().contains("HTTP 404")
                        && e.getMessage().contains("/maven2/g/nothing/2/nothing-2.jar.sha1"),
                e.getMessage());
    }

    @Test
    void unreachableRepositoryNamesArtifactAndUrl() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        MavenArtifacts offline = new MavenArtifacts(
                tmp.resolve("repo"),
                "http://127.0.0.1:" + closedPort + "/m2",
                new PrintStream(progress, true, StandardCharsets.UTF_8));
        IOException e = assertThrows(IOException.class, () -> offline.get("dev.x", "model", "3", null));
        assertTrue(
                e.getMessage().contains("dev.x:model:3")
                        && e.getMessage().contains("unreachable")
                        && e.getMessage().contains("http://127.0.0.1:" + closedPort + "/m2/dev/x/model/3/model-3.jar"),
                e.getMessage());
    }

    @Test
    void rejectsPathTraversalInCoordinates() {
        assertThrows(IllegalArgumentException.class, () -> artifacts().localPath("g", "../etc", "1", null));
    }
}
