package org.mera.model;

import ai.djl.huggingface.tokenizers.Encoding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.mera.data.Batch;

/** Real encoders and hand-made batches for tests in other packages. */
public final class TestEncoders {
    private TestEncoders() {}

    public static Path minilm() throws IOException {
        return ModelFixtures.resolve("minilm");
    }

    /** One batch of single sentences with their labels, tokenized as minilm tokenizes them. */
    public static Batch sentences(int[] labels, String... texts) throws IOException {
        try (ai.djl.huggingface.tokenizers.HuggingFaceTokenizer tok =
                ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.builder()
                        .optTokenizerPath(minilm().resolve("tokenizer.json"))
                        .build()) {
            return batch(java.util.Arrays.stream(texts).map(tok::encode).toList(), labels);
        }
    }

    public static Batch batch(List<Encoding> encodings, int[] labels) {
        EncoderVsOnnxRuntimeTest.Padded p = EncoderVsOnnxRuntimeTest.pad(encodings);
        int[] idx = new int[p.b()];
        float[] targets = new float[p.b()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
            targets[i] = labels[i];
        }
        return new Batch(p.b(), p.t(), p.ids(), p.types(), p.mask(), labels, targets, idx);
    }
}
