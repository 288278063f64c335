package org.mera.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxBertWeightsTest {
    @TempDir
    Path tmp;

    @Test
    void realMiniLmWeightsReproduceOnnxRuntimeOutput() throws Exception {
        Path onnx = TestModels.minilmOnnx();
        Map<String, Tensor> w = OnnxBertWeights.read(onnx);
        BertShapes.Dimensions dims = BertShapes.check(w, onnx);
        assertEquals(new BertShapes.Dimensions(30522, 384, 6, 1536, 512, 2, false), dims);
        assertArrayEquals(
                new int[] {1536, 384},
                w.get("encoder.layer.0.intermediate.dense.weight").shape());
        assertArrayEquals(
                new int[] {384, 1536},
                w.get("encoder.layer.5.output.dense.weight").shape());
        assertFalse(w.containsKey("embeddings.position_ids"));
        assertEquals("embeddings.word_embeddings.weight", w.keySet().iterator().next());

        // [CLS] hello world , paris [SEP]: the converted weights must compute what the ONNX graph computes,
        // which fails if any MatMul weight were mapped to the wrong Linear or left untransposed.
        long[] ids = {101, 7592, 2088, 1010, 3000, 102};
        float[][] expected = runOnnx(onnx, ids);
        float[][] actual = ReferenceBert.lastHiddenState(
                w, Arrays.stream(ids).mapToInt(v -> (int) v).toArray(), 12, 1e-12f);
        double maxDiff = 0;
        for (int t = 0; t < ids.length; t++) {
            for (int j = 0; j < 384; j++) {
                maxDiff = Math.max(maxDiff, Math.abs(expected[t][j] - actual[t][j]));
            }
        }
        assertTrue(maxDiff < 1e-3, "max |java - onnxruntime| = " + maxDiff);
    }

    private static float[][] runOnnx(Path onnx, long[] ids) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            long[] mask = new long[ids.length];
            Arrays.fill(mask, 1);
            for (String name : session.getInputNames()) {
                long[] values = switch (name) {
                    case "input_ids" -> ids;
                    case "attention_mask" -> mask;
                    case "token_type_ids" -> new long[ids.length];
                    default -> throw new IllegalStateException("unexpected ONNX input " + name);
                };
                inputs.put(name, OnnxTensor.createTensor(env, new long[][] {values}));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                float[][][] out = (float[][][]) result.get(0).getValue();
                return out[0];
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }

    // ---- synthetic files: a one-layer BERT with hidden 2, intermediate 3, vocab 5 ----

    private static final int H = 2;
    private static final int I = 3;

    /** An ONNX initializer with raw little-endian float32 data. */
    private static ProtoWriter floatTensor(String name, float[] data, long... dims) {
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, 1).string(8, name).bytes(9, ProtoWriter.floatsLE(data));
    }

    private static float[] seq(int n, float start) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i;
        }
        return v;
    }

    private static ProtoWriter matMul(String nodeName, String input, String weight) {
        return new ProtoWriter()
                .string(1, input)
                .string(1, weight)
                .string(2, nodeName + "_output_0")
                .string(3, nodeName)
                .string(4, "MatMul");
    }

    /** A graph in the langchain4j export style; {@code tweak} may change it before it is wrapped in a model. */
    private static ProtoWriter tinyGraph(boolean withQueryConsumer, int intermediateRows) {
        ProtoWriter g = new ProtoWriter();
        String[] linears = {
            "attention/self/query",
            "attention/self/key",
            "attention/self/value",
            "attention/output/dense",
            "intermediate/dense",
            "output/dense"
        };
        int[][] inOut = {{H, H}, {H, H}, {H, H}, {H, H}, {H, I}, {I, H}};
        for (int k = 0; k < linears.length; k++) {
            if (k == 0 && !withQueryConsumer) {
                continue;
            }
            g.message(1, matMul("/encoder/layer.0/" + linears[k] + "/MatMul", "x" + k, "onnx::MatMul_" + (900 - k)));
        }
        g.message(5, floatTensor("embeddings.word_embeddings.weight", seq(5 * H, 0), 5, H));
        g.message(5, floatTensor("embeddings.position_embeddings.weight", seq(4 * H, 0), 4, H));
        g.message(5, floatTensor("embeddings.token_type_embeddings.weight", seq(2 * H, 0), 2, H));
        // int64 buffer that must be skipped
        g.message(
                5,
                new ProtoWriter()
                        .varint(1, 1)
                        .varint(1, 4)
                        .varint(2, 7)
                        .string(8, "embeddings.position_ids")
                        .bytes(9, new byte[32]));
        for (String ln : new String[] {
            "embeddings.LayerNorm", "encoder.layer.0.attention.output.LayerNorm", "encoder.layer.0.output.LayerNorm"
        }) {
            g.message(5, floatTensor(ln + ".weight", seq(H, 1), H));
            g.message(5, floatTensor(ln + ".bias", seq(H, 0), H));
        }
        String[] biasNames = {
            "attention.self.query",
            "attention.self.key",
            "attention.self.value",
            "attention.output.dense",
            "intermediate.dense",
            "output.dense"
        };
        for (int k = 0; k < linears.length; k++) {
            g.message(5, floatTensor("encoder.layer.0." + biasNames[k] + ".bias", seq(inOut[k][1], 0), inOut[k][1]));
            int rows = k == 4 ? intermediateRows : inOut[k][0];
            g.message(5, floatTensor("onnx::MatMul_" + (900 - k), seq(rows * inOut[k][1], 10 * k), rows, inOut[k][1]));
        }
        // a shape constant, which is neither a weight nor an error
        g.message(
                5,
                new ProtoWriter()
                        .varint(1, 1)
                        .varint(2, 7)
                        .string(8, "/Constant_output_0")
                        .bytes(9, new byte[8]));
        return g;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static byte[] model(ProtoWriter graph) {
        return new ProtoWriter()
                .varint(1, 8)
                .string(2, "test")
                .message(7, graph)
                .toByteArray();
    }

    @Test
    void syntheticExportIsMappedByConsumerNameAndTransposed() throws IOException {
        Map<String, Tensor> w = OnnxBertWeights.read(write("tiny.onnx", model(tinyGraph(true, H))));
        // onnx::MatMul_896 is the intermediate weight stored [in=2, out=3] with values 40..45
        Tensor inter = w.get("encoder.layer.0.intermediate.dense.weight");
        assertArrayEquals(new int[] {I, H}, inter.shape());
        assertArrayEquals(new float[] {40, 43, 41, 44, 42, 45}, inter.data());
        assertArrayEquals(
                new float[] {0, 2, 1, 3},
                w.get("encoder.layer.0.attention.self.query.weight").data());
        assertArrayEquals(
                new float[] {50, 52, 54, 51, 53, 55},
                w.get("encoder.layer.0.output.dense.weight").data());
        assertEquals(16 + 5, w.size());
    }

    @Test
    void float16AndFloatDataInitializersAreDecoded() throws IOException {
        ProtoWriter g = tinyGraph(true, H);
        // a second copy would be a duplicate; so build the pooler with float16 raw data and packed float_data
        ByteBuffer half = ByteBuffer.allocate(2 * H * H).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : new short[] {0x3c00, (short) 0xc000, 0x3800, 0x0001}) { // 1, -2, 0.5, 2^-24
            half.putShort(s);
        }
        g.message(
                5,
                new ProtoWriter()
                        .varint(1, H)
                        .varint(1, H)
                        .varint(2, 10)
                        .string(8, "pooler.dense.weight")
                        .bytes(9, half.array()));
        g.message(
                5,
                new ProtoWriter()
                        .varint(1, H)
                        .varint(2, 1)
                        .bytes(4, ProtoWriter.floatsLE(new float[] {7, 8}))
                        .string(8, "pooler.dense.bias"));
        Map<String, Tensor> w = OnnxBertWeights.read(write("pooler.onnx", model(g)));
        assertArrayEquals(
                new float[] {1, -2, 0.5f, 0x1p-24f},
                w.get("pooler.dense.weight").data());
        assertArrayEquals(new float[] {7, 8}, w.get("pooler.dense.bias").data());
    }

    @Test
    void truncatedFileIsRejectedNamingTheFile() throws IOException {
        byte[] full = model(tinyGraph(true, H));
        Path p = write("truncated.onnx", Arrays.copyOf(full, full.length - 7));
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> OnnxBertWeights.read(p));
        assertTrue(e.getMessage().contains("truncated.onnx"), e.getMessage());
        assertTrue(e.getMessage().contains("remain") || e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void linearWeightWithoutMatMulConsumerIsRejected() throws IOException {
        Path p = write("orphan.onnx", model(tinyGraph(false, H)));
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> OnnxBertWeights.read(p));
        assertTrue(e.getMessage().contains("onnx::MatMul_900") && e.getMessage().contains("no MatMul"), e.getMessage());
    }

    @Test
    void wrongShapeIsRejectedNamingTheTensor() throws IOException {
        // intermediate weight stored as [3, 3] instead of [2, 3]: after transposing it is [3, 3], not [3, 2]
        Path p = write("shape.onnx", model(tinyGraph(true, I)));
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> OnnxBertWeights.read(p));
        assertTrue(
                e.getMessage().contains("encoder.layer.0.intermediate.dense.weight")
                        && e.getMessage().contains("[3, 3]"),
                e.getMessage());
    }

    @Test
    void rawDataOfWrongLengthIsRejected() throws IOException {
        ProtoWriter g = tinyGraph(true, H);
        g.message(
                5,
                new ProtoWriter()
                        .varint(1, H)
                        .varint(2, 1)
                        .string(8, "pooler.dense.bias")
                        .bytes(9, new byte[5]));
        Path p = write("short.onnx", model(g));
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> OnnxBertWeights.read(p));
        assertTrue(
                e.getMessage().contains("pooler.dense.bias") && e.getMessage().contains("raw_data"), e.getMessage());
    }

    @Test
    void fileWithoutGraphIsRejected() throws IOException {
        Path p = write("nograph.onnx", new ProtoWriter().varint(1, 8).toByteArray());
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> OnnxBertWeights.read(p));
        assertTrue(e.getMessage().contains("no graph"), e.getMessage());
    }
}
