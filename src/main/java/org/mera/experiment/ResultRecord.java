package org.mera.experiment;

import java.util.List;
import java.util.Map;

/**
 * One finished cell as stored (one JSON line in results.jsonl): the cell's identity, its metrics
 * (fractions), extra outputs, how long it took and which run produced it.
 */
public record ResultRecord(
        String key,
        String encoder,
        String task,
        int k,
        int seed,
        String method,
        String source,
        List<String> sources,
        String primaryMetric,
        Map<String, Double> metrics,
        Map<String, Object> extra,
        long durationMs,
        String finishedAt,
        String runId) {
    public ResultRecord {
        sources = sources == null ? List.of() : List.copyOf(sources);
        extra = extra == null ? Map.of() : extra;
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("a result record needs a key");
        }
        if (metrics == null || !metrics.containsKey(primaryMetric)) {
            throw new IllegalArgumentException("result " + key + " lacks its primary metric '" + primaryMetric
                    + "' (has " + (metrics == null ? "none" : metrics.keySet()) + ")");
        }
    }

    public static ResultRecord of(Cell cell, CellResult result, long durationMs, String finishedAt, String runId) {
        return new ResultRecord(
                cell.key(),
                cell.encoder(),
                cell.task(),
                cell.k(),
                cell.seed(),
                cell.method().id(),
                cell.source(),
                cell.sources(),
                cell.primaryMetric(),
                result.metrics(),
                result.extra(),
                durationMs,
                finishedAt,
                runId);
    }

    /** The method as tables show it, as {@link Cell#methodLabel()} does: "single[MNLI]" for a single-source cell. */
    public String methodLabel() {
        return Cell.methodLabel(method, source);
    }

    /** The primary metric as a fraction. */
    public double primary() {
        return metrics.get(primaryMetric);
    }
}
