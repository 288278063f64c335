package org.mera.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A tiny GLUE-like data folder with the real layout (contents are a few lines each). */
final class FakeGlue {
    private FakeGlue() {
    }

    static Path create(Path root, List<String> tasks, List<Integer> ks, List<Integer> seeds) throws IOException {
        for (String task : tasks) {
            for (int k : ks) {
                for (int seed : seeds) {
                    Path d = root.resolve(task).resolve("k-shot").resolve(k + "-" + seed);
                    Files.createDirectories(d);
                    Files.writeString(d.resolve("train.tsv"), "sentence\tlabel\n" + task + " train " + k + " " + seed + "\t1\n");
                    Files.writeString(d.resolve("dev.tsv"), "sentence\tlabel\n" + task + " dev " + k + " " + seed + "\t0\n");
                }
            }
            Files.writeString(root.resolve(task).resolve("test.tsv"), "sentence\tlabel\n" + task + " test\t1\n");
            Path pool = root.resolve(task).resolve("pool");
            Files.createDirectories(pool);
            Files.writeString(pool.resolve("train.jsonl"), "{\"text_a\": \"" + task + " pool\", \"label\": \"1\"}\n");
            Files.writeString(pool.resolve("dev.jsonl"), "{\"text_a\": \"" + task + " pool dev\", \"label\": \"0\"}\n");
        }
        return root;
    }
}
