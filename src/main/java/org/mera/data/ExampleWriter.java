package org.mera.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mera.io.AtomicFiles;
import org.mera.io.Json;

/**
 * Writes examples as mera's JSONL ({@code text_a}, {@code text_b} for pairs, {@code label}), atomically: the files
 * of the WordNet suite and the k-shot splits mera samples from a user's training file, which every task
 * definition reads back (see {@link TaskDefinition#layouts()}).
 */
public final class ExampleWriter {
    private static final ObjectMapper JSON = Json.PLAIN;

    private ExampleWriter() {}

    public static void writeJsonl(Path file, List<Example> rows) throws IOException {
        AtomicFiles.write(file, out -> {
            for (Example e : rows) {
                Map<String, String> row = new LinkedHashMap<>();
                row.put("text_a", e.textA());
                if (e.isPair()) {
                    row.put("text_b", e.textB());
                }
                row.put("label", e.label());
                out.write(JSON.writeValueAsBytes(row));
                out.write('\n');
            }
        });
    }

    /** A sampled split as {@code kshotRoot/K-SEED/train.jsonl} and {@code dev.jsonl}, LM-BFF's layout. */
    public static Path writeKShot(Path kshotRoot, int k, long seed, KShotSampler.Split split) throws IOException {
        Path dir = kshotRoot.resolve(k + "-" + seed);
        writeJsonl(dir.resolve("train.jsonl"), split.train());
        writeJsonl(dir.resolve("dev.jsonl"), split.dev());
        return dir;
    }
}
