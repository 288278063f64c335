package org.mera.adapter.bottleneck;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.adapter.AdapterHubFormat;
import org.mera.adapter.AdapterLocation;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.HeadConfig;
import org.mera.adapter.MergeProvenance;
import org.mera.adapter.PredictionHead;
import org.mera.io.SafeTensors;
import org.mera.io.Tensor;
import org.mera.merge.RandomAdapters;

class AdapterHubDirectoryTest {
    private static final EncoderInfo SMALL = new EncoderInfo("bert-base-uncased", "bert", "BertAdapterModel", 16);

    @Test
    void writesAdapterHubKeysShapesAndSortedConfig(@TempDir Path tmp) throws Exception {
        AdapterWeights a = RandomAdapters.create("mrpc", BottleneckConfig.pfeiffer(), SMALL, 3, 4, 0.02, 1);
        AdapterHubDirectory.write(tmp, a);
        Map<String, Tensor> t =
                SafeTensors.read(tmp.resolve("adapter.safetensors")).tensors();
        assertEquals(12, t.size());
        assertArrayEquals(
                new int[] {4, 16},
                t.get("bert.encoder.layer.2.output.adapters.mrpc.adapter_down.0.weight")
                        .shape());
        assertArrayEquals(
                new int[] {4},
                t.get("bert.encoder.layer.2.output.adapters.mrpc.adapter_down.0.bias")
                        .shape());
        assertArrayEquals(
                new int[] {16, 4},
                t.get("bert.encoder.layer.0.output.adapters.mrpc.adapter_up.weight")
                        .shape());
        assertArrayEquals(
                new int[] {16},
                t.get("bert.encoder.layer.1.output.adapters.mrpc.adapter_up.bias")
                        .shape());

        JsonNode cfg =
                new ObjectMapper().readTree(tmp.resolve("adapter_config.json").toFile());
        List<String> top = new ArrayList<>();
        cfg.fieldNames().forEachRemaining(top::add);
        assertEquals(
                List.of("config", "hidden_size", "model_class", "model_name", "model_type", "name", "version"), top);
        List<String> inner = new ArrayList<>();
        cfg.get("config").fieldNames().forEachRemaining(inner::add);
        List<String> sortedInner = new ArrayList<>(inner);
        java.util.Collections.sort(sortedInner);
        assertEquals(sortedInner, inner, "config keys are sorted");
        assertEquals(16, cfg.get("config").get("reduction_factor").intValue());
        assertEquals("relu", cfg.get("config").get("non_linearity").textValue());
        assertTrue(cfg.get("config").get("original_ln_before").booleanValue());
        assertFalse(cfg.get("config").get("mh_adapter").booleanValue());
        assertEquals("mrpc", cfg.get("name").textValue());
        assertEquals(16, cfg.get("hidden_size").intValue());
    }

    @Test
    void roundTripsHoulsbyAdapterWithHeadAndProvenance(@TempDir Path tmp) throws Exception {
        AdapterWeights h = RandomAdapters.create("nli", BottleneckConfig.houlsby(), SMALL, 2, 4, 0.02, 2);
        MergeProvenance prov =
                new MergeProvenance("ot", List.of("mnli", "qnli"), List.of(0.5, 0.5), Map.of("anchor", "mnli"));
        AdapterWeights merged =
                AdapterWeights.of("nli", h.config(), h.encoder(), h.version(), h.keyPrefix(), h.units(), prov);
        Random rng = new Random(3);
        PredictionHead head = new PredictionHead(
                "nli",
                HeadConfig.classification(Map.of("entailment", 0, "neutral", 1, "contradiction", 2)),
                RandomAdapters.gaussian(rng, 0.02, 16, 16),
                RandomAdapters.gaussian(rng, 0.02, 16),
                RandomAdapters.gaussian(rng, 0.02, 3, 16),
                RandomAdapters.gaussian(rng, 0.02, 3));
        AdapterHubDirectory.write(tmp, merged, head);

        Map<String, Tensor> t =
                SafeTensors.read(tmp.resolve("adapter.safetensors")).tensors();
        assertTrue(t.containsKey("bert.encoder.layer.1.attention.output.adapters.nli.adapter_up.weight"));
        Map<String, Tensor> ht =
                SafeTensors.read(tmp.resolve("model_head.safetensors")).tensors();
        assertEquals(
                List.of("heads.nli.1.weight", "heads.nli.1.bias", "heads.nli.4.weight", "heads.nli.4.bias"),
                new ArrayList<>(ht.keySet()));
        assertArrayEquals(new int[] {3, 16}, ht.get("heads.nli.4.weight").shape());

        AdapterWeights back = AdapterHubDirectory.read(tmp);
        assertEquals("double_seq_bn", back.config().kind());
        assertEquals("swish", back.config().nonLinearity());
        assertEquals(prov, back.merge());
        assertEquals(4, back.units().size());
        for (Map.Entry<String, Tensor> e : merged.tensors().entrySet()) {
            assertArrayEquals(
                    e.getValue().data(), back.tensors().get(e.getKey()).data(), e.getKey());
        }
        PredictionHead hb = AdapterHubFormat.readHead(tmp).orElseThrow();
        assertEquals(3, hb.config().numLabels());
        assertEquals(
                Map.of("entailment", 0, "neutral", 1, "contradiction", 2),
                hb.config().label2id());
        assertArrayEquals(head.outWeight().data(), hb.outWeight().data());
        assertEquals(AdapterLocation.ATTENTION, back.units().get(0).location());
    }

