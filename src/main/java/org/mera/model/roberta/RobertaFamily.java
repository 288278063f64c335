package org.mera.model.roberta;

import java.util.List;
import org.mera.model.bert.BertFamily;

/**
 * RoBERTa and XLM-RoBERTa: BERT's layers and parameter names under the {@code roberta.} prefix (XLM-R's model
 * class keeps it), positions counted from {@code padding_idx + 1} over real tokens only, one token type.
 * Their byte-level BPE (RoBERTa) or SentencePiece (XLM-R) tokenizer.json gives no second segment id.
 */
public final class RobertaFamily extends BertFamily {
    @Override
    public String name() {
        return "roberta";
    }

    @Override
    public List<String> modelTypes() {
        return List.of("roberta", "xlm-roberta");
    }

    @Override
    protected int defaultPadId() {
        return 1;
    }

    @Override
    public String keyPrefix() {
        return "roberta.";
    }

    @Override
    public String adapterModelClass(String modelType) {
        return modelType.equals("xlm-roberta") ? "XLMRobertaAdapterModel" : "RobertaAdapterModel";
    }

    @Override
    public boolean positionsAfterPadding() {
        return true;
    }
}
