package org.mera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.adapter.AdapterHubFormat;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.bottleneck.AdapterHubDirectory;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.data.Batcher;
import org.mera.data.EncodedExample;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.data.TaskDirectory;
import org.mera.data.TaskRegistry;
import org.mera.data.TextEncoder;
import org.mera.io.SafeTensors;
import org.mera.io.Tensor;
import org.mera.merge.RandomAdapters;
import org.mera.model.ClassificationHead;
import org.mera.model.ModelCatalog;
import org.mera.model.PretrainedModel;

/** Trained runs written as AdapterHub / PEFT directories read back into the same model, on real RTE data and minilm. */
@Tag("glue")
class AdapterFilesTest {
    static final Path GLUE = org.mera.GlueData.ROOT;
    static final ObjectMapper JSON = new ObjectMapper();
    static PretrainedModel model;
    static Task rte;
    static List<Example> train;
    static List<Example> dev;
    static List<Example> test;

    @BeforeAll
    static void load() throws Exception {
        model = PretrainedModel.load(ModelCatalog.fromEnvironment().resolve("minilm"));
        rte = TaskRegistry.withGlue().get("RTE");
        TaskDirectory data = TaskDirectory.under(GLUE, rte);
        train = data.kshotTrain(16, 42);
        dev = data.kshotDev(16, 42).subList(0, 8);
        test = data.kshotDev(16, 13).subList(0, 12);
    }

    static TrainingRun.Outcome train(Method m) throws Exception {
        TrainOptions o = TrainOptions.defaults()
                .withMaxSteps(3)
                .withBatchSize(8)
                .withLearningRate(m.defaultLearningRate())
                .withProgress(false);
        return TrainingRun.run(new TrainingRun.Spec(model, rte, train, dev, test, m, o, null));
    }

    static Predictions predict(TaskModel tm) throws Exception {
        try (TextEncoder text = TextEncoder.load(model.tokenizerJson())) {
            List<EncodedExample> enc = text.encodeAll(test, rte);
            return Evaluator.predict(tm, new Batcher(64, text.padId()).evalBatches(enc));
        }
    }

    static List<EncodedExample> encodedTest() throws Exception {
        try (TextEncoder text = TextEncoder.load(model.tokenizerJson())) {
            return text.encodeAll(test, rte);
        }
    }

    /** Saving then loading gives the very probabilities of the trained weights, and the run's own test metrics. */
    void assertRoundTrip(Method m, Path dir) throws Exception {
        TrainingRun.Outcome r = train(m);
        AdapterFiles.save(dir, "rte", r, model, "minilm", rte, m);
        try (NDManager a = NDManager.newBaseManager();
                NDManager b = NDManager.newBaseManager()) {
            Predictions inMemory = predict(AdapterFiles.taskModel(model, rte, m, r, a));
            AdapterFiles.Loaded loaded = AdapterFiles.load(dir, model, rte, b);
            Predictions fromFiles = predict(loaded.model());
            assertEquals("rte", loaded.name());
            assertArrayEquals(inMemory.classes(), fromFiles.classes());
            for (int i = 0; i < test.size(); i++) {
                assertArrayEquals(inMemory.probabilities()[i], fromFiles.probabilities()[i], 0f, "example " + i);
            }
            assertEquals(r.testMetrics(), TrainingRun.score(rte, fromFiles, encodedTest()));
        }
        // the files also start a new run with the same method and shape
        AdapterFiles.Init init = AdapterFiles.readInit(dir, model, rte, true);
        assertEquals(m, init.method());
        assertEquals(r.adapterWeights().keySet(), init.adapter().keySet());
        assertEquals(r.headWeights().keySet(), init.head().keySet());
    }

    /** A run told not to score the test split (a learning rate that cannot be chosen) trains the same model. */
    @Test
    void testSplitIsScoredOnlyWhenAsked() throws Exception {
        Method m = Method.parse("adapter");
        TrainOptions o = TrainOptions.defaults()
                .withMaxSteps(3)
                .withBatchSize(8)
                .withLearningRate(m.defaultLearningRate())
                .withProgress(false);
        TrainingRun.Spec spec = new TrainingRun.Spec(model, rte, train, dev, test, m, o, null);
        double[] seen = {Double.NaN};
        TrainingRun.Outcome skipped = TrainingRun.run(spec, tm -> {}, devPrimary -> {
            seen[0] = devPrimary;
            return false;
        });
        assertTrue(skipped.testMetrics().isEmpty(), skipped.testMetrics().toString());
        assertEquals(null, skipped.testPredictions());
        assertEquals(skipped.devMetrics().get(Metrics.PRIMARY), seen[0], 0.0, "the predicate sees the dev score");
        TrainingRun.Outcome scored = TrainingRun.run(spec, tm -> {}, devPrimary -> true);
        assertEquals(skipped.devMetrics(), scored.devMetrics());
        assertEquals(test.size(), scored.testPredictions().size());
        assertEquals(train(m).testMetrics(), scored.testMetrics());
    }

