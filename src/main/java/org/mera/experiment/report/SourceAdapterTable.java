package org.mera.experiment.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.mera.experiment.ResultRecord;

/**
 * The report's "Source adapters" section, from the cells' {@code extra.sourceAdapters} (what {@code MeraCellRunner}
 * records about each source adapter a cell used): per encoder and source, the pool rows before cleaning, the rows
 * removed as evaluation data (per contaminating target), the pool-dev score of the state kept, the steps trained,
 * the best step, the step budget and the wall time; steps skipped for a non-finite gradient are shown next to the steps. Also the test rows each target left out because they are its own
 * k-shot rows ({@code extra.testRowsInKShot}).
 */
final class SourceAdapterTable {
    /** One source adapter as the cells of this grid recorded it. */
    record Row(
            String source,
            String encoder,
            int poolRows,
            int removed,
            Map<String, Integer> removedByTarget,
            int devRows,
            int devRemoved,
            String metric,
            Double poolDevScore,
            int steps,
            int bestStep,
            int budget,
            int skippedSteps,
            double seconds,
            Double trivial,
            Boolean stoppedEarly,
            String usedBy) {
        /** At most this far above what learning nothing scores, or below it (×100 points): flagged as learned nothing. */
        static final double AT_CHANCE_MARGIN = 1.0;

        boolean atChance() {
            return poolDevScore != null && trivial != null && 100 * (poolDevScore - trivial) <= AT_CHANCE_MARGIN;
        }
    }

    private SourceAdapterTable() {}

    /**
     * One row per source adapter, or per version of one where the cells used more than one (a source trained again,
     * its cache lost or on another machine, can differ in its last bits): versions differ when their recorded weight
     * hashes do, or, for cells recorded before weight hashes, their pool-dev scores, steps or best steps. A source
     * with several versions names the cells that used each, so no version hides behind the first one read.
     */
    @SuppressWarnings("unchecked")
    static List<Row> rows(List<ResultRecord> cells) {
        Map<String, List<Version>> bySource = new LinkedHashMap<>();
        for (ResultRecord r : cells) {
            if (!(r.extra().get("sourceAdapters") instanceof Map<?, ?> used)) {
                continue;
            }
            for (Map.Entry<?, ?> e : used.entrySet()) {
                if (!(e.getValue() instanceof Map<?, ?> info)) {
                    continue;
                }
                String source = String.valueOf(e.getKey());
                List<Version> versions =
                        bySource.computeIfAbsent(r.encoder() + "\u0000" + source, k -> new ArrayList<>());
                Version v = versions.stream()
                        .filter(x -> x.sameAs((Map<String, Object>) info))
                        .findFirst()
                        .orElse(null);
                if (v == null) {
                    v = new Version(source, r.encoder(), (Map<String, Object>) info);
                    versions.add(v);
                }
                v.usedBy
                        .computeIfAbsent(r.task(), t -> new java.util.TreeSet<>())
                        .add(r.seed());
            }
        }
        List<Row> out = new ArrayList<>();
        for (List<Version> versions : bySource.values()) {
            for (int i = 0; i < versions.size(); i++) {
                out.add(versions.get(i).row(versions.size() == 1 ? null : (i + 1) + " of " + versions.size()));
            }
        }
        out.sort((a, b) -> a.encoder().equals(b.encoder()) ? 0 : a.encoder().compareTo(b.encoder()));
        return out;
    }

    /** One trained state of a source adapter and the (target, seed) pairs whose cells used it. */
    private static final class Version {
        final String source;
        final String encoder;
        final Map<String, Object> info;
        final Map<String, java.util.SortedSet<Integer>> usedBy = new TreeMap<>();

        Version(String source, String encoder, Map<String, Object> info) {
            this.source = source;
            this.encoder = encoder;
            this.info = info;
        }

