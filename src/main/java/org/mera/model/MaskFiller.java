package org.mera.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** Masked-token prediction with an encoder that has BERT's masked-LM head. */
public final class MaskFiller implements AutoCloseable {
    /** One candidate for a masked position, with its probability. */
    public record Guess(String token, double score) {}

    private final BertEncoder encoder;
    private final HuggingFaceTokenizer tokenizer;

    public MaskFiller(BertEncoder encoder, Path tokenizerJson) throws IOException {
        if (encoder.mlmHead() == null) {
            throw new IllegalArgumentException(
                    "this model has no masked-LM head (cls.predictions.*); fill-mask needs one, "
                            + "e.g. --model bert-base-uncased");
        }
        this.encoder = encoder;
        this.tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(tokenizerJson)
                .optAddSpecialTokens(true)
                .build();
    }

    /** The top-k guesses for each [MASK] in the text, in order of appearance. */
    public List<List<Guess>> fill(String text, int k) {
        Encoding e = tokenizer.encode(text);
        String[] tokens = e.getTokens();
        int[] masks = IntStream.range(0, tokens.length)
                .filter(i -> tokens[i].equals("[MASK]") || tokens[i].equals("<mask>"))
                .toArray();
        if (masks.length == 0) {
            throw new IllegalArgumentException("no [MASK] token in: " + text);
        }
        NDManager m = encoder.manager();
        List<List<Guess>> out = new ArrayList<>();
        try (NDScope scope = new NDScope()) {
            Shape s = new Shape(1, tokens.length);
            long[] mask = new long[tokens.length];
            java.util.Arrays.fill(mask, 1);
            NDArray hidden =
                    encoder.forward(m.create(e.getIds(), s), m.create(e.getTypeIds(), s), m.create(mask, s), false);
            for (int pos : masks) {
                float[] probs = encoder.mlmHead()
                        .logits(hidden.get("0, " + pos + ", :"))
                        .softmax(-1)
                        .toFloatArray();
                Integer[] order = IntStream.range(0, probs.length).boxed().toArray(Integer[]::new);
                java.util.Arrays.sort(order, Comparator.comparingDouble(i -> -probs[i]));
                List<Guess> guesses = new ArrayList<>();
                for (int i = 0; i < Math.min(k, order.length); i++) {
                    guesses.add(
                            new Guess(tokenizer.decode(new long[] {order[i]}).trim(), probs[order[i]]));
                }
                out.add(guesses);
            }
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
