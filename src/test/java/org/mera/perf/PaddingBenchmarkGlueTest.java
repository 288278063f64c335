package org.mera.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.data.TaskDirectory;
import org.mera.data.TaskRegistry;
import org.mera.data.TextEncoder;
import org.mera.model.ModelCatalog;
import org.mera.model.PretrainedModel;

/** The padding benchmark on real SST-2 k-shot rows and minilm: what it counts, not how fast it runs. */
@Tag("glue")
class PaddingBenchmarkGlueTest {
    @Test
    void countsTheRealTokensAndThePositionsEachWayComputes() throws Exception {
        PretrainedModel model =
                PretrainedModel.load(ModelCatalog.fromEnvironment().resolve("minilm"));
        Task sst2 = TaskRegistry.withGlue().get("SST-2");
        List<Example> rows = TaskDirectory.under(org.mera.GlueData.ROOT, sst2)
                .kshotTrain(16, 13)
                .subList(0, 16);
        PaddingBenchmark.Result r = PaddingBenchmark.run(model, sst2, rows, 8, 0, 1);
        long real;
        try (TextEncoder text = TextEncoder.load(model.tokenizerJson())) {
            real = text.encodeAll(rows, sst2).stream()
                    .mapToLong(x -> x.length())
                    .sum();
        }
        assertEquals(16, r.rows());
        assertEquals(2, r.batches());
        assertEquals(128, r.fixedLength());
        assertEquals(real, r.realTokens(), "every real token counted once");
        assertEquals(16 * 128, r.fixedTokens());
        assertTrue(
                r.realTokens() <= r.dynamicTokens() && r.dynamicTokens() < r.fixedTokens() / 2,
                "short SST-2 sentences: " + r);
        assertTrue(r.dynamicSeconds() > 0 && r.fixedSeconds() > 0, r.toString());
        assertEquals(2, r.rows("minilm").size());
        assertTrue(
                r.rows("minilm").get(1).name().endsWith("padded to 128"),
                r.rows("minilm").toString());
    }
}
