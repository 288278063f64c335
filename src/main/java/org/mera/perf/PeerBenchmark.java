package org.mera.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.mera.io.Json;

/**
 * The peer of {@code mera bench}: {@code scripts/peer_bench.py} times the same encoder rows in Hugging Face
 * transformers + PEFT (forward, bottleneck adapter step, LoRA step, full step; each row in its own process), and
 * this class runs it and sets its figures beside mera's, measured in the same command so that both see the same
 * machine state.
 */
public final class PeerBenchmark {
    /** One row the peer measured. */
    public record Row(String row, double medianSeconds, double peakRssMiB, String versions) {}

    /** The peer's row names, in the order mera's rows are compared with them. */
    public static final List<String> ROWS = List.of("forward", "adapter", "lora", "full");

    private static final ObjectMapper JSON = Json.PLAIN;

    private PeerBenchmark() {}

    /**
     * Runs {@code python script modelDir ...} and reads its JSON lines. Fails with the script's own output when it
     * exits non-zero or prints anything that is not a row.
     */
    public static List<Row> run(
            String python,
            Path script,
            Path modelDir,
            String label,
            int batch,
            int seq,
            int threads,
            int warmup,
            int runs)
            throws IOException {
        if (!Files.isRegularFile(script)) {
            throw new IOException(
                    "peer benchmark script " + script + " not found (run mera bench from the repository root)");
        }
        List<String> command = List.of(
                python,
                script.toString(),
                modelDir.toString(),
                "--label",
                label,
                "--batch",
                String.valueOf(batch),
                "--seq",
                String.valueOf(seq),
                "--threads",
                String.valueOf(threads),
                "--warmup",
                String.valueOf(warmup),
                "--runs",
                String.valueOf(runs));
        Path log = Files.createTempFile("mera-peer-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(6, TimeUnit.HOURS) || p.exitValue() != 0) {
                throw new IOException("peer benchmark " + String.join(" ", command) + " failed (exit "
                        + (p.isAlive() ? "none: timed out" : p.exitValue()) + "): " + tail(Files.readString(log)));
            }
            return parse(out, String.join(" ", command));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the peer benchmark", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The rows of the peer's standard output: one JSON object per line. */
    static List<Row> parse(String out, String source) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                throw new IOException(source + ": not a peer row: '" + line + "'", e);
            }
            if (!n.path("row").isTextual()
                    || !n.path("median_s").isNumber()
                    || !n.path("peak_rss_mib").isNumber()) {
                throw new IOException(source + ": a peer row needs row, median_s and peak_rss_mib: '" + line + "'");
            }
            rows.add(new Row(
                    n.get("row").asText(),
                    n.get("median_s").asDouble(),
                    n.get("peak_rss_mib").asDouble(),
                    "torch " + n.path("torch").asText("?") + ", transformers "
                            + n.path("transformers").asText("?") + ", peft "
                            + n.path("peft").asText("?") + ", attention "
                            + n.path("attention").asText("?")));
        }
        return rows;
    }

    /**
     * Markdown: mera's rows beside the peer's, with the time ratio peer / mera (above 1: mera is faster), the step's
     * matrix products alone ({@link MatmulFloor}: no float32 implementation on this BLAS is faster) with what that
     * floor leaves, peer / floor (the most any such implementation could gain on the peer), and both peak RSS
     * figures. {@code mera} holds mera's rows in {@link #ROWS} order (null where mera has none).
     */
    public static String sideBySide(String model, List<BenchRow> mera, List<Row> peer, MatmulFloor.Result floor) {
        StringBuilder md = new StringBuilder();
        md.append("| ")
                .append(model)
                .append(" | mera | peer | peer / mera | matrix products alone | mera / floor | peer / floor"
                        + " | mera peak RSS (MiB) | peer peak RSS (MiB) |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < ROWS.size(); i++) {
            String name = ROWS.get(i);
            BenchRow m = i < mera.size() ? mera.get(i) : null;
            Row p = peer.stream().filter(r -> r.row().equals(name)).findFirst().orElse(null);
            if (m == null && p == null) {
                continue;
            }
            double f = switch (name) {
                case "forward" -> floor.forwardFloor();
                case "full" -> floor.fullStepFloor();
                default -> floor.adapterStepFloor();
            };
            md.append("| ")
                    .append(name.equals("forward") ? "forward" : name + " step")
                    .append(" | ")
                    .append(m == null ? "-" : BenchReport.formatSeconds(m.medianSeconds()))
                    .append(" | ")
                    .append(p == null ? "-" : BenchReport.formatSeconds(p.medianSeconds()))
                    .append(" | ")
                    .append(m == null || p == null ? "-" : ratio(p.medianSeconds(), m.medianSeconds()))
                    .append(" | ")
                    .append(BenchReport.formatSeconds(f))
                    .append(" | ")
                    .append(m == null ? "-" : ratio(m.medianSeconds(), f))
                    .append(" | ")
                    .append(p == null ? "-" : ratio(p.medianSeconds(), f))
                    .append(" | ")
                    .append(m == null ? "-" : String.format(Locale.ROOT, "%.0f", m.peakRssMiB()))
                    .append(" | ")
                    .append(p == null ? "-" : String.format(Locale.ROOT, "%.0f", p.peakRssMiB()))
                    .append(" |\n");
        }
        return md.toString();
    }

    private static String ratio(double a, double b) {
        return String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static String tail(String s) {
        return s.length() <= 2000 ? s : "..." + s.substring(s.length() - 2000);
    }
}
