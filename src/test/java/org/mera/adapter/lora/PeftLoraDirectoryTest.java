package org.mera.adapter.lora;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.adapter.AdapterHubFormat;
import org.mera.io.SafeTensors;
import org.mera.io.Tensor;
import org.mera.merge.RandomAdapters;

class PeftLoraDirectoryTest {
    static LoraWeights randomLora(String name, int layers, int h, int r, long seed) {
        Random rng = new Random(seed);
        List<LoraModule> modules = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            for (String m : List.of("query", "value")) {
                modules.add(new LoraModule(
                        "base_model.model.bert.encoder.layer." + i + ".attention.self." + m,
                        RandomAdapters.gaussian(rng, 0.1, r, h),
                        RandomAdapters.gaussian(rng, 0.1, h, r)));
            }
        }
        return new LoraWeights(
                name,
                LoraConfig.of(r, 2.0 * r, List.of("query", "value"), "bert-base-uncased"),
                modules,
                Map.of(),
                null);
    }

    @Test
    void writesPeftKeysConfigAndFormatMetadata(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("lora_mrpc");
        LoraWeights l = randomLora("lora_mrpc", 11, 8, 2, 1);
        PeftLoraDirectory.write(dir, l);
        SafeTensors.Contents c = SafeTensors.read(dir.resolve("adapter_model.safetensors"));
        assertEquals(Map.of("format", "pt"), c.metadata());
        assertArrayEquals(
                new int[] {2, 8},
                c.tensors()
                        .get("base_model.model.bert.encoder.layer.10.attention.self.query.lora_A.weight")
                        .shape());
        assertArrayEquals(
                new int[] {8, 2},
                c.tensors()
                        .get("base_model.model.bert.encoder.layer.0.attention.self.value.lora_B.weight")
                        .shape());
        JsonNode cfg =
                new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
        assertEquals("LORA", cfg.get("peft_type").textValue());
        assertEquals(2, cfg.get("r").intValue());
        assertEquals(4, cfg.get("lora_alpha").intValue());
        assertEquals("SEQ_CLS", cfg.get("task_type").textValue());
        assertEquals("[\"query\",\"value\"]", cfg.get("target_modules").toString());

        LoraWeights back = PeftLoraDirectory.read(dir);
        assertEquals("lora_mrpc", back.name());
        assertEquals(2.0, back.config().scaling());
        assertEquals(22, back.modules().size());
        assertEquals(
                "base_model.model.bert.encoder.layer.2.attention.self.query",
                back.modules().get(4).path(),
                "modules are ordered by layer number");
        for (LoraModule m : l.modules()) {
            assertArrayEquals(m.a().data(), back.module(m.path()).a().data());
            assertArrayEquals(m.b().data(), back.module(m.path()).b().data());
        }
        assertTrue(PeftLoraDirectory.isPeftLora(dir));
        assertFalse(AdapterHubFormat.isAdapterHub(dir));
    }

    @Test
    void rejectsRankMismatchAndMissingFactor(@TempDir Path tmp) throws Exception {
        LoraWeights l = randomLora("x", 1, 8, 2, 2);
        PeftLoraDirectory.write(tmp, l);
        Map<String, Tensor> t = new LinkedHashMap<>(l.tensors());
        String keyB = "base_model.model.bert.encoder.layer.0.attention.self.value.lora_B.weight";
        t.remove(keyB);
        SafeTensors.write(tmp.resolve("adapter_model.safetensors"), t, Map.of("format", "pt"));
        var e = assertThrows(IllegalArgumentException.class, () -> PeftLoraDirectory.read(tmp));
        assertTrue(e.getMessage().contains(keyB), e.getMessage());

        String cfg = Files.readString(tmp.resolve("adapter_config.json")).replace("\"r\" : 2", "\"r\" : 4");
        Files.writeString(tmp.resolve("adapter_config.json"), cfg);
        PeftLoraDirectory.write(tmp.resolve("again"), l);
        Files.writeString(tmp.resolve("again/adapter_config.json"), cfg);
        var e2 = assertThrows(IllegalArgumentException.class, () -> PeftLoraDirectory.read(tmp.resolve("again")));
        assertTrue(e2.getMessage().contains("r=4") && e2.getMessage().contains("lora_A.weight"), e2.getMessage());
    }

    @Test
    void theTaskTypeDecidesTheKeysAsPeftSavesThem(@TempDir Path tmp) throws Exception {
        LoraWeights l = randomLora("enc", 2, 8, 2, 3);
        LoraWeights forAutoModel = new LoraWeights(
                "enc", l.config().withTask(LoraConfig.FEATURE_EXTRACTION, List.of()), l.modules(), Map.of(), null);
        PeftLoraDirectory.write(tmp.resolve("enc"), forAutoModel);
        Map<String, Tensor> file =
                SafeTensors.read(tmp.resolve("enc/adapter_model.safetensors")).tensors();
        // PeftModel on AutoModel (BertModel) names modules without the bert. prefix; with it, PEFT matches nothing
        assertTrue(
                file.containsKey("base_model.model.encoder.layer.1.attention.self.value.lora_B.weight"),
                file.keySet().toString());
        assertTrue(
                file.keySet().stream().noneMatch(k -> k.contains(".bert.")),
                file.keySet().toString());
        LoraWeights back = PeftLoraDirectory.read(tmp.resolve("enc"));
        assertEquals(l.modules().get(3).path(), back.modules().get(3).path(), "in memory the model prefix is back");
        assertArrayEquals(
                l.modules().get(3).b().data(), back.modules().get(3).b().data());
        assertEquals("FEATURE_EXTRACTION", back.config().taskType());
    }

    @Test
    void aSequenceClassificationHeadIsSavedThroughModulesToSave(@TempDir Path tmp) throws Exception {
        Random rng = new Random(4);
        LoraWeights l = randomLora("cls", 2, 8, 2, 4);
        var hc = org.mera.adapter.HeadConfig.classification(
                new java.util.LinkedHashMap<>(Map.of("a", 0, "b", 1, "c", 2)));
        var head = new org.mera.adapter.PredictionHead(
                "cls",
                hc,
                RandomAdapters.gaussian(rng, 0.1, 8, 8),
                RandomAdapters.gaussian(rng, 0.1, 8),
                RandomAdapters.gaussian(rng, 0.1, 3, 8),
                RandomAdapters.gaussian(rng, 0.1, 3));
        PeftLoraDirectory.Result r = PeftLoraDirectory.withHead(l, head, "bert");
        assertNull(r.noHeadReason());
        PeftLoraDirectory.write(tmp.resolve("cls"), r.lora());
        Map<String, Tensor> file =
                SafeTensors.read(tmp.resolve("cls/adapter_model.safetensors")).tensors();
        assertArrayEquals(
                head.denseWeight().data(),
                file.get("base_model.model.bert.pooler.dense.weight").data());
        assertArrayEquals(
                head.outBias().data(),
                file.get("base_model.model.classifier.bias").data());
        assertTrue(file.containsKey("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight"));
        JsonNode cfg = new ObjectMapper()
                .readTree(tmp.resolve("cls/adapter_config.json").toFile());
        assertEquals(
                "[\"pooler\",\"classifier\",\"score\"]",
                cfg.get("modules_to_save").toString());
        assertEquals("SEQ_CLS", cfg.get("task_type").textValue());

        LoraWeights back = PeftLoraDirectory.read(tmp.resolve("cls"));
        var read = PeftLoraDirectory.head(tmp.resolve("cls"), back, "cls", hc, Map.of())
                .orElseThrow();
        assertArrayEquals(head.outWeight().data(), read.outWeight().data());
        assertArrayEquals(head.denseBias().data(), read.denseBias().data());
        // a classifier saved without the pooler takes the base model's pooler; with none there it is refused
        Map<String, Tensor> noPooler = new LinkedHashMap<>(back.otherTensors());
        noPooler.remove("base_model.model.bert.pooler.dense.weight");
        noPooler.remove("base_model.model.bert.pooler.dense.bias");
        LoraWeights classifierOnly = new LoraWeights("cls", back.config(), back.modules(), noPooler, null);
        Map<String, Tensor> base =
                Map.of("pooler.dense.weight", head.denseWeight(), "pooler.dense.bias", head.denseBias());
        assertArrayEquals(
                head.denseWeight().data(),
                PeftLoraDirectory.head(tmp, classifierOnly, "cls", hc, base)
                        .orElseThrow()
                        .denseWeight()
                        .data());
        var e = assertThrows(
                IllegalArgumentException.class, () -> PeftLoraDirectory.head(tmp, classifierOnly, "cls", hc, Map.of()));
        assertTrue(e.getMessage().contains("pooler"), e.getMessage());
        // a head for another number of labels is refused
        var two = org.mera.adapter.HeadConfig.classification(new java.util.LinkedHashMap<>(Map.of("a", 0, "b", 1)));
        var e2 = assertThrows(
                IllegalArgumentException.class,
                () -> PeftLoraDirectory.head(tmp.resolve("cls"), back, "cls", two, Map.of()));
        assertTrue(e2.getMessage().contains("2 labels"), e2.getMessage());
    }

    @Test
    void aMeanPooledHeadCannotBeATransformersClassifierAndSaysWhy() {
        LoraWeights l = randomLora("m", 1, 8, 2, 5);
        Random rng = new Random(6);
        var hc = org.mera.adapter.HeadConfig.regression().withPooling(org.mera.model.ClassificationHead.Pooling.MEAN);
        var head = new org.mera.adapter.PredictionHead(
                "m",
                hc,
                RandomAdapters.gaussian(rng, 0.1, 8, 8),
                RandomAdapters.gaussian(rng, 0.1, 8),
                RandomAdapters.gaussian(rng, 0.1, 1, 8),
                RandomAdapters.gaussian(rng, 0.1, 1));
        PeftLoraDirectory.Result r = PeftLoraDirectory.withHead(l, head, "bert");
        assertTrue(r.noHeadReason().contains("mean"), r.noHeadReason());
        assertEquals("FEATURE_EXTRACTION", r.lora().config().taskType());
        assertTrue(r.lora().otherTensors().isEmpty());
    }

    @Test
    void rankAndAlphaPatternsAreReadAndWrittenBack(@TempDir Path tmp) throws Exception {
        LoraWeights l = randomLora("p", 2, 8, 4, 7);
        List<LoraModule> modules = new ArrayList<>(l.modules());
        Random rng = new Random(8);
        // layer 1's query at rank 2, as rank_pattern says
        modules.set(
                2,
                new LoraModule(
                        modules.get(2).path(),
                        RandomAdapters.gaussian(rng, 0.1, 2, 8),
                        RandomAdapters.gaussian(rng, 0.1, 8, 2)));
        String cfg = """
                {"peft_type": "LORA", "r": 4, "lora_alpha": 8, "target_modules": ["query", "value"], "task_type": "SEQ_CLS",
                 "rank_pattern": {"layer.1.attention.self.query": 2}, "alpha_pattern": {"value": 32}}
                """;
        Files.createDirectories(tmp.resolve("p"));
        Map<String, Tensor> t = new LinkedHashMap<>();
        modules.forEach(m -> {
            t.put(m.keyA(), m.a());
            t.put(m.keyB(), m.b());
        });
        SafeTensors.write(tmp.resolve("p/adapter_model.safetensors"), t, Map.of("format", "pt"));
        Files.writeString(tmp.resolve("p/adapter_config.json"), cfg);
        LoraWeights back = PeftLoraDirectory.read(tmp.resolve("p"));
        assertEquals(
                2,
                back.module("base_model.model.bert.encoder.layer.1.attention.self.query")
                        .rank());
        assertEquals(8.0 / 2, back.scaling(back.module("base_model.model.bert.encoder.layer.1.attention.self.query")));
        assertEquals(8.0 / 4, back.scaling(back.module("base_model.model.bert.encoder.layer.0.attention.self.query")));
        assertEquals(32.0 / 4, back.scaling(back.module("base_model.model.bert.encoder.layer.1.attention.self.value")));
        PeftLoraDirectory.write(tmp.resolve("again"), back);
        JsonNode written = new ObjectMapper()
                .readTree(tmp.resolve("again/adapter_config.json").toFile());
        assertEquals(
                "{\"layer.1.attention.self.query\":2}",
                written.get("rank_pattern").toString());
        assertEquals("{\"value\":32}", written.get("alpha_pattern").toString());
        // without the pattern the rank-2 tensors do not fit r=4, and the message says which
        Files.writeString(
                tmp.resolve("p/adapter_config.json"),
                cfg.replace("\"rank_pattern\": {\"layer.1.attention.self.query\": 2}, ", ""));
        var e = assertThrows(IllegalArgumentException.class, () -> PeftLoraDirectory.read(tmp.resolve("p")));
        assertTrue(
                e.getMessage().contains("layer.1.attention.self.query.lora_A")
                        && e.getMessage().contains("r=4"),
                e.getMessage());
    }

    @Test
    void otherModulesToSaveAreRefusedNamingTheTensor(@TempDir Path tmp) throws Exception {
        LoraWeights l = randomLora("x", 1, 8, 2, 9);
        PeftLoraDirectory.write(tmp, l);
        Map<String, Tensor> t = new LinkedHashMap<>(l.tensors());
        String ln = "base_model.model.bert.encoder.layer.0.output.LayerNorm.weight";
        t.put(ln, Tensor.zeros(8));
        SafeTensors.write(tmp.resolve("adapter_model.safetensors"), t, Map.of("format", "pt"));
        var e = assertThrows(IllegalArgumentException.class, () -> PeftLoraDirectory.read(tmp));
        assertTrue(e.getMessage().contains(ln) && e.getMessage().contains("adapter_model.safetensors"), e.getMessage());
    }

    @Test
    void jsonHasNoFloatNoiseAndNoNullStrings(@TempDir Path tmp) throws Exception {
        LoraConfig c = new LoraConfig(
                4,
                8,
                0.1f,
                List.of("query"),
                false,
                "SEQ_CLS",
                "none",
                false,
                List.of(),
                null,
                false,
                Map.of(),
                Map.of("value", (double) 12.5f),
                Map.of());
        String json = org.mera.io.ConfigJson.toSortedJson(c.toJson());
        assertTrue(json.contains("\"lora_dropout\" : 0.1,"), json);
        assertTrue(json.contains("\"value\" : 12.5"), json);
        assertTrue(json.contains("\"lora_alpha\" : 8,"), json);
        assertTrue(json.contains("\"base_model_name_or_path\" : null"), json);
        assertEquals(
                "3.141592653589793",
                org.mera.io.ConfigJson.number(Math.PI).toString(),
                "a double that is not a float keeps all its digits");
        var prov = new org.mera.adapter.MergeProvenance(
                "ties",
                List.of("a", "b"),
                List.of((double) 0.7f, (double) 0.3f),
                new java.util.HashMap<>(java.util.Collections.singletonMap("normalize", (String) null)));
        JsonNode p = prov.toJson();
        assertTrue(p.get("parameters").get("normalize").isNull(), p.toString());
        assertEquals("[0.7,0.3]", p.get("weights").toString());
        var back = org.mera.adapter.MergeProvenance.fromJson(p, "test");
        assertNull(back.parameters().get("normalize"));
        assertTrue(back.parameters().containsKey("normalize"));
    }

    /** Found by ReaderFuzzTest: "lora_alpha": 1e309 parsed as Infinity and was accepted, scaling every update to inf/NaN. */
    @Test
    void aNumberBeyondDoubleIsRefusedNamingFileAndField(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("lora");
        PeftLoraDirectory.write(dir, randomLora("lora", 1, 8, 2, 3));
        Path cfg = dir.resolve("adapter_config.json");
        Files.writeString(cfg, Files.readString(cfg).replaceAll("\"lora_alpha\"\\s*:\\s*4", "\"lora_alpha\": 1e309"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PeftLoraDirectory.read(dir));
        assertTrue(
                e.getMessage().contains(cfg.toString())
                        && e.getMessage().contains("'lora_alpha' must be a finite number"),
                e.getMessage());
    }
}
