package org.mera.experiment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a finished cell produced: test metrics as fractions (accuracy 0.81, not 81), and anything else
 * worth keeping (dev scores, chosen step, number of trainable parameters...). {@code extra} must be
 * JSON-serialisable (numbers, strings, booleans, lists, maps). {@code predictions} (may be null, e.g. for a runner
 * that has none) are the per-example test predictions, stored beside the results file for the report's paired
 * statistics and trivial baselines.
 */
public record CellResult(Map<String, Double> metrics, Map<String, Object> extra, CellPredictions predictions) {
    public CellResult(Map<String, Double> metrics, Map<String, Object> extra) {
        this(metrics, extra, null);
    }

    public CellResult {
        if (metrics == null || metrics.isEmpty()) {
            throw new IllegalArgumentException("a cell result needs at least one metric");
        }
        metrics.forEach((name, value) -> {
            if (value == null || !Double.isFinite(value)) {
                throw new IllegalArgumentException(
                        "metric '" + name + "' is " + value + "; metrics must be finite numbers");
            }
        });
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    public static CellResult of(Map<String, Double> metrics) {
        return new CellResult(metrics, Map.of());
    }
}
