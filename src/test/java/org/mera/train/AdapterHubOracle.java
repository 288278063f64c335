package org.mera.train;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mera.adapter.AdapterLocation;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.PredictionHead;
import org.mera.adapter.bottleneck.AdapterHubDirectory;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.adapter.fusion.AdapterFusionDirectory;
import org.mera.adapter.fusion.Fusion;
import org.mera.adapter.fusion.FusionConfig;
import org.mera.adapter.fusion.FusionWeights;
import org.mera.adapter.lora.AdapterHubLoraDirectory;
import org.mera.adapter.lora.LoraConfig;
import org.mera.adapter.lora.LoraWeights;
import org.mera.data.Batcher;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.data.TaskRegistry;
import org.mera.data.TextEncoder;
import org.mera.io.Tensor;
import org.mera.merge.RandomAdapters;
import org.mera.model.BertEncoder;
import org.mera.model.ClassificationHead;
import org.mera.model.PretrainedModel;

/**
 * mera's half of the AdapterHub oracle (scripts/oracle/adapterhub-check.sh); not a test, run by that script only.
 *
 * <pre>
 * read  MODEL_DIR TASK PAIRS.json OUT.json ADAPTER_DIR            probabilities mera computes from an AdapterHub directory
 * read  MODEL_DIR TASK PAIRS.json OUT.json FUSION_DIR HEAD_DIR A_DIR B_DIR ...   the same for an AdapterFusion
 * write MODEL_DIR PAIRS.json OUT_ROOT                               mera writes adapters, heads and a fusion, with its probabilities
 * </pre>
 * Probabilities are computed exactly as {@code mera predict} computes them ({@link AdapterFiles#load}, {@link Evaluator}).
 */