    @Test
    void readsRealConfigIgnoringUnknownFieldsAndKeepsThem(@TempDir Path tmp) throws Exception {
        AdapterWeights a = RandomAdapters.create(
                "mrpc",
                BottleneckConfig.pfeiffer(),
                new EncoderInfo("roberta-base", "roberta", "RobertaModelWithHeads", 16),
                1,
                2,
                0.02,
                4);
        SafeTensors.write(tmp.resolve("adapter.safetensors"), a.tensors(), Map.of());
        // The roberta-base-pf-mrpc config, plus fields from newer versions of the library.
        Files.writeString(tmp.resolve("adapter_config.json"), """
                {"config": {"adapter_residual_before_ln": false, "cross_adapter": false, "inv_adapter": null,
                 "inv_adapter_reduction_factor": null, "leave_out": [], "ln_after": false, "ln_before": false,
                 "mh_adapter": false, "non_linearity": "relu", "original_ln_after": true, "original_ln_before": true,
                 "output_adapter": true, "reduction_factor": 16, "residual_before_ln": true, "phm_dim": 4},
                 "hidden_size": 16, "model_class": "RobertaModelWithHeads", "model_name": "roberta-base",
                 "model_type": "roberta", "name": "mrpc", "version": "2.0.0", "something_new": 1}
                """, StandardCharsets.UTF_8);
        AdapterWeights back = AdapterHubDirectory.read(tmp);
        assertEquals("seq_bn", back.config().kind());
        assertEquals("roberta.", back.keyPrefix());
        assertEquals(2, back.bottleneckSize());
        assertEquals(4, back.config().extra().get("phm_dim").intValue());
        Path out = tmp.resolve("copy");
        AdapterHubDirectory.write(out, back);
        JsonNode cfg =
                new ObjectMapper().readTree(out.resolve("adapter_config.json").toFile());
        assertEquals(4, cfg.get("config").get("phm_dim").intValue());
        assertTrue(cfg.get("config").get("cross_adapter").isBoolean());
    }

    @Test
    void errorsNameTheFileKeyAndShape(@TempDir Path tmp) throws Exception {
        AdapterWeights a = RandomAdapters.create("mrpc", BottleneckConfig.pfeiffer(), SMALL, 2, 4, 0.02, 5);
        AdapterHubDirectory.write(tmp, a);
        Path weights = tmp.resolve("adapter.safetensors");

        Map<String, Tensor> missing = new LinkedHashMap<>(a.tensors());
        String gone = "bert.encoder.layer.1.output.adapters.mrpc.adapter_up.bias";
        missing.remove(gone);
        SafeTensors.write(weights, missing, Map.of());
        var e1 = assertThrows(IllegalArgumentException.class, () -> AdapterHubDirectory.read(tmp));
        assertTrue(e1.getMessage().contains(gone) && e1.getMessage().contains("adapter.safetensors"), e1.getMessage());

        Map<String, Tensor> wrong = new LinkedHashMap<>(a.tensors());
        wrong.put(gone, Tensor.zeros(15));
        SafeTensors.write(weights, wrong, Map.of());
        var e2 = assertThrows(IllegalArgumentException.class, () -> AdapterHubDirectory.read(tmp));
        assertTrue(
                e2.getMessage().contains("adapter_up.bias")
                        && e2.getMessage().contains("[15]")
                        && e2.getMessage().contains("layer 1"),
                e2.getMessage());

        Map<String, Tensor> other = new LinkedHashMap<>(a.tensors());
        other.put("bert.encoder.layer.0.output.adapters.qqp.adapter_up.bias", Tensor.zeros(16));
        SafeTensors.write(weights, other, Map.of());
        var e3 = assertThrows(IllegalArgumentException.class, () -> AdapterHubDirectory.read(tmp));
        assertTrue(e3.getMessage().contains("'qqp'"), e3.getMessage());

        Files.delete(weights);
        var e4 = assertThrows(NoSuchFileException.class, () -> AdapterHubDirectory.read(tmp));
        assertTrue(
                e4.getMessage().contains("adapter.safetensors")
                        && e4.getMessage().contains("pytorch_adapter.bin"),
                e4.getMessage());

        Files.writeString(
                tmp.resolve("adapter_config.json"),
                "{\"config\": {\"reduction_factor\": \"x\"}, \"name\": \"m\", \"hidden_size\": 16}");
        var e5 = assertThrows(IllegalArgumentException.class, () -> AdapterHubDirectory.read(tmp));
        assertTrue(
                e5.getMessage().contains("reduction_factor") && e5.getMessage().contains("adapter_config.json"),
                e5.getMessage());
    }

