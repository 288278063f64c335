package org.mera.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.adapter.LoraConfig;
import org.mera.adapter.LoraModule;
import org.mera.adapter.LoraWeights;
import org.mera.merge.RandomAdapters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class PeftLoraDirectoryTest {
    static LoraWeights randomLora(String name, int layers, int h, int r, long seed) {
        Random rng = new Random(seed);
        List<LoraModule> modules = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            for (String m : List.of("query", "value")) {
                modules.add(new LoraModule("base_model.model.bert.encoder.layer." + i + ".attention.self." + m,
                        RandomAdapters.gaussian(rng, 0.1, r, h), RandomAdapters.gaussian(rng, 0.1, h, r)));
            }
        }
        return new LoraWeights(name, LoraConfig.of(r, 2.0 * r, List.of("query", "value"), "bert-base-uncased"),
                modules, Map.of(), null);
    }

    @Test
    void writesPeftKeysConfigAndFormatMetadata(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("lora_mrpc");
        LoraWeights l = randomLora("lora_mrpc", 11, 8, 2, 1);
        PeftLoraDirectory.write(dir, l);
        SafeTensors.Contents c = SafeTensors.read(dir.resolve("adapter_model.safetensors"));
        assertEquals(Map.of("format", "pt"), c.metadata());
        assertArrayEquals(new int[]{2, 8}, c.tensors().get("base_model.model.bert.encoder.layer.10.attention.self.query.lora_A.weight").shape());
        assertArrayEquals(new int[]{8, 2}, c.tensors().get("base_model.model.bert.encoder.layer.0.attention.self.value.lora_B.weight").shape());
        JsonNode cfg = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
        assertEquals("LORA", cfg.get("peft_type").textValue());
        assertEquals(2, cfg.get("r").intValue());
        assertEquals(4, cfg.get("lora_alpha").intValue());
        assertEquals("SEQ_CLS", cfg.get("task_type").textValue());
        assertEquals("[\"query\",\"value\"]", cfg.get("target_modules").toString());

        LoraWeights back = PeftLoraDirectory.read(dir);
        assertEquals("lora_mrpc", back.name());
        assertEquals(2.0, back.config().scaling());
        assertEquals(22, back.modules().size());
        assertEquals("base_model.model.bert.encoder.layer.2.attention.self.query", back.modules().get(4).path(),
                "modules are ordered by layer number");
        for (LoraModule m : l.modules()) {
            assertArrayEquals(m.a().data(), back.module(m.path()).a().data());
            assertArrayEquals(m.b().data(), back.module(m.path()).b().data());
        }
        assertTrue(PeftLoraDirectory.isPeftLora(dir));
        assertFalse(AdapterHubDirectory.isAdapterHub(dir));
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

    /** Found by ReaderFuzzTest: "lora_alpha": 1e309 parsed as Infinity and was accepted, scaling every update to inf/NaN. */
    @Test
    void aNumberBeyondDoubleIsRefusedNamingFileAndField(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("lora");
        PeftLoraDirectory.write(dir, randomLora("lora", 1, 8, 2, 3));
        Path cfg = dir.resolve("adapter_config.json");
        Files.writeString(cfg, Files.readString(cfg).replaceAll("\"lora_alpha\"\\s*:\\s*4", "\"lora_alpha\": 1e309"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PeftLoraDirectory.read(dir));
        assertTrue(e.getMessage().contains(cfg.toString()) && e.getMessage().contains("'lora_alpha' must be a finite number"),
                e.getMessage());
    }
}
