package org.mera.train;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.mera.adapter.AdapterHubFormat;
import org.mera.adapter.AdapterKind;
import org.mera.adapter.Adapters;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.HeadConfig;
import org.mera.adapter.PredictionHead;
import org.mera.adapter.bottleneck.AdapterHubDirectory;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.adapter.fusion.AdapterFusionDirectory;
import org.mera.adapter.fusion.Fusion;
import org.mera.adapter.fusion.FusionWeights;
import org.mera.adapter.lora.AdapterHubLoraDirectory;
import org.mera.adapter.lora.LoraConfig;
import org.mera.adapter.lora.LoraModule;
import org.mera.adapter.lora.LoraWeights;
import org.mera.adapter.lora.PeftLoraDirectory;
import org.mera.data.Task;
import org.mera.io.BertConfig;
import org.mera.io.HfModelDirectory;
import org.mera.io.Tensor;
import org.mera.model.BertEncoder;
import org.mera.model.ClassificationHead;
import org.mera.model.PretrainedModel;

/**
 * Bridges {@link TrainingRun} and the files Python users exchange: a trained bottleneck adapter becomes an
 * AdapterHub directory (adapter_config.json, adapter.safetensors, head_config.json, model_head.safetensors; AdapterHub's
 * own pytorch_adapter.bin / pytorch_model_head.bin are read too),
 * a LoRA a PEFT directory (adapter_config.json, adapter_model.safetensors) with the same AdapterHub head files
 * beside it, a fully fine-tuned encoder an HF model directory plus the head files. Reading goes the other way:
 * initial weights for a run ({@code --init}) or a ready {@link TaskModel} for evaluation. Inside a run the
 * adapter is called {@link TrainingRun#ADAPTER} and the head is named after the task; in files both carry the
 * adapter's own name, so keys are renamed on the way in and out.
 */
public final class AdapterFiles {
    /** What a directory holds. */
    public enum Kind {
        BOTTLENECK,
        LORA,
        FULL,
        /** An AdapterFusion model as {@link #saveFusion} writes it: its adapters, the fusion layers and the head. */
        FUSION
    }

    /** Where {@link #saveFusion} puts the fusion layers (AdapterHub's fusion directory) inside a fusion model. */
    public static final String FUSION_DIR = "fusion";
    /** Where it puts the fused adapters, {@code adapters/0}, {@code adapters/1}, ... in the fusion's order. */
    public static final String FUSED_ADAPTERS_DIR = "adapters";

    /** Weights to start a run from, and the method they imply (architecture, reduction factor or rank from the files). */
    public record Init(Method method, Map<String, Tensor> adapter, Map<String, Tensor> head, String name) {}

    /** A model read back for evaluation, with the tokenizer it needs. */
    public record Loaded(Kind kind, String name, TaskModel model, Path tokenizerJson) {}

    private AdapterFiles() {}