public final class AdapterHubOracle {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        if (args.length >= 5 && args[0].equals("read")) {
            PretrainedModel model = PretrainedModel.load(Path.of(args[1]));
            Task task = TaskRegistry.withGlue().get(args[2]);
            List<Example> pairs = pairs(Path.of(args[3]));
            double[][] p;
            try (NDManager m = NDManager.newBaseManager()) {
                TaskModel tm;
                if (args.length == 6) {
                    tm = AdapterFiles.load(Path.of(args[5]), model, task, m).model();
                } else {
                    FusionWeights fusion = AdapterFusionDirectory.read(Path.of(args[5]));
                    List<AdapterWeights> adapters = new ArrayList<>();
                    for (int i = 7; i < args.length; i++) {
                        adapters.add(AdapterHubDirectory.read(Path.of(args[i])));
                    }
                    tm = fusionModel(
                            model,
                            task,
                            adapters,
                            fusion,
                            AdapterFiles.savedHead(
                                    Path.of(args[6]), task, model.config().hiddenSize()),
                            m);
                }
                p = probabilities(model, task, tm, pairs);
            }
            JSON.writeValue(Path.of(args[4]).toFile(), p);
        } else if (args.length == 4 && args[0].equals("write")) {
            write(Path.of(args[1]), pairs(Path.of(args[2])), Path.of(args[3]));
        } else {
            throw new IllegalArgumentException("usage: read MODEL TASK PAIRS OUT DIR... | write MODEL PAIRS OUT_ROOT");
        }
    }

    static List<Example> pairs(Path file) throws Exception {
        List<Example> out = new ArrayList<>();
        for (JsonNode p : JSON.readTree(file.toFile())) {
            out.add(new Example(p.get(0).asText(), p.get(1).asText(), null));
        }
        return out;
    }

    static double[][] probabilities(PretrainedModel model, Task task, TaskModel tm, List<Example> pairs)
            throws Exception {
        try (TextEncoder text = TextEncoder.load(model.tokenizerJson())) {
            Predictions p =
                    Evaluator.predict(tm, new Batcher(8, text.padId()).evalBatches(text.encodeAll(pairs, task)));
            double[][] out = new double[pairs.size()][];
            for (int i = 0; i < pairs.size(); i++) {
                if (p.isRegression()) {
                    out[i] = new double[] {p.values()[i]};
                } else {
                    float[] row = p.probabilities()[i];
                    out[i] = new double[row.length];
                    for (int c = 0; c < row.length; c++) {
                        out[i][c] = row[c];
                    }
                }
            }
            return out;
        }
    }

    static TaskModel fusionModel(
            PretrainedModel model,
            Task task,
            List<AdapterWeights> adapters,
            FusionWeights fusion,
            AdapterFiles.SavedHead head,
            NDManager m) {
        BertEncoder encoder = model.newEncoder(m);
        Fusion.install(encoder, adapters, fusion);
        return new TaskModel(
                encoder,
                ClassificationHead.load(
                        encoder.params(),
                        task.name(),
                        head.tensors(),
                        encoder.config().hiddenSize(),
                        task.labels(),
                        encoder.config().hiddenDropout(),
                        head.pooling()));
    }

    static PredictionHead randomHead(String name, Task task, int h, long seed) {
        Random rnd = new Random(seed);
        int c = Math.max(1, task.labels().size());
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("heads." + name + ".1.weight", RandomAdapters.gaussian(rnd, 0.1, h, h));
        w.put("heads." + name + ".1.bias", RandomAdapters.gaussian(rnd, 0.1, h));
        w.put("heads." + name + ".4.weight", RandomAdapters.gaussian(rnd, 0.5, c, h));
        w.put("heads." + name + ".4.bias", RandomAdapters.gaussian(rnd, 0.1, c));
        return PredictionHead.fromTensors(name, AdapterFiles.headConfig(task), w, "oracle head");
    }

    /** Adapter directories as mera writes them, each with expected.json: the probabilities mera reads back from them. */
    static void write(Path modelDir, List<Example> pairs, Path root) throws Exception {
        PretrainedModel model = PretrainedModel.load(modelDir);
        int h = model.config().hiddenSize();
        int layers = model.config().numLayers();
        EncoderInfo info = AdapterFiles.encoderInfo(model, model.name());
        Task rte = TaskRegistry.withGlue().get("RTE");
        Task stsb = TaskRegistry.withGlue().get("STS-B");
        Object[][] singles = {
            {"pfeiffer", BottleneckConfig.pfeiffer(), rte, 11L},
            {"houlsby", BottleneckConfig.houlsby(), rte, 12L},
            {"regression", BottleneckConfig.pfeiffer(), stsb, 13L}
        };
        for (Object[] s : singles) {
            Path dir = root.resolve((String) s[0]);
            Task task = (Task) s[2];
            long seed = (Long) s[3];
            AdapterWeights a = RandomAdapters.create(
                    task.name().toLowerCase(java.util.Locale.ROOT).replace("-", ""),
                    (BottleneckConfig) s[1],
                    info,
                    layers,
                    h / 16,
                    0.1,
                    seed);
            AdapterHubDirectory.write(dir, a, randomHead(a.name(), task, h, seed + 100));
            try (NDManager m = NDManager.newBaseManager()) {
                expected(
                        dir,
                        task,
                        probabilities(
                                model,
                                task,
                                AdapterFiles.load(dir, model, task, m).model(),
                                pairs));
            }
        }
        // LoRA on query and value, r 8, alpha 16, in AdapterHub's LoRAConfig format
        Random lr = new Random(31);
        Map<String, Tensor> lw = new LinkedHashMap<>();
        for (int i = 0; i < layers; i++) {
            for (String t : List.of("query", "value")) {
                String p = "base_model.model." + AdapterFiles.modelPrefix(model) + "encoder.layer." + i
                        + ".attention.self." + t;
                lw.put(p + ".lora_A.weight", RandomAdapters.gaussian(lr, 0.1, 8, h));
                lw.put(p + ".lora_B.weight", RandomAdapters.gaussian(lr, 0.1, h, 8));
            }
        }
        Path loraDir = root.resolve("lora");
        AdapterHubLoraDirectory.writeLora(
                loraDir,
                LoraWeights.fromTensors(
                        "rte", LoraConfig.of(8, 16, List.of("query", "value"), model.name()), lw, null, "oracle LoRA"),
                info,
                randomHead("rte", rte, h, 32));
        try (NDManager m = NDManager.newBaseManager()) {
            expected(
                    loraDir,
                    rte,
                    probabilities(
                            model,
                            rte,
                            AdapterFiles.load(loraDir, model, rte, m).model(),
                            pairs));
        }
        // AdapterFusion over two Pfeiffer adapters, with weights far from AdapterHub's near-uniform initialisation
        Path fusionRoot = root.resolve("fusion");
        List<AdapterWeights> adapters = List.of(
                RandomAdapters.create("a", BottleneckConfig.pfeiffer(), info, layers, h / 16, 0.1, 21),
                RandomAdapters.create("b", BottleneckConfig.pfeiffer(), info, layers, h / 16, 0.1, 22));
        AdapterHubDirectory.write(fusionRoot.resolve("a"), adapters.get(0), randomHead("rte", rte, h, 23));
        AdapterHubDirectory.write(fusionRoot.resolve("b"), adapters.get(1));
        Random rnd = new Random(24);
        Map<String, Tensor> fw = new LinkedHashMap<>();
        for (int i = 0; i < layers; i++) {
            String p = FusionWeights.key(AdapterFiles.modelPrefix(model), i, AdapterLocation.OUTPUT, "a,b", "");
            fw.put(p + "query.weight", RandomAdapters.gaussian(rnd, 0.2, h, h));
            fw.put(p + "query.bias", RandomAdapters.gaussian(rnd, 0.1, h));
            fw.put(p + "key.weight", RandomAdapters.gaussian(rnd, 0.2, h, h));
            fw.put(p + "key.bias", RandomAdapters.gaussian(rnd, 0.1, h));
            Tensor v = RandomAdapters.gaussian(rnd, 0.05, h, h);
            for (int d = 0; d < h; d++) {
                v.data()[d * h + d] += 1f;
            }
            fw.put(p + "value.weight", v);
        }
        AdapterFusionDirectory.write(
                fusionRoot.resolve("a,b"), new FusionWeights("a,b", FusionConfig.dynamic(), info, null, fw, "oracle"));
        try (NDManager m = NDManager.newBaseManager()) {
            List<AdapterWeights> back = List.of(
                    AdapterHubDirectory.read(fusionRoot.resolve("a")),
                    AdapterHubDirectory.read(fusionRoot.resolve("b")));
            TaskModel tm = fusionModel(
                    model,
                    rte,
                    back,
                    AdapterFusionDirectory.read(fusionRoot.resolve("a,b")),
                    AdapterFiles.savedHead(fusionRoot.resolve("a"), rte, h),
                    m);
            expected(fusionRoot, rte, probabilities(model, rte, tm, pairs));
        }
    }

    static void expected(Path dir, Task task, double[][] p) throws Exception {
        ObjectNode o = JSON.createObjectNode();
        o.put("task", task.name());
        ArrayNode rows = o.putArray("probabilities");
        for (double[] row : p) {
            ArrayNode r = rows.addArray();
            for (double v : row) {
                r.add(v);
            }
        }
        Files.writeString(dir.resolve("expected.json"), JSON.writeValueAsString(o));
    }
}