        boolean sameAs(Map<String, Object> other) {
            Object h = info.get("weightsSha256");
            Object oh = other.get("weightsSha256");
            if (h != null && oh != null) {
                return h.equals(oh);
            }
            return java.util.Objects.equals(number(info.get("poolDevScore")), number(other.get("poolDevScore")))
                    && integer(info.get("steps")) == integer(other.get("steps"))
                    && integer(info.get("bestStep")) == integer(other.get("bestStep"));
        }

        @SuppressWarnings("unchecked")
        Row row(String version) {
            Map<String, Object> d = (Map<String, Object>) info.get("decontamination");
            Map<String, Object> train = d == null ? Map.of() : (Map<String, Object>) d.get("train");
            Map<String, Object> dev = d == null ? Map.of() : (Map<String, Object>) d.get("dev");
            Map<String, Integer> byTarget = new TreeMap<>();
            if (train.get("byTarget") instanceof Map<?, ?> m) {
                m.forEach((t, n) -> byTarget.put(String.valueOf(t), ((Number) n).intValue()));
            }
            String used = null;
            if (version != null) {
                StringBuilder b = new StringBuilder("version " + version + ", used by ");
                String sep = "";
                for (Map.Entry<String, java.util.SortedSet<Integer>> e : usedBy.entrySet()) {
                    b.append(sep)
                            .append(e.getKey())
                            .append(" seed")
                            .append(e.getValue().size() == 1 ? " " : "s ");
                    b.append(String.join(
                            ", ", e.getValue().stream().map(String::valueOf).toList()));
                    sep = "; ";
                }
                used = b.toString();
            }
            return new Row(
                    source,
                    encoder,
                    integer(train.get("before")),
                    integer(train.get("removed")),
                    byTarget,
                    integer(dev.get("before")),
                    integer(dev.get("removed")),
                    String.valueOf(info.get("poolDevMetric")),
                    number(info.get("poolDevScore")),
                    integer(info.get("steps")),
                    integer(info.get("bestStep")),
                    integer(info.get("stepBudget")),
                    integer(info.get("skippedSteps")),
                    info.get("seconds") instanceof Number n ? n.doubleValue() : 0,
                    // recorded by cells from 2026-12-07 on; older cells' rows go without it
                    number(info.get("poolDevTrivial")),
                    info.get("stoppedEarly") instanceof Boolean b ? b : null,
                    used);
        }
    }

    private static Double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    /** Per encoder, the sources at chance on their own pool (see {@link Row#atChance}). */
    static Map<String, java.util.Set<String>> atChance(List<ResultRecord> cells) {
        Map<String, java.util.Set<String>> out = new TreeMap<>();
        for (Row r : rows(cells)) {
            if (r.atChance()) {
                out.computeIfAbsent(r.encoder(), e -> new java.util.TreeSet<>()).add(r.source());
            }
        }
        return out;
    }

    private static int integer(Object o) {
        return o instanceof Number n ? n.intValue() : 0;
    }

    static final String VERSIONS =
            "A source shown in more than one version was trained more than once (its cached adapter lost, or trained "
                    + "on another machine or thread count, whose rounding differs) into different weights; each "
                    + "version names the targets and seeds whose cells merged it, so a comparison within one target "
                    + "can check that its seeds shared one version.";

    static final String INTRO =
            "Each source adapter trains on its pool after every row whose text is also a target's test, dev or "
                    + "k-shot row (ignoring case, spaces and punctuation; a pair in either order) is removed, and stops once its score on "
                    + "the pool's dev split (cleaned the same way) has not improved for its patience; the state with the best pool-dev "
                    + "score is kept. A step whose gradient is not finite is skipped (no update) and counted next to the steps; more than three "
                    + "in a row, or over 1 % of the budget, fails the run. Beside the pool-dev score, what learning nothing "
                    + "scores there (the majority class's accuracy, always class 1's F1, 0 for MCC and correlations); a "
                    + "source within a point of it is marked at chance: merging it passes on nothing. A source marked "
                    + "\"budget\" used its whole step budget before its patience ran out, so it had not stopped "
                    + "improving; \"still improving\" marks one whose best state is its last evaluation: a larger "
                    + "budget might have given a better adapter.";

