package org.mera.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mera.data.Decontamination;
import org.mera.data.TaskDirectory;
import org.mera.io.Json;

/**
 * Everything a grid evaluates on: each target's test file, plain dev file (user tasks) and the k-shot train and
 * dev files of every k and seed of the grid. A source pool is cleaned against all of it before its adapter
 * trains ({@link Decontamination}), whichever target the adapter ends up serving: one adapter per source serves
 * every cell of the grid.
 *
 * <p>A pool file that is itself one of these files is not cleaned against that file: QQP has no test split in the
 * shared data, so its pool dev doubles as its test file, and emptying it would leave the QQP source adapter nothing
 * to select on. That adapter never serves the QQP target (sources exclude the target unless
 * {@code allowTargetSource}, whose reports carry a warning), and every other target's rows are still removed.
 *
 * <p>Files are read once, on first use; cleaning results are kept per pool file. Thread-safe.
 */
public final class ContaminationReference {
    /** One evaluation file of a target. */
    public record File(String target, TaskDirectory dir, Path path) {}

    /** A source's pool, cleaned: train (what the adapter learns from) and dev (what selects its checkpoint). */
    public record CleanedPool(Decontamination.Cleaned train, Decontamination.Cleaned dev) {
        /** Counts for metadata and reports: rows before, removed, kept, and removed rows per contaminating target. */
        public Map<String, Object> counts() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("train", counts(train));
            out.put("dev", counts(dev));
            return out;
        }

        private static Map<String, Object> counts(Decontamination.Cleaned c) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("before", c.before());
            m.put("removed", c.removed());
            m.put("kept", c.kept().size());
            m.put("byTarget", new TreeMap<>(c.removedByOwner()));
            return m;
        }

        /** What decides the cleaned pool beyond the pool files' contents: which rows were removed. */
        public String fingerprint() {
            return Json.hash(Map.of("train", train.removedIndexes(), "dev", dev.removedIndexes()));
        }
    }

    private final List<File> files;
    private final Map<Path, Decontamination.Index> indexByExcluded = new HashMap<>();
    private final Map<Path, Decontamination.Cleaned> cleaned = new HashMap<>();
    private Map<Path, List<org.mera.data.Example>> contents;

    public ContaminationReference(List<File> files) {
        this.files = List.copyOf(files);
    }

    public List<File> files() {
        return files;
    }

    /** The targets this reference holds files of. */
    public Set<String> targets() {
        Set<String> out = new java.util.LinkedHashSet<>();
        files.forEach(f -> out.add(f.target()));
        return out;
    }

    /** The source task's pool train and dev files, each without the rows any target evaluates on. */
    public CleanedPool clean(TaskDirectory source) {
        return new CleanedPool(clean(source, source.poolTrainFile()), clean(source, source.poolDevFile()));
    }

    private synchronized Decontamination.Cleaned clean(TaskDirectory source, Path poolFile) {
        Path abs = poolFile.toAbsolutePath().normalize();
        Decontamination.Cleaned c = cleaned.get(abs);
        if (c == null) {
            c = index(abs).clean(source.read(poolFile));
            cleaned.put(abs, c);
        }
        return c;
    }

    /** The index of every reference file except {@code excluded} (the pool file being cleaned, if it is one of them). */
    private Decontamination.Index index(Path excluded) {
        if (contents == null) {
            contents = new LinkedHashMap<>();
            for (File f : files) {
                contents.computeIfAbsent(
                        f.path().toAbsolutePath().normalize(), p -> f.dir().read(f.path()));
            }
        }
        Path key = contents.containsKey(excluded) ? excluded : Path.of("");
        return indexByExcluded.computeIfAbsent(key, k -> {
            Decontamination.Index index = new Decontamination.Index();
            for (File f : files) {
                Path p = f.path().toAbsolutePath().normalize();
                if (!p.equals(k)) {
                    index.add(f.target(), contents.get(p));
                }
            }
            return index;
        });
    }

    /** The files of the given targets' evaluation data, for {@link Grid}: test, plain dev, and the k-shot files. */
    static List<File> filesOf(String target, TaskDirectory dir, Path test, List<Path> kshotFiles) {
        List<File> out = new ArrayList<>();
        out.add(new File(target, dir, test));
        dir.devFile().ifPresent(d -> out.add(new File(target, dir, d)));
        for (Path p : kshotFiles) {
            out.add(new File(target, dir, p));
        }
        return out;
    }
}
