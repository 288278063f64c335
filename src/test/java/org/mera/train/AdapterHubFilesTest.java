package org.mera.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.adapter.AdapterHubFormat;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.HeadConfig;
import org.mera.adapter.PredictionHead;
import org.mera.adapter.bottleneck.AdapterHubDirectory;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.lora.AdapterHubLoraDirectory;
import org.mera.data.Batcher;
import org.mera.data.Example;
import org.mera.data.GlueTasks;
import org.mera.data.Task;
import org.mera.data.TextEncoder;
import org.mera.io.Tensor;
import org.mera.model.ModelCatalog;
import org.mera.model.PretrainedModel;

/**
 * Files that AdapterHub's `adapters` 1.2.0 saved itself, in its default format (src/test/resources/adapterhub, made by
 * scripts/oracle/adapterhub_fixtures.py on minilm): torch pickles, not safetensors, and a head added without labels
 * (LABEL_0, LABEL_1). mera must read them and give the probabilities `adapters` computed.
 */
class AdapterHubFilesTest {
    static final Path FIXTURES = Path.of("src/test/resources/adapterhub");
    static final ObjectMapper JSON = new ObjectMapper();
    static PretrainedModel model;

    @BeforeAll
    static void load() throws Exception {
        model = PretrainedModel.load(ModelCatalog.fromEnvironment().resolve("minilm"));
    }

