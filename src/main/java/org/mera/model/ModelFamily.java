package org.mera.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mera.io.MalformedFileException;
import org.mera.io.Tensor;
import org.mera.model.bert.BertFamily;
import org.mera.model.distilbert.DistilBertFamily;
import org.mera.model.roberta.RobertaFamily;

/**
 * What differs between the encoder families mera runs (BERT, RoBERTa / XLM-R, DistilBERT): how their
 * {@code config.json} reads, how their checkpoints name parameters, their embeddings' quirks, and the names
 * AdapterHub and PEFT give to modules inside them. Inside mera every family runs as the same post-LayerNorm
 * encoder ({@link BertEncoder}) under BERT's parameter names; a family maps its checkpoint onto those names
 * and maps mera's insertion points back to its own module paths wherever a file names them. The tokenizer is no
 * family matter: every family's {@code tokenizer.json} (WordPiece, byte-level BPE, Unigram) is read the same way
 * (mera's {@code TextEncoder} through DJL), and a family without token types ignores the segment ids it gives.
 */
public interface ModelFamily {
    /** Every family mera supports, in the order errors list them. */
    List<ModelFamily> ALL = List.of(new BertFamily(), new RobertaFamily(), new DistilBertFamily());

    /** The family of an HF {@code model_type}; null if mera has none. */
    static ModelFamily forModelType(String modelType) {
        return ALL.stream()
                .filter(f -> f.modelTypes().contains(modelType))
                .findFirst()
                .orElse(null);
    }

    /**
     * The family whose AdapterHub / task-model key prefix is {@code prefix} ({@code bert.}, {@code roberta.},
     * {@code distilbert.}); BERT for any other prefix, the layout mera has always assumed for such keys.
     */
    static ModelFamily forKeyPrefix(String prefix) {
        return ALL.stream()
                .filter(f -> f.keyPrefix().equals(prefix))
                .findFirst()
                .orElse(ALL.get(0));
    }

    /** Every supported {@code model_type}, for error messages. */
    static List<String> supportedModelTypes() {
        return ALL.stream().flatMap(f -> f.modelTypes().stream()).toList();
    }

    /** The family's short name: bert, roberta, distilbert. */
    String name();

    /** The HF {@code model_type} values this family reads (RoBERTa also reads XLM-R's). */
    List<String> modelTypes();

    /** The encoder architecture from a parsed {@code config.json} of this family, with HF's defaults. */
    EncoderConfig readConfig(JsonNode config, Path file) throws MalformedFileException;

    /**
     * The prefix HF task models, AdapterHub and PEFT put before encoder keys (the model class's
     * {@code base_model_prefix} plus a dot).
     */
    String keyPrefix();

    /** AdapterHub's model class for adapters of this family and {@code modelType}. */
    String adapterModelClass(String modelType);

    /**
     * A checkpoint's tensors under mera's (BERT's) names; {@code weights} have already lost the {@code bert.} /
     * {@code roberta.} prefix and TF-era LayerNorm names ({@link org.mera.io.HfModelDirectory#readWeights}).
     * Tensors the encoder does not use (task heads) keep their names.
     */
    Map<String, Tensor> toEncoderNames(Map<String, Tensor> weights, Path source) throws MalformedFileException;

    /** RoBERTa numbers positions from padding_idx + 1 and skips padding; BERT and DistilBERT count from 0. */
    boolean positionsAfterPadding();

    /** Whether the attention block's output projection is followed by dropout (DistilBERT's is not). */
    boolean attentionOutputDropout();

    /**
     * The module path (without {@link #keyPrefix}) where AdapterHub keeps layer {@code layer}'s bottleneck adapters:
     * after attention ({@code attention}) or after the feed-forward block.
     */
    String bottleneckSite(int layer, boolean attention);

    /**
     * The module path (without {@link #keyPrefix}) of an attention projection in layer {@code layer}, as PEFT names
     * LoRA modules. {@code target} is mera's name ({@code query}, {@code value}) or the family's own.
     */
    String projectionModule(int layer, String target);

    /**
     * The family's own name for an attention projection ({@code query} → {@code q_lin} in DistilBERT), what PEFT's
     * {@code target_modules} must say; an error for a name that is not a query or value projection here.
     */
    String nativeTarget(String target);

    /** mera's name ({@code query}, {@code value}) for one of this family's projection names, or null if it is none. */
    String meraTarget(String target);
}