    @Test
    void writesTheVersionStringAdaptersWritesNeverNull(@TempDir Path tmp) throws Exception {
        // adapters >= 1.1 parses "version" as a string when loading (_fix_backward_compat); null crashes it
        AdapterWeights a = RandomAdapters.create("mrpc", BottleneckConfig.houlsby(), SMALL, 2, 4, 0.02, 7);
        Map<String, Tensor> head = new LinkedHashMap<>();
        Random rnd = new Random(1);
        head.put("heads.mrpc.1.weight", Tensor.normal(rnd, 0.02f, 16, 16));
        head.put("heads.mrpc.1.bias", Tensor.zeros(16));
        head.put("heads.mrpc.4.weight", Tensor.normal(rnd, 0.02f, 2, 16));
        head.put("heads.mrpc.4.bias", Tensor.zeros(2));
        AdapterHubDirectory.write(
                tmp,
                a,
                PredictionHead.fromTensors("mrpc", HeadConfig.classification(Map.of("0", 0, "1", 1)), head, "test"));
        ObjectMapper json = new ObjectMapper();
        for (String f : List.of("adapter_config.json", "head_config.json")) {
            JsonNode v = json.readTree(tmp.resolve(f).toFile()).get("version");
            assertTrue(v.isTextual() && v.textValue().equals("adapters.1.2.0"), f + ": " + v);
        }
    }