    /** Probabilities mera computes from {@code dir} for the pairs in its expected.json, and what stderr said. */
    static double maxDifferenceFromAdapterHub(Path dir, StringBuilder stderr) throws Exception {
        JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
        List<Example> pairs = new ArrayList<>();
        for (JsonNode p : expected.get("pairs")) {
            pairs.add(new Example(p.get(0).asText(), p.get(1).asText(), null));
        }
        Task rte = GlueTasks.RTE;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        double max = 0;
        try (NDManager m = NDManager.newBaseManager();
                TextEncoder text = TextEncoder.load(model.tokenizerJson())) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            AdapterFiles.Loaded loaded;
            try {
                loaded = AdapterFiles.load(dir, model, rte, m);
            } finally {
                System.setErr(err);
            }
            Predictions p = Evaluator.predict(
                    loaded.model(), new Batcher(8, text.padId()).evalBatches(text.encodeAll(pairs, rte)));
            for (int i = 0; i < pairs.size(); i++) {
                for (int c = 0; c < 2; c++) {
                    max = Math.max(
                            max,
                            Math.abs(p.probabilities()[i][c]
                                    - expected.get("probabilities")
                                            .get(i)
                                            .get(c)
                                            .asDouble()));
                }
            }
        }
        stderr.append(captured.toString(StandardCharsets.UTF_8));
        System.out.printf("%s: max probability difference from adapters %.3g%n", dir.getFileName(), max);
        return max;
    }

    @Test
    void readsAnAdapterHubPfeifferAdapterAndHeadSavedAsTorchPicklesWithGenericLabels() throws Exception {
        StringBuilder err = new StringBuilder();
        double max = maxDifferenceFromAdapterHub(FIXTURES.resolve("pfeiffer-minilm"), err);
        assertTrue(max < 1e-5, "max |p_mera - p_adapters| = " + max);
        // the generic labels are mapped by index, and the user is told so in one line
        assertTrue(err.toString().contains("LABEL_0 = entailment, LABEL_1 = not_entailment"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    @Test
    void readsAnAdapterHubHoulsbyAdapterSavedAsTorchPickles() throws Exception {
        double max = maxDifferenceFromAdapterHub(FIXTURES.resolve("houlsby-minilm"), new StringBuilder());
        assertTrue(max < 1e-5, "max |p_mera - p_adapters| = " + max);
    }

    @Test
    void readsAnAdapterHubLoraSavedAsATorchPickleAndWritesOneAdaptersReads(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("rte");
        Files.createDirectories(dir);
        for (String f : List.of("adapter_config.json", "pytorch_adapter.bin", "expected.json")) {
            Files.copy(FIXTURES.resolve("lora-minilm").resolve(f), dir.resolve(f));
        }
        for (String f : List.of("head_config.json", "pytorch_model_head.bin")) { // the head the probabilities used
            Files.copy(FIXTURES.resolve("pfeiffer-minilm").resolve(f), dir.resolve(f));
        }
        assertEquals(AdapterFiles.Kind.LORA, AdapterFiles.detect(dir));
        double max = maxDifferenceFromAdapterHub(dir, new StringBuilder());
        assertTrue(max < 1e-5, "max |p_mera - p_adapters| = " + max);

        // written back in AdapterHub's LoRA format, it reads as the same adapter
        org.mera.adapter.lora.LoraWeights lora = AdapterHubLoraDirectory.readLora(dir);
        assertEquals(2, lora.config().r());
        assertEquals(4.0, lora.config().loraAlpha());
        assertEquals(List.of("query", "value"), lora.config().targetModules());
        Path out = tmp.resolve("out");
        AdapterHubLoraDirectory.writeLora(out, lora, new EncoderInfo("minilm", "bert", "BertAdapterModel", 384), null);
        JsonNode cfg = JSON.readTree(out.resolve("adapter_config.json").toFile());
        assertEquals("lora", cfg.get("config").get("architecture").asText());
        assertEquals("adapters.1.2.0", cfg.get("version").asText());
        Map<String, Tensor> written =
                org.mera.io.SafeTensors.read(out.resolve("adapter.safetensors")).tensors();
        assertTrue(
                written.containsKey("bert.encoder.layer.5.attention.self.value.loras.rte.lora_B"),
                written.keySet().toString());
        assertEquals(
                lora.tensors().keySet(),
                AdapterHubLoraDirectory.readLora(out).tensors().keySet());
    }

    @Test
    void anAdapterHubLoraFromBeforeVersion11IsReadWithTheScalingItWasTrainedWith(@TempDir Path tmp) throws Exception {
        Path dir = copy(FIXTURES.resolve("lora-minilm"), tmp.resolve("old"));
        Path cfg = dir.resolve("adapter_config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"adapters.1.2.0\"", "\"adapters.1.0.1\""));
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        org.mera.adapter.lora.LoraWeights old;
        try {
            old = AdapterHubLoraDirectory.readLora(dir);
        } finally {
            System.setErr(err);
        }
        assertEquals(2.0, old.config().loraAlpha(), "adapters < 1.1 scaled by 1: alpha = r");
        assertTrue(
                captured.toString(StandardCharsets.UTF_8).contains("adapters.1.0.1"),
                captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void loraSettingsMeraDoesNotComputeAreRefusedNamingKeyAndValue(@TempDir Path tmp) throws Exception {
        String[][] cases = {
            {"\"output_lora\": false", "\"output_lora\": true", "output_lora"},
            {"\"use_gating\": false", "\"use_gating\": true", "use_gating"},
            {"\"composition_mode\": \"add\"", "\"composition_mode\": \"scale\"", "composition_mode"},
            {"\"q\"", "\"k\"", "attn_matrices"}
        };
        for (String[] c : cases) {
            Path dir = copy(FIXTURES.resolve("lora-minilm"), tmp.resolve(c[2]));
            Path cfg = dir.resolve("adapter_config.json");
            String text = Files.readString(cfg);
            assertTrue(text.contains(c[0]), text);
            Files.writeString(cfg, text.replace(c[0], c[1]));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> AdapterHubLoraDirectory.readLora(dir));
            assertTrue(
                    e.getMessage().contains(cfg.toString()) && e.getMessage().contains("'" + c[2] + "'"),
                    e.getMessage());
        }
    }

    @Test
    void genericLabelsOfTheWrongCountAreStillRefused(@TempDir Path tmp) throws Exception {
        Path dir = copy(FIXTURES.resolve("pfeiffer-minilm"), tmp.resolve("rte"));
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> AdapterFiles.load(dir, model, GlueTasks.MNLI, m));
            assertTrue(
                    e.getMessage().contains("head_config.json")
                            && e.getMessage().contains("MNLI"),
                    e.getMessage());
        }
    }

    @Test
    void aRegressionHeadIsWrittenAsAdapterHubsOneLabelClassificationHeadAndReadBack(@TempDir Path tmp)
            throws Exception {
        Path dir = tmp.resolve("stsb");
        AdapterWeights adapter = AdapterWeights.fromTensors(
                "stsb",
                org.mera.adapter.bottleneck.BottleneckConfig.pfeiffer(),
                new EncoderInfo("minilm", "bert", "BertAdapterModel", 384),
                null,
                AdapterHubDirectory.read(FIXTURES.resolve("pfeiffer-minilm"))
                        .renamed("stsb")
                        .tensors(),
                null,
                "test");
        Random rnd = new Random(3);
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("heads.stsb.1.weight", Tensor.normal(rnd, 0.02f, 384, 384));
        w.put("heads.stsb.1.bias", Tensor.zeros(384));
        w.put("heads.stsb.4.weight", Tensor.normal(rnd, 0.02f, 1, 384));
        w.put("heads.stsb.4.bias", Tensor.zeros(1));
        AdapterHubDirectory.write(
                dir, adapter, PredictionHead.fromTensors("stsb", AdapterFiles.headConfig(GlueTasks.STSB), w, "test"));
        JsonNode cfg = JSON.readTree(dir.resolve("head_config.json").toFile()).get("config");
        assertEquals("classification", cfg.get("head_type").asText());
        assertEquals(1, cfg.get("num_labels").asInt());
        AdapterFiles.SavedHead head = AdapterFiles.savedHead(dir, GlueTasks.STSB, 384);
        assertEquals(4, head.tensors().size());
        // and a one-output head does not pass for a classification task, nor a two-label head for regression
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AdapterFiles.savedHead(dir, GlueTasks.RTE, 384));
        assertTrue(e.getMessage().contains("1 output") && e.getMessage().contains("RTE"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> AdapterFiles.savedHead(FIXTURES.resolve("pfeiffer-minilm"), GlueTasks.STSB, 384));
        assertTrue(e.getMessage().contains("regression"), e.getMessage());
        // mera's earlier files said "regression"; they are still read
        Path cfgFile = dir.resolve("head_config.json");
        Files.writeString(cfgFile, Files.readString(cfgFile).replace("\"classification\"", "\"regression\""));
        assertTrue(HeadConfig.fromJson(JSON.readTree(cfgFile.toFile()).get("config"), "x")
                .isRegression());
        assertEquals(
                4, AdapterFiles.savedHead(dir, GlueTasks.STSB, 384).tensors().size());
    }

    @Test
    void aHeadWithoutBiasesOrWithAnotherActivationIsRefusedNamingTheField(@TempDir Path tmp) throws Exception {
        for (String[] change : new String[][] {
            {"\"bias\": true", "\"bias\": false", "bias"},
            {"\"head_type\": \"classification\"", "\"head_type\": \"tagging\"", "tagging"},
            {"\"layers\": 2", "\"layers\": 1", "layers"},
            {"\"activation_function\": \"tanh\"", "\"activation_function\": \"relu\"", "activation_function"}
        }) {
            Path dir = copy(FIXTURES.resolve("pfeiffer-minilm"), tmp.resolve(change[2]));
            Path cfg = dir.resolve("head_config.json");
            String text = Files.readString(cfg);
            assertTrue(text.contains(change[0]), text);
            Files.writeString(cfg, text.replace(change[0], change[1]));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> AdapterHubFormat.readHead(dir));
            assertTrue(e.getMessage().contains(cfg.toString()) && e.getMessage().contains(change[2]), e.getMessage());
        }
    }

    static Path copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        assertFalse(
                Files.exists(to.resolve(AdapterHubFormat.WEIGHTS)), "the fixture holds only AdapterHub's .bin files");
        return to;
    }
}
