package org.mera.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.mera.data.GlueTasks;
import org.mera.data.Task;

/**
 * A tiny GLUE-like data folder with the real layout and valid contents (the validator reads every file a cell
 * would): k-shot splits of k examples per label, one test and pool example per label, all as JSONL.
 */
public final class FakeGlue {
    private FakeGlue() {}

    public static Path create(Path root, List<String> tasks, List<Integer> ks, List<Integer> seeds) throws IOException {
        for (String name : tasks) {
            Task task = GlueTasks.ALL.stream()
                    .filter(t -> t.name().equals(name))
                    .findFirst()
                    .orElseThrow();
            for (int k : ks) {
                for (int seed : seeds) {
                    Path d = root.resolve(name).resolve("k-shot").resolve(k + "-" + seed);
                    Files.createDirectories(d);
                    Files.writeString(d.resolve("train.jsonl"), lines(task, name + " train " + k + " " + seed, k));
                    Files.writeString(d.resolve("dev.jsonl"), lines(task, name + " dev " + k + " " + seed, k));
                }
            }
            Files.writeString(root.resolve(name).resolve("test.jsonl"), lines(task, name + " test", 1));
            Path pool = root.resolve(name).resolve("pool");
            Files.createDirectories(pool);
            Files.writeString(pool.resolve("train.jsonl"), lines(task, name + " pool", 1));
            Files.writeString(pool.resolve("dev.jsonl"), lines(task, name + " pool dev", 1));
        }
        return root;
    }

    /** {@code perLabel} examples of every label (of each side of 2.5 for STS-B), each with its own text. */
    static String lines(Task task, String text, int perLabel) {
        List<String> labels = task.isRegression() ? List.of("1.0", "4.0") : task.labels();
        StringBuilder sb = new StringBuilder();
        int n = 0; // numbered across labels: every row of a file has its own text (none is another's duplicate)
        for (String label : labels) {
            for (int i = 0; i < perLabel; i++, n++) {
                sb.append("{\"text_a\": \"").append(text).append(' ').append(n).append('"');
                if (task.pair()) {
                    sb.append(", \"text_b\": \"second ").append(n).append('"');
                }
                sb.append(", \"label\": \"").append(label).append("\"}\n");
            }
        }
        return sb.toString();
    }
}
