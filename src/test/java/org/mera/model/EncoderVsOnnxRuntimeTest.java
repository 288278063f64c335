package org.mera.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java encoder computes what the original ONNX graph computes, on real sentences and pairs with padding. */
class EncoderVsOnnxRuntimeTest {
    private static final List<String> SENTENCES = List.of(
            "The quick brown fox jumps over the lazy dog.",
            "A man is playing a guitar on stage.",
            "Paris is the capital of France.",
            "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness.");

    @Test
    void minilmMatchesOnnxRuntime() throws Exception {
        compare("minilm");
    }

    @Test
    void bgeSmallMatchesOnnxRuntime() throws Exception {
        compare("bge-small");
    }

    private void compare(String name) throws Exception {
        ModelFixtures.Original original = ModelFixtures.original(name);
        Path dir = ModelFixtures.resolve(name);
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.builder()
                .optTokenizerPath(dir.resolve("tokenizer.json"))
                .optAddSpecialTokens(true)
                .optPadding(false)
                .optTruncation(false)
                .build()) {
            List<Encoding> single = SENTENCES.stream().map(tok::encode).toList();
            List<Encoding> pairs = List.of(
                    tok.encode(SENTENCES.get(0), SENTENCES.get(1)),
                    tok.encode(SENTENCES.get(2), SENTENCES.get(3)),
                    tok.encode("Short one.", "Another short one."));
            for (List<Encoding> batch : List.of(single, pairs)) {
                Padded p = pad(batch);
                float[] java;
                try (NDManager manager = NDManager.newBaseManager();
                        BertEncoder enc = BertEncoder.load(dir, manager)) {
                    Shape s = new Shape(p.b, p.t);
                    NDArray out = enc.forward(
                            manager.create(p.ids, s), manager.create(p.types, s), manager.create(p.mask, s), false);
                    java = out.toFloatArray();
                }
                float[] ort = runOrt(original.onnx(), p);
                int h = java.length / (p.b * p.t);
                double maxCls = 0;
                double maxMean = 0;
                for (int i = 0; i < p.b; i++) {
                    for (int j = 0; j < h; j++) {
                        maxCls = Math.max(maxCls, Math.abs(java[(i * p.t) * h + j] - ort[(i * p.t) * h + j]));
                        double mj = 0;
                        double mo = 0;
                        int n = 0;
                        for (int t = 0; t < p.t; t++) {
                            if (p.mask[i * p.t + t] == 1) {
                                mj += java[(i * p.t + t) * h + j];
                                mo += ort[(i * p.t + t) * h + j];
                                n++;
                            }
                        }
                        maxMean = Math.max(maxMean, Math.abs(mj / n - mo / n));
                    }
                }
                assertTrue(maxCls < 1e-4, name + ": max |cls diff| = " + maxCls);
                assertTrue(maxMean < 1e-4, name + ": max |mean diff| = " + maxMean);
            }
        }
    }

    record Padded(int b, int t, long[] ids, long[] types, long[] mask) {}

    static Padded pad(List<Encoding> batch) {
        int t = batch.stream().mapToInt(e -> e.getIds().length).max().orElseThrow();
        int b = batch.size();
        long[] ids = new long[b * t];
        long[] types = new long[b * t];
        long[] mask = new long[b * t];
        for (int i = 0; i < b; i++) {
            Encoding e = batch.get(i);
            for (int j = 0; j < e.getIds().length; j++) {
                ids[i * t + j] = e.getIds()[j];
                types[i * t + j] = e.getTypeIds()[j];
                mask[i * t + j] = 1;
            }
        }
        return new Padded(b, t, ids, types, mask);
    }

    static float[] runOrt(Path onnx, Padded p) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            for (String in : session.getInputNames()) {
                long[] v = switch (in) {
                    case "input_ids" -> p.ids;
                    case "attention_mask" -> p.mask;
                    case "token_type_ids" -> p.types;
                    default -> throw new IllegalStateException("unexpected ONNX input " + in);
                };
                inputs.put(in, OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(v), new long[] {p.b, p.t}));
            }
            try (OrtSession.Result r = session.run(inputs)) {
                float[][][] out = (float[][][]) r.get(0).getValue();
                float[] flat = new float[p.b * p.t * out[0][0].length];
                int k = 0;
                for (float[][] a : out) {
                    for (float[] row : a) {
                        System.arraycopy(row, 0, flat, k, row.length);
                        k += row.length;
                    }
                }
                return flat;
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }
}
