package org.mera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mera.adapter.lora.LoraWeights;
import org.mera.adapter.lora.PeftLoraDirectory;
import org.mera.data.Batcher;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.data.TaskDirectory;
import org.mera.data.TextEncoder;
import org.mera.io.SafeTensors;
import org.mera.merge.LoraMerge;
import org.mera.merge.MergeOptions;
import org.mera.model.PretrainedModel;

/**
 * Pfeiffer, Houlsby and LoRA trained on the tiny RoBERTa and DistilBERT checkpoints (src/test/resources/families)
 * are written under the family's AdapterHub / PEFT module names, read back to the same probabilities, start a new
 * run, and a LoRA merge of two of them loads into the same encoder.
 */
class FamilyAdapterFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path resource(String path) throws Exception {
        return Path.of(Objects.requireNonNull(FamilyAdapterFilesTest.class.getResource(path), path)
                .toURI());
    }

    @ParameterizedTest
    @CsvSource({
        "roberta-tiny, PFEIFFER, roberta.encoder.layer.1.output.adapters.nli.adapter_up.weight",
        "roberta-tiny, HOULSBY, roberta.encoder.layer.0.attention.output.adapters.nli.adapter_down.0.weight",
        "roberta-tiny, LORA, base_model.model.roberta.encoder.layer.1.attention.self.value.lora_B.weight",
        "distilbert-tiny, PFEIFFER, distilbert.transformer.layer.1.output_adapters.adapters.nli.adapter_up.weight",
        "distilbert-tiny, HOULSBY, distilbert.transformer.layer.0.attention_adapters.adapters.nli.adapter_down.0.weight",
        // PEFT on AutoModel (no sequence-classification layout for DistilBERT in mera): no model prefix
        "distilbert-tiny, LORA, base_model.model.transformer.layer.1.attention.v_lin.lora_B.weight"
    })
    void adaptersRoundTripUnderTheFamilysNames(String family, Method.Kind kind, String expectedKey, @TempDir Path tmp)
            throws Exception {
        PretrainedModel model = PretrainedModel.load(resource("/families/" + family));
        TaskDirectory data = TaskDirectory.open(resource("/tasks/nli-pairs"));
        Task task = data.task();
        List<Example> all = data.read(data.trainFile().orElseThrow());
        List<Example> train = all.subList(0, 8);
        List<Example> test = data.test();
        Method m = kind == Method.Kind.LORA
                ? Method.of(kind).withLora(4, 8f)
                : Method.of(kind).withReductionFactor(4);
        TrainOptions o = TrainOptions.defaults()
                .withMaxSteps(3)
                .withBatchSize(4)
                .withLearningRate(1e-2f)
                .withProgress(false);
        TrainingRun.Outcome r = TrainingRun.run(new TrainingRun.Spec(model, task, train, train, test, m, o, null));
        Path dir = tmp.resolve("nli");
        AdapterFiles.save(dir, "nli", r, model, family, task, m);

        Set<String> keys = SafeTensors.read(dir.resolve(
                        kind == Method.Kind.LORA
                                ? PeftLoraDirectory.WEIGHTS
                                : org.mera.adapter.AdapterHubFormat.WEIGHTS))
                .tensors()
                .keySet();
        assertTrue(keys.contains(expectedKey), keys.toString());
        JsonNode cfg = JSON.readTree(
                dir.resolve(org.mera.adapter.AdapterHubFormat.CONFIG).toFile());
        if (kind == Method.Kind.LORA) {
            List<String> targets = family.startsWith("distil") ? List.of("q_lin", "v_lin") : List.of("query", "value");
            assertEquals(
                    targets,
                    List.of(
                            cfg.get("target_modules").get(0).asText(),
                            cfg.get("target_modules").get(1).asText()));
        } else {
            assertEquals(
                    family.startsWith("distil") ? "DistilBertAdapterModel" : "RobertaAdapterModel",
                    cfg.get("model_class").asText());
        }
        try (NDManager a = NDManager.newBaseManager();
                NDManager b = NDManager.newBaseManager();
                TextEncoder text = TextEncoder.load(model.tokenizerJson())) {
            Batcher batcher = new Batcher(64, text.padId());
            var enc = text.encodeAll(test, task);
            Predictions inMemory =
                    Evaluator.predict(AdapterFiles.taskModel(model, task, m, r, a), batcher.evalBatches(enc));
            Predictions fromFiles =
                    Evaluator.predict(AdapterFiles.load(dir, model, task, b).model(), batcher.evalBatches(enc));
            for (int i = 0; i < test.size(); i++) {
                assertArrayEquals(inMemory.probabilities()[i], fromFiles.probabilities()[i], 0f, "example " + i);
            }
        }
        AdapterFiles.Init init = AdapterFiles.readInit(dir, model, task, true);
        assertEquals(m, init.method());
        assertEquals(r.adapterWeights().keySet(), init.adapter().keySet());

        if (kind == Method.Kind.LORA) {
            // a second LoRA, merged with the first (PEFT's linear combination), loads into the same encoder
            TrainingRun.Outcome r2 =
                    TrainingRun.run(new TrainingRun.Spec(model, task, all.subList(8, 16), train, test, m, o, null));
            Path dir2 = tmp.resolve("nli2");
            AdapterFiles.save(dir2, "nli2", r2, model, family, task, m);
            LoraWeights merged = LoraMerge.merge(
                    "linear",
                    List.of(PeftLoraDirectory.read(dir), PeftLoraDirectory.read(dir2)),
                    MergeOptions.defaults().withOutputName("merged"));
            Path out = tmp.resolve("merged");
            PeftLoraDirectory.write(out, merged);
            assertEquals(
                    r.adapterWeights().keySet(),
                    AdapterFiles.readInit(out, model, task, false).adapter().keySet());
        }
    }
}