    /** A learning-rate grid scores only the chosen run's test split, after the other rates trained: same predictions. */
    @Test
    void aTrainedModelScoredAfterAnotherRunTrainedGivesTheSamePredictions() throws Exception {
        Method m = Method.parse("adapter");
        TrainOptions o =
                TrainOptions.defaults().withMaxSteps(3).withBatchSize(8).withProgress(false);
        TrainingRun.Spec first = new TrainingRun.Spec(model, rte, train, dev, test, m, o.withLearningRate(1e-3f), null);
        TrainingRun.Spec second =
                new TrainingRun.Spec(model, rte, train, dev, test, m, o.withLearningRate(1e-4f), null);
        TrainingRun.Outcome atOnce = TrainingRun.run(first, tm -> {}, devPrimary -> true);
        TrainingRun.Outcome later;
        try (TrainingRun.Trained kept = TrainingRun.train(first, tm -> {})) {
            try (TrainingRun.Trained other = TrainingRun.train(second, tm -> {})) {
                assertTrue(Double.isFinite(other.devPrimary()));
            }
            assertTrue(kept.outcome(false, false).testMetrics().isEmpty(), "no test scores unless asked");
            assertTrue(kept.outcome(false, false).adapterWeights().isEmpty(), "no weights unless asked");
            later = kept.outcome(true, true);
        }
        assertEquals(atOnce.devMetrics(), later.devMetrics());
        assertEquals(atOnce.testMetrics(), later.testMetrics());
        assertArrayEquals(
                atOnce.testPredictions().classes(), later.testPredictions().classes());
        for (int i = 0; i < test.size(); i++) {
            assertArrayEquals(
                    atOnce.testPredictions().probabilities()[i],
                    later.testPredictions().probabilities()[i]);
        }
        assertEquals(atOnce.adapterWeights().keySet(), later.adapterWeights().keySet());
    }

    @Test
    void pfeifferAdapterAndHeadRoundTripWithAdapterHubNames(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("rte");
        assertRoundTrip(Method.of(Method.Kind.PFEIFFER), dir);
        JsonNode cfg = JSON.readTree(dir.resolve("adapter_config.json").toFile());
        assertEquals("rte", cfg.get("name").asText());
        assertEquals(384, cfg.get("hidden_size").asInt());
        assertEquals("minilm", cfg.get("model_name").asText());
        assertEquals("bert", cfg.get("model_type").asText());
        assertEquals("BertAdapterModel", cfg.get("model_class").asText());
        assertEquals(16, cfg.get("config").get("reduction_factor").asInt());
        assertEquals("relu", cfg.get("config").get("non_linearity").asText());
        assertEquals(false, cfg.get("config").get("mh_adapter").asBoolean());
        assertEquals(true, cfg.get("config").get("output_adapter").asBoolean());
        assertEquals(true, cfg.get("config").get("original_ln_before").asBoolean());
        Map<String, Tensor> w =
                SafeTensors.read(dir.resolve("adapter.safetensors")).tensors();
        assertEquals(6 * 4, w.size());
        assertArrayEquals(
                new int[] {24, 384},
                w.get("bert.encoder.layer.0.output.adapters.rte.adapter_down.0.weight")
                        .shape());
        assertArrayEquals(
                new int[] {24},
                w.get("bert.encoder.layer.5.output.adapters.rte.adapter_down.0.bias")
                        .shape());
        assertArrayEquals(
                new int[] {384, 24},
                w.get("bert.encoder.layer.3.output.adapters.rte.adapter_up.weight")
                        .shape());
        assertArrayEquals(
                new int[] {384},
                w.get("bert.encoder.layer.3.output.adapters.rte.adapter_up.bias")
                        .shape());
        JsonNode head = JSON.readTree(dir.resolve("head_config.json").toFile());
        assertEquals("rte", head.get("name").asText());
        assertEquals("classification", head.get("config").get("head_type").asText());
        assertEquals(2, head.get("config").get("num_labels").asInt());
        assertEquals(0, head.get("config").get("label2id").get("entailment").asInt());
        assertEquals(1, head.get("config").get("label2id").get("not_entailment").asInt());
        assertFalse(head.get("config").has("pooling"), "a first-token head is written exactly as AdapterHub writes it");
        Map<String, Tensor> h =
                SafeTensors.read(dir.resolve("model_head.safetensors")).tensors();
        assertEquals(4, h.size());
        assertArrayEquals(new int[] {384, 384}, h.get("heads.rte.1.weight").shape());
        assertArrayEquals(new int[] {2, 384}, h.get("heads.rte.4.weight").shape());
        assertArrayEquals(new int[] {2}, h.get("heads.rte.4.bias").shape());
        assertEquals(
                "pt",
                SafeTensors.read(dir.resolve("adapter.safetensors")).metadata().get("format"));
    }

