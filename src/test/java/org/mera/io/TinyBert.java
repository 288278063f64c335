package org.mera.io;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Random BERT weights of a given size, for format tests. */
final class TinyBert {
    private TinyBert() {}

    static Map<String, Tensor> weights(int vocab, int hidden, int inter, int layers, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("embeddings.word_embeddings.weight", rand(r, vocab, hidden));
        w.put("embeddings.position_embeddings.weight", rand(r, 16, hidden));
        w.put("embeddings.token_type_embeddings.weight", rand(r, 2, hidden));
        w.put("embeddings.LayerNorm.weight", rand(r, hidden));
        w.put("embeddings.LayerNorm.bias", rand(r, hidden));
        for (int i = 0; i < layers; i++) {
            String p = "encoder.layer." + i + ".";
            for (String q : new String[] {
                "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"
            }) {
                w.put(p + q + ".weight", rand(r, hidden, hidden));
                w.put(p + q + ".bias", rand(r, hidden));
            }
            w.put(p + "attention.output.LayerNorm.weight", rand(r, hidden));
            w.put(p + "attention.output.LayerNorm.bias", rand(r, hidden));
            w.put(p + "intermediate.dense.weight", rand(r, inter, hidden));
            w.put(p + "intermediate.dense.bias", rand(r, inter));
            w.put(p + "output.dense.weight", rand(r, hidden, inter));
            w.put(p + "output.dense.bias", rand(r, hidden));
            w.put(p + "output.LayerNorm.weight", rand(r, hidden));
            w.put(p + "output.LayerNorm.bias", rand(r, hidden));
        }
        return w;
    }

    static Tensor rand(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) r.nextGaussian();
        }
        return t;
    }
}
