package org.mera.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Two experiment folders side by side, cell by cell: the same method on the same task and seed in each (e.g. one
 * grid run with two heads, two encoders or two source recipes). Because a seed names the same few-shot split in
 * every grid, both sides are read on the seeds they share and B − A is paired by seed, as the report pairs
 * methods within one grid. Only the cells of each folder's current grid count, as in its report.
 *
 * <p>Tables are matched by k, and by encoder when a folder holds several encoders for that k; a folder with one
 * encoder per k is matched with the other folder's one, so two encoders can be compared.
 */
public final class ResultComparison {
    /**
     * One method on one task in both folders, on the seeds both have: each side's mean ± std over those seeds,
     * and B − A seed by seed. For the {@link #AVERAGE} line, {@code metric} lists the tasks averaged.
     */
    public record Line(String task, String metric, String method, ResultTables.Stat a, ResultTables.Stat b,
                       TreeMap<Integer, Double> differences) {
        public double meanDifference() {
            return differences.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }

        /** Seeds on which B scored strictly higher than A. */
        public long winsB() {
            return differences.values().stream().filter(d -> d > 0).count();
        }
    }

    /** A matched pair of tables (one encoder and k on each side) and its lines; task "Average" closes each method. */
    public record Section(String encoderA, String encoderB, int k, List<Line> lines) {
    }

    public record Comparison(String nameA, String nameB, int shownA, int gridA, int shownB, int gridB, List<Section> sections) {
    }

    public static final String AVERAGE = "Average";

    private ResultComparison() {
    }

    public static Comparison compare(Path dirA, Path dirB) throws IOException {
        ReportWriter.Inputs a = ReportWriter.read(dirA);
        ReportWriter.Inputs b = ReportWriter.read(dirB);
        List<ResultTables.Table> tablesA = ResultTables.build(a.shown(), a.taskOrder(), a.methodOrder(), a.expectedSources());
        List<ResultTables.Table> tablesB = ResultTables.build(b.shown(), b.taskOrder(), b.methodOrder(), b.expectedSources());
        List<Section> sections = new ArrayList<>();
        for (ResultTables.Table ta : tablesA) {
            ResultTables.Table tb = match(ta, tablesA, tablesB);
            if (tb != null) {
                sections.add(new Section(ta.encoder(), tb.encoder(), ta.k(), lines(ta, tb)));
            }
        }
        return new Comparison(a.name(), b.name(), a.shown().size(), a.gridCells(), b.shown().size(), b.gridCells(), sections);
    }

    private static ResultTables.Table match(ResultTables.Table ta, List<ResultTables.Table> tablesA, List<ResultTables.Table> tablesB) {
        List<ResultTables.Table> sameKA = tablesA.stream().filter(t -> t.k() == ta.k()).toList();
        List<ResultTables.Table> sameKB = tablesB.stream().filter(t -> t.k() == ta.k()).toList();
        if (sameKA.size() == 1 && sameKB.size() == 1) {
            return sameKB.get(0);
        }
        return sameKB.stream().filter(t -> t.encoder().equals(ta.encoder())).findFirst().orElse(null);
    }

    private static List<Line> lines(ResultTables.Table ta, ResultTables.Table tb) {
        List<String> tasks = new ArrayList<>(ta.tasks());
        tasks.retainAll(tb.tasks());
        List<Line> out = new ArrayList<>();
        for (ResultTables.Row ra : ta.rows()) {
            ResultTables.Row rb = tb.row(ra.label());
            if (rb == null) {
                continue;
            }
            // Per seed, the mean over the tasks this method has on both sides with that seed, for the average line.
            List<String> common = new ArrayList<>();
            for (String task : tasks) {
                TreeMap<Integer, Double> va = ra.seedValues().get(task);
                TreeMap<Integer, Double> vb = rb.seedValues().get(task);
                if (va == null || vb == null) {
                    continue;
                }
                common.add(task);
                Line line = line(task, ta.metricByTask().get(task), ra.label(), va, vb);
                if (line != null) {
                    out.add(line);
                }
            }
            if (common.size() > 1) {
                TreeMap<Integer, Double> avgA = ra.perSeedAverage(common);
                TreeMap<Integer, Double> avgB = rb.perSeedAverage(common);
                Line line = line(AVERAGE, String.join(", ", common), ra.label(), avgA, avgB);
                if (line != null) {
                    out.add(line);
                }
            }
        }
        return out;
    }

