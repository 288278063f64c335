package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.data.Decontamination;
import org.mera.data.Example;
import org.mera.data.TaskDirectory;
import org.mera.experiment.cell.MeraCellRunner;

/**
 * On the real GLUE data: MRPC's test pairs that STS-B's pool holds (and STS-B's test pairs in MRPC's pool) are found
 * although the two tasks tokenise differently, and a grid with both as targets removes them from the pools before the
 * source adapters train. An exact string match finds almost none of them.
 */
@Tag("glue")
class GlueDecontaminationTest {
    private static List<Example> pool(TaskDirectory td) {
        List<Example> all = new ArrayList<>(td.read(td.poolTrainFile()));
        all.addAll(td.read(td.poolDevFile()));
        return all;
    }

    private static int held(List<Example> test, List<Example> pool, Function<Example, String> key) {
        Set<String> keys = new HashSet<>();
        pool.forEach(e -> keys.add(key.apply(e)));
        int n = 0;
        for (Example e : test) {
            n += keys.contains(key.apply(e)) ? 1 : 0;
        }
        return n;
    }

    /** The raw strings, in either order: what an exact match sees. */
    private static String exact(Example e) {
        return e.textA().compareTo(e.textB()) <= 0
                ? e.textA() + "\u0000" + e.textB()
                : e.textB() + "\u0000" + e.textA();
    }

    @Test
    void mrpcAndStsbOverlapIsFoundAndRemovedFromThePools(@TempDir Path tmp) throws Exception {
        TaskDirectory mrpc = TaskDirectory.under(TinyGlue.GLUE, org.mera.data.GlueTasks.MRPC);
        TaskDirectory stsb = TaskDirectory.under(TinyGlue.GLUE, org.mera.data.GlueTasks.STSB);
        List<Example> mrpcTest = mrpc.test();
        List<Example> stsbTest = stsb.test();
        int mrpcInStsb = held(mrpcTest, pool(stsb), Decontamination::key);
        int stsbInMrpc = held(stsbTest, pool(mrpc), Decontamination::key);
        int mrpcInStsbExact = held(mrpcTest, pool(stsb), GlueDecontaminationTest::exact);
        int stsbInMrpcExact = held(stsbTest, pool(mrpc), GlueDecontaminationTest::exact);
        // The audit's counts (issue 18): 48 of MRPC's 408 test pairs and 111 of STS-B's 1,500 are in the other's pool,
        // every one in another tokenisation or order, so an exact match finds none.
        assertEquals(408, mrpcTest.size());
        assertEquals(1500, stsbTest.size());
        assertEquals(48, mrpcInStsb);
        assertEquals(111, stsbInMrpc);
        assertEquals(0, mrpcInStsbExact);
        assertEquals(0, stsbInMrpcExact);

        Path config = tmp.resolve("c.yaml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "name: glue-decontamination",
                        "dataRoot: " + TinyGlue.GLUE.toAbsolutePath(),
                        "outputDir: " + tmp.resolve("out"),
                        "encoders: [minilm]",
                        "targets: [MRPC, STS-B, QQP]",
                        "sources: [MRPC, STS-B, QQP]",
                        "methods: [mera-same-track]",
                        ""));
        ExperimentConfig c = ExperimentConfig.load(config);
        Grid grid = new ExperimentRunner(c, new MeraCellRunner(new ArtifactCache(tmp.resolve("cache")), false)).plan();
        ContaminationReference ref = grid.cells().get(0).decontamination();
        ContaminationReference.CleanedPool stsbPool = ref.clean(stsb);
        ContaminationReference.CleanedPool mrpcPool = ref.clean(mrpc);
        List<Example> stsbKept = new ArrayList<>(stsbPool.train().kept());
        stsbKept.addAll(stsbPool.dev().kept());
        List<Example> mrpcKept = new ArrayList<>(mrpcPool.train().kept());
        mrpcKept.addAll(mrpcPool.dev().kept());
        assertEquals(
                0, held(mrpcTest, stsbKept, Decontamination::key), "no MRPC test pair is left in STS-B's cleaned pool");
        assertEquals(
                0, held(stsbTest, mrpcKept, Decontamination::key), "no STS-B test pair is left in MRPC's cleaned pool");
        // Pool rows removed (train, dev) because of MRPC's files (test and k-shot splits of the five seeds) and vice
        // versa.
        assertEquals(5173, stsbPool.train().before());
        assertEquals(82, stsbPool.train().removedByOwner().get("MRPC"));
        assertEquals(5, stsbPool.dev().removedByOwner().get("MRPC"));
        assertEquals(3300, mrpcPool.train().before());
        assertEquals(125, mrpcPool.train().removedByOwner().get("STS-B"));
        assertEquals(6, mrpcPool.dev().removedByOwner().get("STS-B"));
        // Of those, MRPC's test file alone accounts for rows holding its 48 pairs (a pair may occur twice in a pool).
        Decontamination.Index mrpcTestOnly = new Decontamination.Index().add("MRPC test", mrpcTest);
        int fromTest = mrpcTestOnly.clean(stsb.read(stsb.poolTrainFile())).removed()
                + mrpcTestOnly.clean(stsb.read(stsb.poolDevFile())).removed();
        assertTrue(fromTest >= 48 && fromTest <= 82 + 5, "STS-B pool rows holding an MRPC test pair: " + fromTest);

        // QQP has no test split: its pool dev is its test file. That file is not cleaned against itself (the QQP
        // adapter
        // would have nothing to select on), but a QQP k-shot pair in it is removed from the pool and, as a test row,
        // left out of the cells of that seed.
        ContaminationReference.CleanedPool qqpPool =
                ref.clean(TaskDirectory.under(TinyGlue.GLUE, org.mera.data.GlueTasks.QQP));
        assertEquals(1, qqpPool.dev().removed(), qqpPool.counts().toString());
        TaskDirectory qqp = TaskDirectory.under(TinyGlue.GLUE, org.mera.data.GlueTasks.QQP);
        int inTest = 0;
        for (int seed : TaskDirectory.LM_BFF_SEEDS) {
            inTest += new Decontamination.Index()
                    .add("QQP", qqp.kshotTrain(16, seed))
                    .add("QQP", qqp.kshotDev(16, seed))
                    .clean(qqp.test())
                    .removed();
        }
        assertEquals(1, inTest, "the QQP k-shot pair in QQP's test file");
    }
}