    @Test
    void houlsbyAdapterRoundTrips(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("rte");
        assertRoundTrip(Method.of(Method.Kind.HOULSBY).withReductionFactor(32), dir);
        Map<String, Tensor> w =
                SafeTensors.read(dir.resolve("adapter.safetensors")).tensors();
        assertEquals(6 * 2 * 4, w.size());
        assertArrayEquals(
                new int[] {12, 384},
                w.get("bert.encoder.layer.2.attention.output.adapters.rte.adapter_down.0.weight")
                        .shape());
        JsonNode cfg =
                JSON.readTree(dir.resolve("adapter_config.json").toFile()).get("config");
        assertEquals(32, cfg.get("reduction_factor").asInt());
        assertEquals("swish", cfg.get("non_linearity").asText());
        assertEquals(true, cfg.get("mh_adapter").asBoolean());
    }

    @Test
    void loraRoundTripsWithPeftNames(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("rte");
        assertRoundTrip(Method.of(Method.Kind.LORA).withLora(4, 8f), dir);
        JsonNode cfg = JSON.readTree(dir.resolve("adapter_config.json").toFile());
        assertEquals("LORA", cfg.get("peft_type").asText());
        assertEquals(4, cfg.get("r").asInt());
        assertEquals(8, cfg.get("lora_alpha").asInt());
        assertEquals("SEQ_CLS", cfg.get("task_type").asText());
        // what AutoPeftModelForSequenceClassification.from_pretrained(dir) loads: the converted model directory
        assertEquals(
                model.directory().toAbsolutePath().normalize().toString(),
                cfg.get("base_model_name_or_path").asText());
        assertEquals(
                "0.1",
                cfg.get("lora_dropout").toString(),
                "the float 0.1f, not its widened double 0.10000000149011612");
        assertEquals(
                List.of("query", "value"),
                List.of(
                        cfg.get("target_modules").get(0).asText(),
                        cfg.get("target_modules").get(1).asText()));
        assertEquals(
                "[\"pooler\",\"classifier\",\"score\"]",
                cfg.get("modules_to_save").toString());
        Map<String, Tensor> w =
                SafeTensors.read(dir.resolve("adapter_model.safetensors")).tensors();
        assertEquals(6 * 2 * 2 + 4, w.size());
        assertArrayEquals(
                new int[] {4, 384},
                w.get("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight")
                        .shape());
        assertArrayEquals(
                new int[] {384, 4},
                w.get("base_model.model.bert.encoder.layer.5.attention.self.value.lora_B.weight")
                        .shape());
        // the head as BertForSequenceClassification's pooler + classifier, saved through modules_to_save
        Map<String, Tensor> h =
                SafeTensors.read(dir.resolve("model_head.safetensors")).tensors();
        assertArrayEquals(
                h.get("heads.rte.1.weight").data(),
                w.get("base_model.model.bert.pooler.dense.weight").data());
        assertArrayEquals(
                h.get("heads.rte.1.bias").data(),
                w.get("base_model.model.bert.pooler.dense.bias").data());
        assertArrayEquals(
                h.get("heads.rte.4.weight").data(),
                w.get("base_model.model.classifier.weight").data());
        assertArrayEquals(
                h.get("heads.rte.4.bias").data(),
                w.get("base_model.model.classifier.bias").data());
        assertTrue(AdapterHubFormat.readHead(dir).isPresent());
    }

    @Test
    void aPeftSequenceClassificationHeadIsReadWithoutTheAdapterHubHeadFiles(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("rte");
        Method m = Method.of(Method.Kind.LORA).withLora(4, 8f);
        TrainingRun.Outcome r = train(m);
        AdapterFiles.save(dir, "rte", r, model, "minilm", rte, m);
        Files.delete(dir.resolve("head_config.json"));
        Files.delete(dir.resolve("model_head.safetensors"));
        try (NDManager a = NDManager.newBaseManager();
                NDManager b = NDManager.newBaseManager()) {
            Predictions inMemory = predict(AdapterFiles.taskModel(model, rte, m, r, a));
            Predictions fromPeft = predict(AdapterFiles.load(dir, model, rte, b).model());
            for (int i = 0; i < test.size(); i++) {
                assertArrayEquals(inMemory.probabilities()[i], fromPeft.probabilities()[i], 0f, "example " + i);
            }
        }
    }