    @Test
    void refusesBottleneckSettingsItDoesNotComputeNamingKeyAndValue(@TempDir Path tmp) throws Exception {
        AdapterWeights pf = RandomAdapters.create("mrpc", BottleneckConfig.pfeiffer(), SMALL, 2, 4, 0.02, 8);
        String[][] cases = {
            {"residual_before_ln", "false"},
            {"original_ln_after", "false"},
            {"original_ln_before", "false"},
            {"output_adapter", "false"},
            {"ln_before", "true"},
            {"ln_after", "true"},
            {"is_parallel", "true"},
            {"scaling", "0.5"},
            {"scaling", "\"learned\""},
            {"use_gating", "true"},
            {"leave_out", "[0]"},
            {"phm_layer", "true"},
            {"reduction_factor", "{\"default\": 16}"},
            {"residual_before_ln", "\"post_add\""}
        };
        for (String[] c : cases) {
            Path dir = tmp.resolve(c[0] + "-" + Integer.toHexString(c[1].hashCode()));
            AdapterHubDirectory.write(dir, pf);
            Path cfg = dir.resolve("adapter_config.json");
            ObjectMapper json = new ObjectMapper();
            JsonNode root = json.readTree(cfg.toFile());
            ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("config")).set(c[0], json.readTree(c[1]));
            Files.writeString(cfg, json.writeValueAsString(root));
            var e = assertThrows(
                    IllegalArgumentException.class, () -> AdapterHubDirectory.read(dir), c[0] + "=" + c[1]);
            String value = c[1].replace("\"", "");
            assertTrue(
                    e.getMessage().contains(cfg.toString())
                            && e.getMessage().contains("'" + c[0] + "'")
                            && e.getMessage().replace("\"", "").replace(" ", "").contains(value.replace(" ", "")),
                    e.getMessage());
        }
        // Houlsby's residual_before_ln makes no difference without original_ln_before (adapters then takes the
        // residual from the same tensor either way), so it is read
        AdapterWeights h = RandomAdapters.create("mrpc", BottleneckConfig.houlsby(), SMALL, 2, 4, 0.02, 9);
        Path dir = tmp.resolve("houlsby");
        AdapterHubDirectory.write(dir, h);
        Path cfg = dir.resolve("adapter_config.json");
        Files.writeString(
                cfg, Files.readString(cfg).replace("\"residual_before_ln\" : true", "\"residual_before_ln\" : false"));
        assertFalse(AdapterHubDirectory.read(dir).config().residualBeforeLn());
    }

    @Test
    void readsAdapterHubsTorchPickleWeightsAndRefusesAnyOtherPickle(@TempDir Path tmp) throws Exception {
        Path fixture = Path.of("src/test/resources/adapterhub/pfeiffer-minilm");
        AdapterWeights a = AdapterHubDirectory.read(fixture);
        assertEquals("rte", a.name());
        assertEquals("seq_bn", a.config().kind());
        assertEquals(6, a.numLayers());
        assertEquals(8, a.bottleneckSize());
        assertEquals(
                2, AdapterHubFormat.readHead(fixture).orElseThrow().config().numLabels());
        // a pickle that would run code, under the name AdapterHub uses, is refused and runs nothing
        Files.copy(fixture.resolve("adapter_config.json"), tmp.resolve("adapter_config.json"));
        Files.copy(Path.of("src/test/resources/torch/evil.bin"), tmp.resolve("pytorch_adapter.bin"));
        Files.deleteIfExists(Path.of("/tmp/mera-pwned"));
        Exception e = assertThrows(Exception.class, () -> AdapterHubDirectory.read(tmp));
        assertTrue(e.getMessage().contains("pytorch_adapter.bin"), e.getMessage());
        assertFalse(Files.exists(Path.of("/tmp/mera-pwned")));
    }

    @Test
    void leavesNoTemporaryFilesBehind(@TempDir Path tmp) throws Exception {
        AdapterWeights a = RandomAdapters.create("mrpc", BottleneckConfig.pfeiffer(), SMALL, 1, 4, 0.02, 6);
        AdapterHubDirectory.write(tmp, a);
        AdapterHubDirectory.write(tmp, a);
        try (var s = Files.list(tmp)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("adapter.safetensors", "adapter_config.json"), names);
        }
    }

    /** Found by ReaderFuzzTest (one flipped bit): a value the config record refuses used to be reported without the file. */
    @Test
    void aConfigValueOutOfRangeNamesTheFile(@TempDir Path tmp) throws Exception {
        AdapterWeights a = RandomAdapters.create("mrpc", BottleneckConfig.pfeiffer(), SMALL, 1, 4, 0.02, 9);
        Random rng = new Random(4);
        PredictionHead head = new PredictionHead(
                "mrpc",
                HeadConfig.classification(Map.of("0", 0, "1", 1)),
                RandomAdapters.gaussian(rng, 0.02, 16, 16),
                RandomAdapters.gaussian(rng, 0.02, 16),
                RandomAdapters.gaussian(rng, 0.02, 2, 16),
                RandomAdapters.gaussian(rng, 0.02, 2));
        AdapterHubDirectory.write(tmp, a, head);
        Path cfg = tmp.resolve("adapter_config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"relu\"", "\"pelu\""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdapterHubDirectory.read(tmp));
        assertTrue(e.getMessage().startsWith(cfg + " (config): non_linearity must be"), e.getMessage());

        Path headCfg = tmp.resolve("head_config.json");
        Files.writeString(
                headCfg, Files.readString(headCfg).replaceAll("\"num_labels\"\\s*:\\s*2", "\"num_labels\": -2"));
        e = assertThrows(IllegalArgumentException.class, () -> AdapterHubFormat.readHead(tmp));
        assertTrue(e.getMessage().startsWith(headCfg + " (config): num_labels must be positive"), e.getMessage());

        // Found by ReaderFuzzTest: 1e309 (Infinity) and 2^31 were read as Integer.MAX_VALUE and as a negative int.
        for (String big : List.of("1e309", "2147483648")) {
            Files.writeString(
                    headCfg,
                    Files.readString(headCfg).replaceAll("\"num_labels\"\\s*:\\s*[-0-9e]+", "\"num_labels\": " + big));
            e = assertThrows(IllegalArgumentException.class, () -> AdapterHubFormat.readHead(tmp), big);
            assertTrue(
                    e.getMessage().contains(headCfg + " (config): field 'num_labels' must be an integer"),
                    e.getMessage());
        }
    }
}
