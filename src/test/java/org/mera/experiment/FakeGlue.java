package org.mera.experiment;

import org.mera.data.GlueTasks;
import org.mera.data.Task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny GLUE-like data folder with the real layout (contents are a line or two each). The rows are valid for their
 * task (a pair where the task reads pairs, one of its labels), since planning a grid reads the files to find the
 * pool rows that are evaluation data; their texts are unique per file, so nothing is.
 */
final class FakeGlue {
    private FakeGlue() {
    }

    static Path create(Path root, List<String> tasks, List<Integer> ks, List<Integer> seeds) throws IOException {
        for (String task : tasks) {
            Task t = GlueTasks.ALL.stream().filter(x -> x.name().equals(task)).findFirst().orElseThrow();
            for (int k : ks) {
                for (int seed : seeds) {
                    Path d = root.resolve(task).resolve("k-shot").resolve(k + "-" + seed);
                    Files.createDirectories(d);
                    Files.writeString(d.resolve("train.tsv"), tsv(t, task + " train " + k + " " + seed, 1));
                    Files.writeString(d.resolve("dev.tsv"), tsv(t, task + " dev " + k + " " + seed, 0));
                }
            }
            Files.writeString(root.resolve(task).resolve("test.tsv"), tsv(t, task + " test", 1));
            Path pool = root.resolve(task).resolve("pool");
            Files.createDirectories(pool);
            Files.writeString(pool.resolve("train.jsonl"), jsonl(t, task + " pool", 1));
            Files.writeString(pool.resolve("dev.jsonl"), jsonl(t, task + " pool dev", 0));
        }
        return root;
    }

    /** One of the task's labels as spelled in its files (a score for STS-B). */
    static String label(Task t, int i) {
        return t.isRegression() ? (i == 0 ? "1.0" : "4.0") : t.labels().get(i % t.labels().size());
    }

    private static String tsv(Task t, String text, int label) {
        return t.pair() ? "text_a\ttext_b\tlabel\n" + text + "\t" + text + " (b)\t" + label(t, label) + "\n"
                : "text_a\tlabel\n" + text + "\t" + label(t, label) + "\n";
    }

    private static String jsonl(Task t, String text, int label) {
        return "{\"text_a\": \"" + text + "\"" + (t.pair() ? ", \"text_b\": \"" + text + " (b)\"" : "") + ", \"label\": \""
                + label(t, label) + "\"}\n";
    }
}