    @Test
    void aMeanPooledLoraIsWrittenForAutoModelWithItsHeadBeside(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("rte");
        // transformers' BertForSequenceClassification cannot mean-pool: the adapter is written as PEFT saves it on
        // AutoModel (no bert. prefix, no classifier), and still round-trips exactly through the AdapterHub head files
        assertRoundTrip(
                Method.of(Method.Kind.LORA).withLora(4, 8f).withHeadPooling(ClassificationHead.Pooling.MEAN), dir);
        JsonNode cfg = JSON.readTree(dir.resolve("adapter_config.json").toFile());
        assertEquals("FEATURE_EXTRACTION", cfg.get("task_type").asText());
        assertTrue(cfg.get("modules_to_save").isNull());
        Map<String, Tensor> w =
                SafeTensors.read(dir.resolve("adapter_model.safetensors")).tensors();
        assertEquals(6 * 2 * 2, w.size());
        assertTrue(
                w.containsKey("base_model.model.encoder.layer.0.attention.self.query.lora_A.weight"),
                w.keySet().toString());
    }

    @Test
    void fullFineTuningSavesAnHfModelDirectoryWithHead(@TempDir Path tmp) throws Exception {
        Method m = Method.of(Method.Kind.FULL);
        Path dir = tmp.resolve("rte-full");
        TrainingRun.Outcome r = train(m);
        AdapterFiles.save(dir, "rte", r, model, "minilm", rte, m);
        assertEquals(AdapterFiles.Kind.FULL, AdapterFiles.detect(dir));
        try (NDManager b = NDManager.newBaseManager()) {
            AdapterFiles.Loaded loaded = AdapterFiles.load(dir, null, rte, b);
            assertEquals(r.testMetrics(), TrainingRun.score(rte, predict(loaded.model()), encodedTest()));
        }
        assertTrue(SafeTensors.read(dir.resolve("model.safetensors"))
                .tensors()
                .containsKey("encoder.layer.5.output.dense.weight"));
    }

    @Test
    void anAdapterForAnotherHiddenSizeIsRefusedNamingBothSizes(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("big");
        AdapterHubDirectory.write(
                dir, RandomAdapters.create("big", BottleneckConfig.pfeiffer(), EncoderInfo.bertBase(), 6, 48, 0.02, 1));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AdapterFiles.readInit(dir, model, rte, false));
        assertTrue(
                e.getMessage().contains("hidden_size 768")
                        && e.getMessage().contains("384")
                        && e.getMessage().contains("adapter_config.json"),
                e.getMessage());
    }

    @Test
    void anAdapterWithMoreLayersThanTheModelIsRefused(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("deep");
        EncoderInfo small = new EncoderInfo("minilm", "bert", "BertAdapterModel", 384);
        AdapterHubDirectory.write(
                dir, RandomAdapters.create("deep", BottleneckConfig.pfeiffer(), small, 12, 24, 0.02, 1));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AdapterFiles.readInit(dir, model, rte, false));
        assertTrue(e.getMessage().contains("12 layers") && e.getMessage().contains("has 6"), e.getMessage());
    }

    @Test
    void aMeanPooledHeadRoundTripsAndSaysSoInItsConfig(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("rte");
        // Exact probabilities after the round trip: a head read back as first-token would give others.
        assertRoundTrip(Method.of(Method.Kind.PFEIFFER).withHeadPooling(ClassificationHead.Pooling.MEAN), dir);
        assertEquals(
                "mean",
                JSON.readTree(dir.resolve("head_config.json").toFile())
                        .get("config")
                        .get("pooling")
                        .asText());
    }

    @Test
    void aHeadOnThePoolerOutputIsRefusedRatherThanMisread(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("rte");
        AdapterFiles.save(
                dir,
                "rte",
                train(Method.of(Method.Kind.PFEIFFER)),
                model,
                "minilm",
                rte,
                Method.of(Method.Kind.PFEIFFER));
        Path cfg = dir.resolve("head_config.json");
        JsonNode root = JSON.readTree(cfg.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("config")).put("use_pooler", true);
        Files.writeString(cfg, JSON.writeValueAsString(root));
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> AdapterFiles.load(dir, model, rte, m));
            assertTrue(
                    e.getMessage().contains("use_pooler") && e.getMessage().contains(cfg.toString()), e.getMessage());
        }
    }

    @Test
    void aHeadForOtherLabelsIsRefused(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("rte");
        TrainingRun.Outcome r = train(Method.of(Method.Kind.PFEIFFER));
        AdapterFiles.save(dir, "rte", r, model, "minilm", rte, Method.of(Method.Kind.PFEIFFER));
        Task mrpc = TaskRegistry.withGlue().get("MRPC");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AdapterFiles.readInit(dir, model, mrpc, true));
        assertTrue(e.getMessage().contains("label2id") && e.getMessage().contains("MRPC"), e.getMessage());
    }
}