    static final List<String> HEADER = List.of(
            "Source",
            "Encoder",
            "Pool rows",
            "Removed",
            "Removed, by target",
            "Pool dev removed",
            "Pool-dev score ×100",
            "Steps",
            "Best step",
            "Budget",
            "Time");

    static List<String> cells(Row r) {
        StringBuilder by = new StringBuilder();
        r.removedByTarget()
                .forEach((t, n) -> by.append(by.length() == 0 ? "" : ", ")
                        .append(t)
                        .append(' ')
                        .append(n));
        return List.of(
                r.usedBy() == null ? r.source() : r.source() + " (" + r.usedBy() + ")",
                r.encoder(),
                String.valueOf(r.poolRows()),
                String.valueOf(r.removed()),
                by.length() == 0 ? "–" : by.toString(),
                r.devRemoved() + " of " + r.devRows(),
                r.poolDevScore() == null
                        ? "–"
                        : String.format(Locale.ROOT, "%.1f (%s)", 100 * r.poolDevScore(), r.metric())
                                + (r.trivial() == null
                                        ? ""
                                        : String.format(
                                                Locale.ROOT,
                                                "; learning nothing: %.1f%s",
                                                100 * r.trivial(),
                                                r.atChance()
                                                        ? " (within a point of it, or below: at chance, this adapter learned next to nothing)"
                                                        : "")),
                r.steps()
                        + (Boolean.FALSE.equals(r.stoppedEarly()) ? " (budget)" : "")
                        + (r.skippedSteps() == 0 ? "" : " (" + r.skippedSteps() + " skipped)"),
                r.bestStep()
                        + (Boolean.FALSE.equals(r.stoppedEarly()) && r.bestStep() >= r.steps()
                                ? " (still improving)"
                                : ""),
                String.valueOf(r.budget()),
                duration(r.seconds()));
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }

    /** Per target, per seed: how many of its test rows were left out as its own k-shot rows (only where some were). */
    static Map<String, Map<Integer, Integer>> testRowsInKShot(List<ResultRecord> cells) {
        Map<String, Map<Integer, Integer>> out = new TreeMap<>();
        for (ResultRecord r : cells) {
            if (r.extra().get("testRowsInKShot") instanceof Number n && n.intValue() > 0) {
                out.computeIfAbsent(r.task() + " (k=" + r.k() + ")", t -> new TreeMap<>())
                        .put(r.seed(), n.intValue());
            }
        }
        return out;
    }

    /** Adds the section (nothing when no cell used a source adapter), then the own-k-shot line where there is one. */
    static void addTo(ReportDocument d, List<ResultRecord> cells) {
        List<Row> rows = rows(cells);
        if (!rows.isEmpty()) {
            d.heading("Source adapters");
            d.note(INTRO);
            List<Boolean> numeric = new ArrayList<>();
            for (int i = 0; i < HEADER.size(); i++) {
                numeric.add(i >= 2 && i != 4);
            }
            d.add(new ReportDocument.Table(
                    HEADER,
                    numeric,
                    ReportDocument.Table.plain(
                            rows.stream().map(SourceAdapterTable::cells).toList())));
            if (rows.stream().anyMatch(r -> r.usedBy() != null)) {
                d.note(VERSIONS);
            }
        }
        String own = ownTestLine(cells);
        if (!own.isEmpty()) {
            d.note(own);
        }
    }

    private static String ownTestLine(List<ResultRecord> cells) {
        Map<String, Map<Integer, Integer>> own = testRowsInKShot(cells);
        if (own.isEmpty()) {
            return "";
        }
        StringBuilder b =
                new StringBuilder("Test rows left out because they are the target's own k-shot rows (by seed): ");
        int i = 0;
        for (Map.Entry<String, Map<Integer, Integer>> e : own.entrySet()) {
            b.append(i++ == 0 ? "" : "; ")
                    .append(ReportDocument.literal(e.getKey()))
                    .append(' ');
            b.append(Formats.bySeed(e.getValue(), String::valueOf));
        }
        return b.append('.').toString();
    }
}
