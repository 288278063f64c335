package org.mera.adapter.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mera.adapter.HeadConfig;
import org.mera.adapter.MergeProvenance;
import org.mera.adapter.PredictionHead;
import org.mera.io.AtomicFiles;
import org.mera.io.ConfigJson;
import org.mera.io.SafeTensors;
import org.mera.io.Tensor;

/**
 * A PEFT LoRA directory exactly as {@code PeftModel.save_pretrained(dir)} writes it: {@code adapter_config.json}
 * ({@code peft_type} "LORA", r, lora_alpha, target_modules, rank_pattern, alpha_pattern, ...) and
 * {@code adapter_model.safetensors} (metadata {@code {"format": "pt"}}). The adapter's name is the directory
 * name. A merged adapter's config also carries {@code mera_merge}.
 *
 * <p>The keys depend on the task type, because PEFT names modules inside the model it wraps:
 * <ul>
 * <li>{@code SEQ_CLS} (and other task models): {@code AutoModelForSequenceClassification}, so encoder modules are
 * {@code base_model.model.bert.encoder.…}; the head is saved through modules_to_save — for BERT
 * {@code base_model.model.bert.pooler.dense.*} (dense + tanh on the first token) and
 * {@code base_model.model.classifier.*}; for RoBERTa {@code base_model.model.classifier.dense.*} and
 * {@code .out_proj.*}. These are exactly AdapterHub's two-layer head on the first token.</li>
 * <li>{@code FEATURE_EXTRACTION} or none: {@code AutoModel}, keys {@code base_model.model.encoder.…}, no head.</li>
 * </ul>
 * In memory mera always names LoRA modules {@code base_model.model.bert.encoder.…} (see
 * {@link org.mera.adapter.Adapters#loraKey}); reading accepts both layouts, writing picks the one the config's
 * task type implies. Tensors other than LoRA factors and the head above are refused, naming the key.
 */
public final class PeftLoraDirectory {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    public static final String TORCH_WEIGHTS = "adapter_model.bin";

    private static final String P = LoraWeights.PEFT_PREFIX;
    private static final String BERT_POOLER = P + "bert.pooler.dense.";
    private static final String CLASSIFIER = P + "classifier.";
    private static final String ROBERTA_DENSE = P + "classifier.dense.";
    private static final String ROBERTA_OUT = P + "classifier.out_proj.";

    private PeftLoraDirectory() {}

    public static boolean isPeftLora(Path dir) throws IOException {
        Path cfg = dir.resolve(CONFIG);
        if (!Files.isRegularFile(cfg)) {
            return false;
        }
        JsonNode root = ConfigJson.readTree(cfg);
        return root.has("peft_type") && "LORA".equals(root.get("peft_type").asText());
    }

