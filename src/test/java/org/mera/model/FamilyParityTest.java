package org.mera.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RoBERTa, XLM-R (SentencePiece Unigram tokenizer) and DistilBERT (learned and sinusoidal positions) read from local HF
 * directories compute what transformers computes: the tiny random
 * checkpoints and transformers' token ids and last hidden states in src/test/resources/families were made by
 * scripts/oracle/make_family_fixtures.py (no Python at test time).
 */
class FamilyParityTest {
    static Path fixture(String name) {
        try {
            return Path.of(Objects.requireNonNull(FamilyParityTest.class.getResource("/families/" + name), name)
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta-tiny", "xlm-roberta-tiny", "distilbert-tiny", "distilbert-tiny-sinusoidal"})
    void tokensAndHiddenStatesMatchTransformers(String name) throws Exception {
        Path dir = fixture(name);
        JsonNode expected =
                new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        PretrainedModel model = PretrainedModel.load(dir);
        assertEquals(
                name.startsWith("distilbert") ? "distilbert" : "roberta",
                model.config().family().name());
        // the tokenizer as mera's TextEncoder builds it: special tokens added, no padding
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.builder()
                        .optTokenizerPath(model.tokenizerJson())
                        .optAddSpecialTokens(true)
                        .optPadding(false)
                        .optTruncation(false)
                        .build();
                NDManager manager = NDManager.newBaseManager();
                BertEncoder encoder = model.newEncoder(manager)) {
            int cases = 0;
            for (JsonNode c : expected.get("cases")) {
                JsonNode texts = c.get("texts");
                Encoding e = texts.size() == 1
                        ? tok.encode(texts.get(0).asText())
                        : tok.encode(texts.get(0).asText(), texts.get(1).asText());
                long[] ids = e.getIds();
                assertArrayEquals(longs(c.get("ids")), ids, name + ": token ids of " + texts);
                long[] ones = new long[ids.length];
                java.util.Arrays.fill(ones, 1);
                Shape s = new Shape(1, ids.length);
                NDArray out = encoder.forward(
                        manager.create(ids, s), manager.create(e.getTypeIds(), s), manager.create(ones, s), false);
                assertClose(c.get("last_hidden_state"), out.toFloatArray(), null, name + " " + texts);
                cases++;
            }
            assertEquals(5, cases);
            JsonNode batch = expected.get("padded_batch");
            long[][] ids = matrix(batch.get("ids"));
            long[][] mask = matrix(batch.get("mask"));
            int b = ids.length;
            int t = ids[0].length;
            Shape s = new Shape(b, t);
            NDArray out = encoder.forward(
                    manager.create(flat(ids), s),
                    manager.zeros(s, ai.djl.ndarray.types.DataType.INT64),
                    manager.create(flat(mask), s),
                    false);
            assertClose(batch.get("last_hidden_state"), out.toFloatArray(), flat(mask), name + " padded batch");
        }
    }

    /** max |mera - transformers| <= 1e-5 over every (unpadded) position. */
    private static void assertClose(JsonNode expected, float[] actual, long[] mask, String what) {
        java.util.List<Double> want = new java.util.ArrayList<>();
        expected.forEach(row -> collect(row, want));
        assertEquals(want.size(), actual.length, what + ": number of values");
        int h = expected.get(0).isArray() && expected.get(0).get(0).isArray()
                ? expected.get(0).get(0).size()
                : expected.get(0).size();
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            if (mask == null || mask[i / h] == 1) {
                max = Math.max(max, Math.abs(actual[i] - want.get(i)));
            }
        }
        assertTrue(max <= 1e-5, what + ": max |diff| = " + max);
    }

    private static void collect(JsonNode n, java.util.List<Double> out) {
        if (n.isArray()) {
            n.forEach(x -> collect(x, out));
        } else {
            out.add(n.asDouble());
        }
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    private static long[][] matrix(JsonNode a) {
        long[][] out = new long[a.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = longs(a.get(i));
        }
        return out;
    }

    private static long[] flat(long[][] m) {
        return java.util.Arrays.stream(m)
                .flatMapToLong(java.util.Arrays::stream)
                .toArray();
    }
}
