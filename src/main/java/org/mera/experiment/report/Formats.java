package org.mera.experiment.report;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.mera.experiment.stats.ComparisonStatistics;
import org.mera.experiment.stats.PairedStatistics;
import org.mera.experiment.stats.ResultTables;

/** How reports write numbers: scores ×100 to one decimal, signed differences with a true minus, p-values. */
final class Formats {
    private Formats() {}

    /** "81.2 ± 1.0", then " (n=3)" when fewer seeds than configured and " [note]" when the row names something. */
    static String cell(ResultTables.Stat s, int expectedSeeds, String note) {
        if (s == null) {
            return "–";
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%.1f", s.mean()));
        if (!Double.isNaN(s.std())) {
            b.append(String.format(Locale.ROOT, " ± %.1f", s.std()));
        }
        if (expectedSeeds > 0 && s.n() < expectedSeeds) {
            b.append(" (n=").append(s.n()).append(")");
        }
        if (note != null) {
            b.append(" [").append(note).append("]");
        }
        return b.toString();
    }

    static String signed(double v) {
        String s = String.format(Locale.ROOT, "%+.1f", v);
        return s.equals("+0.0") || s.equals("-0.0") ? "0.0" : s.replace('-', '−');
    }

    static String ci(ComparisonStatistics.Line l) {
        return l.ci().exists() ? interval(l.ci()) : "–";
    }

    static String interval(PairedStatistics.Interval ci) {
        return "[" + signed(ci.low()) + ", " + signed(ci.high()) + "]";
    }

    static String pValue(double p) {
        if (Double.isNaN(p)) {
            return "–";
        }
        return p < 0.001 ? "<0.001" : String.format(Locale.ROOT, "%.3f", p);
    }

    /** "13: +1.0, 21: −2.5": a comparison's difference for each seed. */
    static String perSeed(ResultTables.Paired p) {
        return bySeed(p.differences(), Formats::signed);
    }

    /** "13: a, 21: b": one value per seed, in the map's order. */
    static <T> String bySeed(Map<Integer, T> values, Function<T, String> format) {
        StringBuilder b = new StringBuilder();
        values.forEach((seed, v) ->
                b.append(b.length() == 0 ? "" : ", ").append(seed).append(": ").append(format.apply(v)));
        return b.toString();
    }
}