    /** What {@code dir} holds; an error naming the directory when it is none of the three. */
    public static Kind detect(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null, "adapter directory not found");
        }
        if (Files.isRegularFile(dir.resolve(FUSION_DIR).resolve(AdapterFusionDirectory.CONFIG))) {
            return Kind.FUSION;
        }
        Optional<AdapterKind> kind = AdapterKind.of(dir);
        if (kind.isPresent() && kind.get().standalone()) {
            return kind.get() == AdapterKind.LORA ? Kind.LORA : Kind.BOTTLENECK;
        }
        if (Files.isRegularFile(dir.resolve(HfModelDirectory.CONFIG))
                && Files.isRegularFile(dir.resolve(HfModelDirectory.WEIGHTS))) {
            return Kind.FULL;
        }
        throw new IllegalArgumentException(
                dir + ": not an AdapterHub adapter, PEFT LoRA, HF model directory or a fusion model mera saved (no "
                        + AdapterHubFormat.CONFIG + ", no " + HfModelDirectory.CONFIG + " + " + HfModelDirectory.WEIGHTS
                        + ", no " + FUSION_DIR + "/" + AdapterFusionDirectory.CONFIG + ")");
    }

    /**
     * Writes a run's result into {@code dir} in the method's format, the head included.
     *
     * @param name      the adapter's (and head's) name in the files, e.g. {@code rte}
     * @param modelName recorded as {@code model_name} / {@code base_model_name_or_path}
     */
    public static void save(
            Path dir,
            String name,
            TrainingRun.Outcome outcome,
            PretrainedModel model,
            String modelName,
            Task task,
            Method method)
            throws IOException {
        checkName(name);
        PredictionHead head = head(name, task, outcome.headWeights(), method.headPooling());
        switch (method.kind()) {
            case PFEIFFER, HOULSBY -> {
                AdapterWeights trained = bottleneckWeights(outcome.adapterWeights(), model, method, modelName, null);
                AdapterHubDirectory.write(dir, trained.renamed(name), head);
            }
            case LORA -> {
                // base_model_name_or_path: the converted directory's absolute path, which AutoPeftModel* can load
                // (a catalog name such as "minilm" means nothing to transformers)
                // target_modules in the family's own names (DistilBERT: q_lin, v_lin), which PEFT matches against
                // modules
                LoraConfig config = new LoraConfig(
                        method.loraRank(),
                        method.loraAlpha(),
                        method.loraDropout(),
                        method.loraTargets().stream()
                                .map(model.config().family()::nativeTarget)
                                .toList(),
                        false,
                        LoraConfig.SEQ_CLS,
                        "none",
                        false,
                        List.of(),
                        model.directory().toAbsolutePath().normalize().toString(),
                        false,
                        Map.of(),
                        Map.of(),
                        Map.of());
                PeftLoraDirectory.Result peft = PeftLoraDirectory.withHead(
                        LoraWeights.fromTensors(name, config, outcome.adapterWeights(), null, "trained LoRA"),
                        head,
                        model.config().family().name()); // XLM-R's sequence-classification head is RoBERTa's
                if (peft.noHeadReason() != null) {
                    System.err.println("note: " + dir
                            + " is written for PEFT on AutoModel (task_type FEATURE_EXTRACTION), not for "
                            + "sequence classification: " + peft.noHeadReason() + "; the head is in "
                            + AdapterHubFormat.HEAD_CONFIG
                            + " and " + AdapterHubFormat.HEAD_WEIGHTS);
                }
                PeftLoraDirectory.write(dir, peft.lora());
                writeHead(dir, head, encoderInfo(model, modelName));
            }
            case FULL -> {
                if (!HfModelDirectory.WRITTEN_MODEL_TYPES.contains(
                        model.config().modelType())) {
                    throw new IllegalArgumentException(
                            "a fully fine-tuned " + model.config().modelType() + " model cannot be saved to " + dir
                                    + ": mera writes model directories for model_type "
                                    + HfModelDirectory.WRITTEN_MODEL_TYPES + " only");
                }
                BertConfig config = BertConfig.read(model.directory().resolve(HfModelDirectory.CONFIG));
                HfModelDirectory.write(dir, config, outcome.adapterWeights(), Files.readString(model.tokenizerJson()));
                writeHead(dir, head, encoderInfo(model, modelName));
            }
            case FUSION ->
                throw new IllegalArgumentException(
                        "a fusion run is saved with its adapters and fusion layers (saveFusion), not as one adapter");
        }
    }

    /**
     * Writes an AdapterFusion run's model into {@code dir}: {@code adapters/0..n-1} (the frozen adapters, AdapterHub
     * layout, in the fusion's order), {@code fusion/} (AdapterHub's fusion directory) and the head beside them, which
     * {@link #load} reads back as one model.
     */
    public static void saveFusion(
            Path dir,
            String name,
            TrainingRun.Outcome outcome,
            PretrainedModel model,
            String modelName,
            Task task,
            Method method,
            List<AdapterWeights> adapters,
            FusionWeights fusion)
            throws IOException {
        checkName(name);
        for (int i = 0; i < adapters.size(); i++) {
            AdapterHubDirectory.write(dir.resolve(FUSED_ADAPTERS_DIR).resolve(String.valueOf(i)), adapters.get(i));
        }
        AdapterFusionDirectory.write(dir.resolve(FUSION_DIR), fusion);
        writeHead(dir, head(name, task, outcome.headWeights(), method.headPooling()), encoderInfo(model, modelName));
    }

    /**
     * A bottleneck run's adapter tensors ({@link TrainingRun.Outcome#adapterWeights}: AdapterHub keys, adapter
     * {@link TrainingRun#ADAPTER}) as typed weights with the method's config.
     *
     * @param modelName recorded as {@code model_name}
     * @param version   recorded as the adapter's version (null: none)
     */
    public static AdapterWeights bottleneckWeights(
            Map<String, Tensor> tensors, PretrainedModel model, Method method, String modelName, String version) {
        return AdapterWeights.fromTensors(
                TrainingRun.ADAPTER,
                bottleneckConfig(method),
                encoderInfo(model, modelName),
                version,
                tensors,
                null,
                "trained adapter");
    }

    /**
     * Reads an adapter directory as the starting point of a run on {@code model}: a bottleneck adapter
     * (method, reduction factor and non-linearity from its config) or a LoRA (rank, alpha, targets from its
     * config). With {@code withHead} the directory's head is read too and must fit {@code task}.
     */
    public static Init readInit(Path dir, PretrainedModel model, Task task, boolean withHead) throws IOException {
        return read(dir, model, task, withHead, true);
    }

    private static Init read(Path dir, PretrainedModel model, Task task, boolean withHead, boolean forTraining)
            throws IOException {
        Kind kind = detect(dir);
        SavedHead head = withHead ? savedHead(dir, task, model) : null;
        Init init = switch (kind) {
            case BOTTLENECK -> {
                AdapterWeights a = AdapterHubDirectory.read(dir);
                yield new Init(bottleneckMethod(dir, a), checkedBottleneck(dir, a, model), null, a.name());
            }
            case LORA -> {
                LoraWeights l = readLora(dir);
                Map<String, Tensor> w = checkedLora(dir, l, model);
                if (forTraining && l.config().useRslora()) {
                    // Method has no rsLoRA switch, so a run would rescale the update; evaluation honours it (see load)
                    throw new IllegalArgumentException(dir.resolve(PeftLoraDirectory.CONFIG)
                            + ": field 'use_rslora' is true; training from an rsLoRA adapter is not supported");
                }
                Method base = Method.of(Method.Kind.LORA);
                // targets in mera's names (query, value), whatever the family calls them in target_modules
                List<String> targets = l.config().targetModules().stream()
                        .map(model.config().family()::meraTarget)
                        .toList();
                Method m = new Method(
                        Method.Kind.LORA,
                        base.reductionFactor(),
                        base.nonLinearity(),
                        l.config().r(),
                        (float) l.config().loraAlpha(),
                        (float) l.config().loraDropout(),
                        targets,
                        base.headPooling());
                if (forTraining
                        && (!l.config().rankPattern().isEmpty()
                                || !l.config().alphaPattern().isEmpty())) {
                    // Method has one rank and alpha for every module; evaluation honours the patterns (see load)
                    throw new IllegalArgumentException(dir.resolve(PeftLoraDirectory.CONFIG) + ": field '"
                            + (l.config().rankPattern().isEmpty() ? "alpha_pattern" : "rank_pattern")
                            + "' is set; training from a LoRA with per-module ranks or alphas is not supported");
                }
                yield new Init(m, w, null, l.name());
            }
            case FULL ->
                throw new IllegalArgumentException(
                        dir + ": is a full model directory; pass it as --model, not as an adapter");
            case FUSION ->
                throw new IllegalArgumentException(dir + ": is an AdapterFusion model (several adapters and fusion"
                        + " layers); it predicts (mera predict --adapter), but is not one adapter to start a run from");
        };
        // A saved head is read the way it was trained: its pooling comes with it.
        return head == null
                ? init
                : new Init(init.method().withHeadPooling(head.pooling()), init.adapter(), head.tensors(), init.name());
    }

    /** A PEFT LoRA directory, or an AdapterHub one ({@code "architecture": "lora"}). */
    private static LoraWeights readLora(Path dir) throws IOException {
        return PeftLoraDirectory.isPeftLora(dir) ? PeftLoraDirectory.read(dir) : AdapterHubLoraDirectory.readLora(dir);
    }

    /** Reads a saved directory (adapter + head, or full model + head) into a model for {@code task}. */
    public static Loaded load(Path dir, PretrainedModel model, Task task, NDManager manager) throws IOException {
        Kind kind = detect(dir);
        if (kind == Kind.FULL) {
            PretrainedModel full = PretrainedModel.load(dir);
            BertEncoder encoder = full.newEncoder(manager);
            return new Loaded(
                    kind,
                    dir.toAbsolutePath().normalize().getFileName().toString(),
                    new TaskModel(
                            encoder,
                            loadHead(
                                    encoder,
                                    task,
                                    savedHead(dir, task, full.config().hiddenSize()))),
                    full.tokenizerJson());
        }
        if (model == null) {
            throw new IllegalArgumentException(dir + ": holds an adapter; name the encoder it belongs to (--model)");
        }
        if (kind == Kind.FUSION) {
            FusionWeights fusion = AdapterFusionDirectory.read(dir.resolve(FUSION_DIR));
            int n = fusion.name().split(",", -1).length;
            List<AdapterWeights> adapters = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                adapters.add(
                        AdapterHubDirectory.read(dir.resolve(FUSED_ADAPTERS_DIR).resolve(String.valueOf(i))));
            }
            SavedHead head = savedHead(dir, task, model);
            BertEncoder encoder = model.newEncoder(manager);
            Fusion.install(encoder, adapters, fusion);
            return new Loaded(
                    kind, fusion.name(), new TaskModel(encoder, loadHead(encoder, task, head)), model.tokenizerJson());
        }
        Init init = read(dir, model, task, false, false);
        SavedHead head = savedHead(dir, task, model);
        BertEncoder encoder = model.newEncoder(manager);
        if (kind == Kind.LORA) {
            // per-module ranks and alphas (rank_pattern, alpha_pattern) come with the config; PEFT or AdapterHub files
            Adapters.addLora(encoder, readLora(dir).config(), init.adapter());
        } else {
            TrainingRun.installMethod(encoder, init.method(), init.adapter(), 0);
        }
        return new Loaded(
                kind, init.name(), new TaskModel(encoder, loadHead(encoder, task, head)), model.tokenizerJson());
    }

    /** A model built from a run's weights in memory, exactly as {@link #load} builds it from files. */
    public static TaskModel taskModel(
            PretrainedModel model, Task task, Method method, TrainingRun.Outcome outcome, NDManager manager) {
        BertEncoder encoder = method.kind() == Method.Kind.FULL
                ? new BertEncoder(model.config(), outcome.adapterWeights(), manager)
                : model.newEncoder(manager);
        if (method.kind() != Method.Kind.FULL) {
            TrainingRun.installMethod(encoder, method, outcome.adapterWeights(), 0);
        }
        return new TaskModel(
                encoder, loadHead(encoder, task, new SavedHead(outcome.headWeights(), method.headPooling())));
    }

    private static ClassificationHead loadHead(BertEncoder encoder, Task task, SavedHead head) {
        return ClassificationHead.load(
                encoder.params(),
                task.name(),
                head.tensors(),
                encoder.config().hiddenSize(),
                task.labels(),
                encoder.config().hiddenDropout(),
                head.pooling());
    }

    /** A head's weights under the in-run names {@code heads.<task name>.*}, and what it reads. */
    record SavedHead(Map<String, Tensor> tensors, ClassificationHead.Pooling pooling) {}

    /**
     * The head of an adapter directory for {@code model}: AdapterHub's head files, else for a PEFT LoRA the
     * sequence-classification head it saved through modules_to_save (labels by index, in the task's order).
     */
    static SavedHead savedHead(Path dir, Task task, PretrainedModel model) throws IOException {
        if (!Files.isRegularFile(dir.resolve(AdapterHubFormat.HEAD_CONFIG)) && PeftLoraDirectory.isPeftLora(dir)) {
            LoraWeights l = PeftLoraDirectory.read(dir);
            String name = l.name().replace('.', '_');
            Optional<PredictionHead> peft =
                    PeftLoraDirectory.head(dir, l, name, headConfig(task), model.weights("pooler."));
            if (peft.isPresent()) {
                if (!task.isRegression()) {
                    System.err.println(
                            "note: " + dir.resolve(PeftLoraDirectory.WEIGHTS) + ": PEFT classifier outputs taken as "
                                    + "task " + task.name() + "'s labels in order " + task.labels());
                }
                return new SavedHead(
                        renamedHead(peft.get().tensors(), name, task.name()), ClassificationHead.Pooling.FIRST_TOKEN);
            }
        }
        return savedHead(dir, task, model.config().hiddenSize());
    }

    /** The directory's head, checked against the task's labels and the model's hidden size. */
    static SavedHead savedHead(Path dir, Task task, int hiddenSize) throws IOException {
        Optional<PredictionHead> read = AdapterHubFormat.readHead(dir);
        if (read.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no prediction head (" + AdapterHubFormat.HEAD_CONFIG + " + "
                    + AdapterHubFormat.HEAD_WEIGHTS + " or " + AdapterHubFormat.TORCH_HEAD_WEIGHTS + ")");
        }
        PredictionHead h = read.get();
        Path cfg = dir.resolve(AdapterHubFormat.HEAD_CONFIG);
        HeadConfig expected = headConfig(task);
        if (h.config().isRegression() != task.isRegression()) {
            throw new IllegalArgumentException(cfg + ": head has " + h.config().numLabels() + " output"
                    + (h.config().numLabels() == 1 ? " (regression)" : "s") + " but task " + task.name()
                    + (task.isRegression()
                            ? " is a regression task (one output)"
                            : " has " + task.labels().size() + " labels"));
        }
        if (!task.isRegression() && !h.config().label2id().equals(expected.label2id())) {
            if (!isGeneric(h.config().label2id())
                    || h.config().label2id().size() != task.labels().size()) {
                throw new IllegalArgumentException(
                        cfg + ": label2id " + h.config().label2id() + " does not match task " + task.name()
                                + "'s labels " + expected.label2id());
            }
            // AdapterHub names labels LABEL_0, LABEL_1, ... when the head was added without id2label: the labels
            // are then only indices, and the task says what each index means.
            StringBuilder map = new StringBuilder();
            for (int i = 0; i < task.labels().size(); i++) {
                map.append(i == 0 ? "" : ", ")
                        .append("LABEL_")
                        .append(i)
                        .append(" = ")
                        .append(task.labels().get(i));
            }
            System.err.println("mera: notice: " + cfg + " has generic labels; reading them as task " + task.name()
                    + "'s labels by index (" + map + ")");
        }
        if (h.config().usePooler()) {
            // AdapterHub feeds such a head the encoder's pooler output; reading the first token instead would
            // give wrong predictions without a word.
            throw new IllegalArgumentException(
                    cfg + ": field 'use_pooler' is true; heads on the encoder's pooler output are "
                            + "not supported (first-token or mean-pooled heads are)");
        }
        if (h.denseWeight().dim(0) != hiddenSize) {
            throw new IllegalArgumentException(AdapterHubFormat.headWeightsFile(dir) + ": head is for hidden size "
                    + h.denseWeight().dim(0) + " but the model's hidden size is " + hiddenSize);
        }
        return new SavedHead(
                renamedHead(h.tensors(), h.name(), task.name()), h.config().pooling());
    }

    /** Whether label2id is AdapterHub's default naming {@code LABEL_i -> i} for every label. */
    static boolean isGeneric(Map<String, Integer> label2id) {
        if (label2id.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, Integer> e : label2id.entrySet()) {
            if (!e.getKey().equals("LABEL_" + e.getValue()) || e.getValue() < 0 || e.getValue() >= label2id.size()) {
                return false;
            }
        }
        return true;
    }

    private static PredictionHead head(
            String name, Task task, Map<String, Tensor> runHead, ClassificationHead.Pooling pooling) {
        Map<String, Tensor> renamed = renamedHead(runHead, task.name(), name);
        return PredictionHead.fromTensors(name, headConfig(task).withPooling(pooling), renamed, "trained head");
    }

    static HeadConfig headConfig(Task task) {
        if (task.isRegression()) {
            return HeadConfig.regression();
        }
        Map<String, Integer> label2id = new LinkedHashMap<>();
        for (int i = 0; i < task.labels().size(); i++) {
            label2id.put(task.labels().get(i), i);
        }
        return HeadConfig.classification(label2id);
    }

    private static Map<String, Tensor> renamedHead(Map<String, Tensor> head, String from, String to) {
        String oldPrefix = ClassificationHead.prefix(from);
        Map<String, Tensor> out = new LinkedHashMap<>();
        head.forEach((k, v) -> {
            if (!k.startsWith(oldPrefix)) {
                throw new IllegalArgumentException("head tensor '" + k + "' does not start with '" + oldPrefix + "'");
            }
            out.put(ClassificationHead.prefix(to) + k.substring(oldPrefix.length()), v);
        });
        return out;
    }

    /** Head files next to a PEFT or HF model directory: AdapterHub's head format, written the same way. */
    private static void writeHead(Path dir, PredictionHead head, EncoderInfo info) throws IOException {
        AdapterHubFormat.writeHead(dir, head, info);
    }

    public static EncoderInfo encoderInfo(PretrainedModel model, String modelName) {
        String type = model.config().modelType();
        return new EncoderInfo(
                modelName,
                type,
                model.config().family().adapterModelClass(type),
                model.config().hiddenSize());
    }

    static BottleneckConfig bottleneckConfig(Method method) {
        BottleneckConfig b =
                method.kind() == Method.Kind.HOULSBY ? BottleneckConfig.houlsby() : BottleneckConfig.pfeiffer();
        return new BottleneckConfig(
                b.mhAdapter(),
                b.outputAdapter(),
                method.reductionFactor(),
                method.nonLinearity(),
                b.originalLnBefore(),
                b.originalLnAfter(),
                b.residualBeforeLn(),
                b.adapterResidualBeforeLn(),
                b.lnBefore(),
                b.lnAfter(),
                b.initWeights(),
                b.isParallel(),
                b.scaling(),
                b.useGating(),
                b.leaveOut(),
                b.extra());
    }

    /** AdapterHub's model prefix of keys, as {@link Adapters#modelPrefix} gives it for an encoder of this model. */
    static String modelPrefix(PretrainedModel model) {
        return model.config().family().keyPrefix();
    }

    private static Method bottleneckMethod(Path dir, AdapterWeights a) {
        BottleneckConfig c = a.config();
        Path cfg = dir.resolve(AdapterHubFormat.CONFIG);
        Method.Kind kind = switch (c.kind()) {
            case "seq_bn" -> Method.Kind.PFEIFFER;
            case "double_seq_bn" -> Method.Kind.HOULSBY;
            default ->
                throw new IllegalArgumentException(cfg + ": adapter layout (mh_adapter=" + c.mhAdapter()
                        + ", output_adapter=" + c.outputAdapter() + ", original_ln_before=" + c.originalLnBefore()
                        + ") is neither seq_bn nor double_seq_bn");
        };
        if (c.scaling() != 1.0 || c.useGating() || c.isParallel() || c.lnBefore() || c.lnAfter()) {
            throw new IllegalArgumentException(cfg
                    + ": only plain sequential adapters are supported (scaling 1, no gating, "
                    + "not parallel, no ln_before/ln_after); got scaling=" + c.scaling() + ", use_gating="
                    + c.useGating()
                    + ", is_parallel=" + c.isParallel() + ", ln_before=" + c.lnBefore() + ", ln_after=" + c.lnAfter());
        }
        Method base = Method.of(kind);
        return new Method(
                kind,
                (int) Math.round(c.reductionFactor()),
                c.nonLinearity(),
                base.loraRank(),
                base.loraAlpha(),
                base.loraDropout(),
                base.loraTargets(),
                base.headPooling());
    }

    /** The adapter's tensors renamed to the in-run name, after checking they fit the model. */
    private static Map<String, Tensor> checkedBottleneck(Path dir, AdapterWeights a, PretrainedModel model)
            throws IOException {
        Path cfg = dir.resolve(AdapterHubFormat.CONFIG);
        int h = model.config().hiddenSize();
        if (a.encoder().hiddenSize() != h) {
            throw new IllegalArgumentException(cfg + ": hidden_size "
                    + a.encoder().hiddenSize() + " (model_name " + a.encoder().modelName() + ") does not match model "
                    + model.name() + "'s hidden size " + h);
        }
        if (!a.keyPrefix().equals(modelPrefix(model))) {
            throw new IllegalArgumentException(AdapterHubFormat.adapterWeightsFile(dir) + ": keys start with '"
                    + a.keyPrefix() + "' but model " + model.name() + " ("
                    + model.config().modelType() + ") needs '" + modelPrefix(model) + "'");
        }
        int layers = model.config().numLayers();
        if (a.numLayers() != layers) {
            throw new IllegalArgumentException(AdapterHubFormat.adapterWeightsFile(dir) + ": adapter spans "
                    + a.numLayers() + " layers but model " + model.name() + " has " + layers
                    + (a.encoder().modelName() == null
                                    || a.encoder().modelName().isBlank()
                            ? ""
                            : "; it was trained on " + a.encoder().modelName() + ": use that encoder (--model)"));
        }
        return a.renamed(TrainingRun.ADAPTER).tensors();
    }

    private static Map<String, Tensor> checkedLora(Path dir, LoraWeights l, PretrainedModel model) {
        Path weights = dir.resolve(PeftLoraDirectory.WEIGHTS);
        int h = model.config().hiddenSize();
        for (String target : l.config().targetModules()) {
            try {
                model.config().family().nativeTarget(target);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(dir.resolve(PeftLoraDirectory.CONFIG) + ": " + e.getMessage(), e);
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        // An AutoModel LoRA (task_type not SEQ_CLS) has no model prefix in its file; PeftLoraDirectory gives encoder.*
        // modules
        // BERT's, which for a RoBERTa model is this model's prefix instead.
        boolean autoModel = !LoraConfig.SEQ_CLS.equals(l.config().taskType());
        String guessed = LoraWeights.PEFT_PREFIX + "bert.";
        java.util.function.UnaryOperator<String> rekey = k -> autoModel && k.startsWith(guessed)
                ? LoraWeights.PEFT_PREFIX + modelPrefix(model) + k.substring(guessed.length())
                : k;
        for (LoraModule m : l.modules()) {
            if (m.a().dim(1) != h) {
                throw new IllegalArgumentException(
                        weights + ": tensor '" + m.keyA() + "' has shape " + m.a().shapeString() + " (input size "
                                + m.a().dim(1) + ") but model " + model.name() + "'s hidden size is " + h);
            }
            out.put(rekey.apply(m.keyA()), m.a());
            out.put(rekey.apply(m.keyB()), m.b());
        }
        TreeSet<String> expected = new TreeSet<>();
        for (int i = 0; i < model.config().numLayers(); i++) {
            for (String t : l.config().targetModules()) {
                for (String matrix : List.of("lora_A", "lora_B")) {
                    // the key Adapters.loraKey gives for an encoder of this model
                    expected.add("base_model.model." + modelPrefix(model)
                            + model.config().family().projectionModule(i, t) + "." + matrix + ".weight");
                }
            }
        }
        for (String k : out.keySet()) {
            if (!expected.contains(k)) {
                throw new IllegalArgumentException(weights + ": tensor '" + k + "' has no place in model "
                        + model.name() + " (" + model.config().numLayers() + " layers, "
                        + model.config().modelType() + ", targets " + l.config().targetModules() + ")");
            }
        }
        for (String k : expected) {
            if (!out.containsKey(k)) {
                throw new IllegalArgumentException(weights + ": missing tensor '" + k + "' for model " + model.name());
            }
        }
        return out;
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".") || name.contains("/")) {
            throw new IllegalArgumentException("adapter name must be non-empty without '.' or '/', got '" + name + "'");
        }
    }
}