    public static LoraWeights read(Path dir) throws IOException {
        Path cfgFile = dir.resolve(CONFIG);
        JsonNode root = ConfigJson.readTree(cfgFile);
        LoraConfig config = LoraConfig.fromJson(root, cfgFile.toString());
        if (config.useDora()) {
            throw new IllegalArgumentException(cfgFile + ": field 'use_dora' is true; DoRA adapters are not supported");
        }
        MergeProvenance merge = root.has(MergeProvenance.JSON_FIELD)
                ? MergeProvenance.fromJson(
                        root.get(MergeProvenance.JSON_FIELD), cfgFile + " (" + MergeProvenance.JSON_FIELD + ")")
                : null;
        Path weightsFile = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weightsFile)) {
            if (Files.isRegularFile(dir.resolve(TORCH_WEIGHTS))) {
                throw new IllegalArgumentException(
                        dir.resolve(TORCH_WEIGHTS) + ": torch pickle weights are not read by mera; "
                                + "save with safe_serialization=True to get " + WEIGHTS);
            }
            throw new NoSuchFileException(weightsFile.toString(), null, "LoRA weights file missing");
        }
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        Map<String, Tensor> inMemory = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e :
                SafeTensors.read(weightsFile).tensors().entrySet()) {
            String k = e.getKey();
            boolean lora = k.endsWith(".lora_A.weight") || k.endsWith(".lora_B.weight");
            if (!lora && !isHeadKey(k)) {
                throw new IllegalArgumentException(
                        weightsFile + ": tensor '" + k + "' is neither a LoRA factor of a target module "
                                + "nor a sequence-classification head (modules_to_save " + config.modulesToSave()
                                + "); mera reads LoRA "
                                + "factors, " + BERT_POOLER + "*, " + CLASSIFIER + "* only");
            }
            // AutoModel adapters name encoder modules without the model prefix; mera's in-memory names carry it
            // (DistilBERT's modules sit under transformer., BERT's under encoder.)
            String key = lora && k.startsWith(P + "encoder.")
                    ? P + "bert." + k.substring(P.length())
                    : lora && k.startsWith(P + "transformer.") ? P + "distilbert." + k.substring(P.length()) : k;
            inMemory.put(key, e.getValue());
        }
        return LoraWeights.fromTensors(name, config, inMemory, merge, weightsFile.toString());
    }

    private static boolean isHeadKey(String k) {
        return k.startsWith(BERT_POOLER) || k.startsWith(CLASSIFIER);
    }

    /** Writes weights then config, each atomically, with the keys PEFT uses for the config's task type. */
    public static void write(Path dir, LoraWeights lora) throws IOException {
        ObjectNode root = lora.config().toJson();
        if (lora.merge() != null) {
            root.set(MergeProvenance.JSON_FIELD, lora.merge().toJson());
        }
        boolean taskModel = lora.config().wrapsTaskModel();
        if (!taskModel && !lora.otherTensors().isEmpty()) {
            throw new IllegalArgumentException("LoRA adapter " + lora.name() + ": task_type "
                    + lora.config().taskType() + " has no head, but the adapter holds "
                    + lora.otherTensors().keySet());
        }
        Map<String, Tensor> file = new LinkedHashMap<>();
        for (LoraModule m : lora.modules()) {
            String path = taskModel ? m.path() : withoutModelPrefix(m.path());
            file.put(path + ".lora_A.weight", m.a());
            file.put(path + ".lora_B.weight", m.b());
        }
        file.putAll(lora.otherTensors());
        Files.createDirectories(dir);
        SafeTensors.write(dir.resolve(WEIGHTS), file, Map.of("format", "pt"));
        AtomicFiles.writeString(dir.resolve(CONFIG), ConfigJson.toSortedJson(root));
    }

    /** {@code base_model.model.bert.encoder.…} → {@code base_model.model.encoder.…}: how PEFT names it on AutoModel. */
    static String withoutModelPrefix(String path) {
        // the task models' base_model_prefix of BERT, RoBERTa / XLM-R and DistilBERT
        // (org.mera.model.ModelFamily#keyPrefix)
        for (String prefix : List.of("bert.", "roberta.", "distilbert.")) {
            if (path.startsWith(P + prefix)) {
                return P + path.substring((P + prefix).length());
            }
        }
        return path;
    }

    /**
     * The adapter as PEFT saves it for {@code AutoModelForSequenceClassification}: task_type SEQ_CLS, the head's
     * dense layer as the encoder's pooler (BERT) or the classifier's dense layer (RoBERTa), its output layer as
     * the classifier, listed in modules_to_save as PEFT lists them after {@code get_peft_model}. A head that
     * transformers' sequence-classification models cannot compute (mean pooling, an activation other than
     * tanh, a head on the pooler output) gives the encoder-only adapter instead (task_type FEATURE_EXTRACTION),
     * its head staying in the AdapterHub files beside it; the reason is returned for the caller to report.
     */
    public static Result withHead(LoraWeights lora, PredictionHead head, String modelType) {
        HeadConfig hc = head.config();
        String reason = null;
        if (hc.pooling() != org.mera.model.ClassificationHead.Pooling.FIRST_TOKEN) {
            reason =
                    "its head reads the mean of the token states, which transformers' sequence-classification models do not";
        } else if (!"tanh".equals(hc.activationFunction())) {
            reason = "its head's activation is " + hc.activationFunction() + ", transformers' is tanh";
        } else if (hc.usePooler()) {
            reason = "its head reads the pooler output";
        } else if (!modelType.equals("bert") && !modelType.equals("roberta")) {
            reason = "model type " + modelType + " has no known sequence-classification head layout";
        }
        if (reason != null) {
            LoraConfig c = lora.config().withTask(LoraConfig.FEATURE_EXTRACTION, List.of());
            return new Result(new LoraWeights(lora.name(), c, lora.modules(), Map.of(), lora.merge()), reason);
        }
        Map<String, Tensor> heads = new LinkedHashMap<>();
        List<String> modulesToSave;
        if (modelType.equals("bert")) {
            heads.put(BERT_POOLER + "weight", head.denseWeight());
            heads.put(BERT_POOLER + "bias", head.denseBias());
            heads.put(CLASSIFIER + "weight", head.outWeight());
            heads.put(CLASSIFIER + "bias", head.outBias());
            modulesToSave = List.of("pooler", "classifier", "score");
        } else {
            heads.put(ROBERTA_DENSE + "weight", head.denseWeight());
            heads.put(ROBERTA_DENSE + "bias", head.denseBias());
            heads.put(ROBERTA_OUT + "weight", head.outWeight());
            heads.put(ROBERTA_OUT + "bias", head.outBias());
            modulesToSave = List.of("classifier", "score");
        }
        LoraConfig c = lora.config().withTask(LoraConfig.SEQ_CLS, modulesToSave);
        return new Result(new LoraWeights(lora.name(), c, lora.modules(), heads, lora.merge()), null);
    }

    /** An adapter ready to write, and why it has no sequence-classification head (null when it has one). */
    public record Result(LoraWeights lora, String noHeadReason) {}

    /**
     * The sequence-classification head a PEFT adapter saved through modules_to_save, as mera's two-layer head:
     * empty when the adapter holds no classifier. {@code basePooler} gives the base model's
     * {@code pooler.dense.weight/bias} for BERT adapters that did not save the pooler (PEFT then uses the base
     * model's); where the base model has none either, transformers would use a random one, so it is refused.
     */
    public static Optional<PredictionHead> head(
            Path dir, LoraWeights lora, String headName, HeadConfig config, Map<String, Tensor> basePooler) {
        Map<String, Tensor> t = lora.otherTensors();
        Path weights = dir.resolve(WEIGHTS);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        Tensor dw;
        Tensor db;
        Tensor ow;
        Tensor ob;
        if (t.containsKey(ROBERTA_OUT + "weight")) {
            dw = require(t, ROBERTA_DENSE + "weight", weights);
            db = require(t, ROBERTA_DENSE + "bias", weights);
            ow = require(t, ROBERTA_OUT + "weight", weights);
            ob = require(t, ROBERTA_OUT + "bias", weights);
        } else {
            ow = require(t, CLASSIFIER + "weight", weights);
            ob = require(t, CLASSIFIER + "bias", weights);
            if (t.containsKey(BERT_POOLER + "weight")) {
                dw = require(t, BERT_POOLER + "weight", weights);
                db = require(t, BERT_POOLER + "bias", weights);
            } else if (basePooler.containsKey("pooler.dense.weight") && basePooler.containsKey("pooler.dense.bias")) {
                dw = basePooler.get("pooler.dense.weight");
                db = basePooler.get("pooler.dense.bias");
            } else {
                throw new IllegalArgumentException(
                        weights + ": the classifier was saved but not the pooler ('pooler' is not in "
                                + "modules_to_save " + lora.config().modulesToSave()
                                + ") and the base model has no pooler weights, so "
                                + "transformers would feed the classifier a randomly initialised pooler");
            }
        }
        if (ow.rank() != 2 || ow.dim(0) != config.numLabels()) {
            throw new IllegalArgumentException(
                    weights + ": classifier has shape " + ow.shapeString() + " but the task has " + config.numLabels()
                            + (config.numLabels() == 1 ? " output (regression)" : " labels"));
        }
        try {
            return Optional.of(new PredictionHead(headName, config, dw, db, ow, ob));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(weights + ": " + e.getMessage(), e);
        }
    }

    private static Tensor require(Map<String, Tensor> t, String key, Path weights) {
        Tensor v = t.get(key);
        if (v == null) {
            throw new IllegalArgumentException(weights + ": missing tensor '" + key
                    + "' of the sequence-classification head (has " + new java.util.TreeSet<>(t.keySet()) + ")");
        }
        return v;
    }
}
