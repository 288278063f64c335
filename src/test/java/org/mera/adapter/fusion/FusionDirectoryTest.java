package org.mera.adapter.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.adapter.AdapterHubFormat;
import org.mera.adapter.EncoderInfo;
import org.mera.io.Json;
import org.mera.io.SafeTensors;
import org.mera.io.Tensor;

/** adapter_fusion_config.json + model_adapter_fusion.safetensors: round trip, AdapterHub's layout, clear faults. */
class FusionDirectoryTest {
    private static final int H = 4;
    private static final EncoderInfo ENCODER = new EncoderInfo("tiny-bert", "bert", "BertAdapterModel", H);

    private static Map<String, Tensor> tensors(String name) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (int i = 0; i < 2; i++) {
            String p = "bert.encoder.layer." + i + ".output.adapter_fusion_layer." + name + ".";
            w.put(p + "query.weight", Tensor.normal(new java.util.Random(i), 0.02f, H, H));
            w.put(p + "query.bias", Tensor.zeros(H));
            w.put(p + "key.weight", Tensor.normal(new java.util.Random(i + 10), 0.02f, H, H));
            w.put(p + "key.bias", Tensor.zeros(H));
            w.put(p + "value.weight", Fusion.nearIdentity(H));
        }
        return w;
    }

    @Test
    void roundTripKeepsConfigWeightsAndAdapterHubLayout(@TempDir Path dir) throws Exception {
        FusionConfig config = new FusionConfig(true, true, true, false, true, false, false, true, true, 0.2);
        FusionWeights fusion = new FusionWeights("a,b", config, ENCODER, "adapters.1.1.0", tensors("a,b"), "test");
        AdapterFusionDirectory.write(dir, fusion);
        String json = Files.readString(dir.resolve(AdapterFusionDirectory.CONFIG));
        com.fasterxml.jackson.databind.JsonNode root = Json.SORTED_PRETTY.readTree(json);
        assertEquals(
                java.util.List.of(
                        "config", "hidden_size", "model_class", "model_name", "model_type", "name", "version"),
                iterator(root.fieldNames()));
        assertEquals(
                java.util.List.of(
                        "dropout_prob",
                        "key",
                        "query",
                        "query_before_ln",
                        "regularization",
                        "residual_before",
                        "temperature",
                        "value",
                        "value_before_softmax",
                        "value_initialized"),
                iterator(root.get("config").fieldNames()));
        assertEquals("a,b", root.get("name").asText());
        FusionWeights back = AdapterFusionDirectory.read(dir);
        assertEquals(config, back.config());
        assertEquals(ENCODER, back.encoder());
        // written as the format version mera writes (adapters' own string; never null, which crashes adapters >= 1.1)
        assertEquals(AdapterHubFormat.FORMAT_VERSION, back.version());
        assertEquals(java.util.List.of("a", "b"), back.adapterNames());
        for (Map.Entry<String, Tensor> e : fusion.tensors().entrySet()) {
            assertTrue(
                    java.util.Arrays.equals(
                            e.getValue().data(), back.tensors().get(e.getKey()).data()),
                    e.getKey());
        }
        assertEquals(
                "roberta.encoder.layer.0.output.adapter_fusion_layer.a,b.query.weight",
                back.tensorsWithPrefix("roberta.").keySet().iterator().next());
    }

    private static java.util.List<String> iterator(java.util.Iterator<String> it) {
        java.util.List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void unknownFieldsAreIgnoredAndMissingFieldsTakeTheDynamicDefaults(@TempDir Path dir) throws Exception {
        SafeTensors.write(dir.resolve(AdapterFusionDirectory.WEIGHTS), tensors("x,y"), Map.of());
        Files.writeString(
                dir.resolve(AdapterFusionDirectory.CONFIG),
                "{\"config\": {\"architecture\": null, \"value_initialized\": \"True\"}, \"hidden_size\": 4, \"name\": \"x,y\", \"extra\": 1}");
        assertEquals(FusionConfig.dynamic(), AdapterFusionDirectory.read(dir).config());
    }

    @Test
    void readsTheTorchPickleAdapterHubSavesByDefaultAsItsSafetensors() throws Exception {
        // both saved by adapters 1.2.0 from one model (scripts/oracle/adapterhub_fixtures.py)
        Path root = Path.of("src/test/resources/adapterhub/fusion-tiny");
        FusionWeights bin = AdapterFusionDirectory.read(root.resolve("bin"));
        FusionWeights safe = AdapterFusionDirectory.read(root.resolve("safetensors"));
        assertEquals(safe.config(), bin.config());
        assertEquals(java.util.List.of("a", "b"), bin.adapterNames());
        assertEquals(safe.tensors().keySet(), bin.tensors().keySet());
        assertEquals(10, bin.tensors().size());
        for (Map.Entry<String, Tensor> e : safe.tensors().entrySet()) {
            assertTrue(
                    java.util.Arrays.equals(
                            e.getValue().data(), bin.tensors().get(e.getKey()).data()),
                    e.getKey());
            assertTrue(
                    java.util.Arrays.equals(
                            e.getValue().shape(), bin.tensors().get(e.getKey()).shape()),
                    e.getKey());
        }
    }

    @Test
    void faultsNameTheFileAndField(@TempDir Path dir) throws Exception {
        assertThrows(NoSuchFileException.class, () -> AdapterFusionDirectory.read(dir));
        Files.writeString(
                dir.resolve(AdapterFusionDirectory.CONFIG),
                "{\"config\": {\"key\": 3}, \"hidden_size\": 4, \"name\": \"x,y\"}");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AdapterFusionDirectory.read(dir));
        assertTrue(
                e.getMessage().contains(AdapterFusionDirectory.CONFIG)
                        && e.getMessage().contains("'key'"),
                e.getMessage());

        Files.writeString(
                dir.resolve(AdapterFusionDirectory.CONFIG), "{\"config\": {}, \"hidden_size\": 4, \"name\": \"x,y\"}");
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> AdapterFusionDirectory.read(dir));
        assertTrue(missing.getMessage().contains(AdapterFusionDirectory.WEIGHTS), missing.getMessage());

        Map<String, Tensor> wrongShape = tensors("x,y");
        wrongShape.put("bert.encoder.layer.0.output.adapter_fusion_layer.x,y.key.bias", Tensor.zeros(5));
        SafeTensors.write(dir.resolve(AdapterFusionDirectory.WEIGHTS), wrongShape, Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterFusionDirectory.read(dir));
        assertTrue(e.getMessage().contains("key.bias") && e.getMessage().contains("[5]"), e.getMessage());

        SafeTensors.write(dir.resolve(AdapterFusionDirectory.WEIGHTS), tensors("other"), Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterFusionDirectory.read(dir));
        assertTrue(e.getMessage().contains("belongs to fusion 'other'"), e.getMessage());

        Map<String, Tensor> bias = tensors("x,y");
        bias.put("bert.encoder.layer.0.output.adapter_fusion_layer.x,y.value.bias", Tensor.zeros(H));
        SafeTensors.write(dir.resolve(AdapterFusionDirectory.WEIGHTS), bias, Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterFusionDirectory.read(dir));
        assertTrue(e.getMessage().contains("value.bias"), e.getMessage());
    }
}