    /** The line over the seeds both sides have, or null when they share none. */
    private static Line line(String task, String metric, String method, TreeMap<Integer, Double> a, TreeMap<Integer, Double> b) {
        TreeMap<Integer, Double> d = new TreeMap<>();
        List<Double> sharedA = new ArrayList<>();
        List<Double> sharedB = new ArrayList<>();
        a.forEach((seed, v) -> {
            if (b.containsKey(seed)) {
                d.put(seed, b.get(seed) - v);
                sharedA.add(v);
                sharedB.add(b.get(seed));
            }
        });
        return d.isEmpty() ? null : new Line(task, metric, method, ResultTables.Stat.of(sharedA), ResultTables.Stat.of(sharedB), d);
    }

    /** The comparison as Markdown, A and B named by {@code labelA} and {@code labelB}. */
    public static String markdown(Comparison c, String labelA, String labelB) {
        StringBuilder s = new StringBuilder();
        s.append("# ").append(labelB).append(" against ").append(labelA).append("\n\n");
        s.append("- A, ").append(labelA).append(": experiment `").append(c.nameA()).append("`, ").append(c.shownA())
                .append(" of ").append(c.gridA()).append(" cells finished\n");
        s.append("- B, ").append(labelB).append(": experiment `").append(c.nameB()).append("`, ").append(c.shownB())
                .append(" of ").append(c.gridB()).append(" cells finished\n\n");
        s.append("Primary metric ×100, mean ± sample standard deviation over the seeds both sides have (a seed is the same "
                + "few-shot split in both; results of seeds only one side has are left out), so B − A is the mean of the "
                + "per-seed differences; wins: seeds on which B is strictly higher. Average: per seed, the mean over the "
                + "tasks listed.\n\n");
        if (c.sections().stream().allMatch(x -> x.lines().isEmpty())) {
            s.append("No method has results on the same task in both folders.\n");
            return s.toString();
        }
        for (Section sec : c.sections()) {
            if (sec.lines().isEmpty()) {
                continue;
            }
            s.append("## ").append(sec.encoderA().equals(sec.encoderB()) ? sec.encoderA() : sec.encoderA() + " (A), " + sec.encoderB() + " (B)")
                    .append(", k = ").append(sec.k()).append("\n\n");
            s.append("| Method | Task (metric) | Seeds | A: ").append(labelA).append(" | B: ").append(labelB)
                    .append(" | B − A | B wins |\n|---|---|---:|---:|---:|---:|---:|\n");
            for (Line l : sec.lines()) {
                s.append("| ").append(l.method()).append(" | ")
                        .append(l.task().equals(AVERAGE) ? "**Average** (" + l.metric() + ")" : l.task() + " (" + l.metric() + ")")
                        .append(" | ").append(l.differences().size()).append(" | ").append(ReportWriter.cell(l.a(), 0, null)).append(" | ")
                        .append(ReportWriter.cell(l.b(), 0, null)).append(" | ").append(ReportWriter.signed(l.meanDifference())).append(" | ")
                        .append(l.winsB()).append('/').append(l.differences().size()).append(" |\n");
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** Lines keyed by method then task, for callers that look one up. */
    public static Map<String, Map<String, Line>> byMethod(Section section) {
        Map<String, Map<String, Line>> out = new LinkedHashMap<>();
        section.lines().forEach(l -> out.computeIfAbsent(l.method(), m -> new LinkedHashMap<>()).put(l.task(), l));
        return out;
    }
}
