package org.mera.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.cli.ModelsCommand;
import org.mera.model.ModelCatalog;
import picocli.CommandLine;

/**
 * Real models fetched the way a user fetches them, through the catalog and its cache ($MERA_HOME or
 * ~/.cache/mera), so conversions happen once per machine, not once per test run.
 */
class ModelCatalogTest {
    @TempDir
    Path tmp;

    @Test
    void minilmConvertsToACompleteHfDirectory() throws Exception {
        Path dir = ModelCatalog.fromEnvironment().resolve("minilm");
        assertTrue(HfModelDirectory.isComplete(dir));
        BertConfig config = BertConfig.read(dir.resolve("config.json"));
        assertEquals("bert", config.modelType());
        assertEquals(List.of("BertModel"), config.architectures());
        assertEquals(30522, config.vocabSize());
        assertEquals(384, config.hiddenSize());
        assertEquals(6, config.numHiddenLayers());
        assertEquals(12, config.numAttentionHeads());
        assertEquals(1536, config.intermediateSize());
        assertEquals(512, config.maxPositionEmbeddings());
        assertTrue(config.doLowerCase());
        assertTrue(HfModelDirectory.isCurrent(dir));
        assertTrue(Files.readString(dir.resolve("tokenizer_config.json")).contains("\"model_max_length\" : 512"));
        assertEquals("[PAD]", Files.readAllLines(dir.resolve("vocab.txt")).get(0));

        Map<String, Tensor> w =
                SafeTensors.read(dir.resolve("model.safetensors")).tensors();
        assertEquals(5 + 6 * 16, w.size());
        assertArrayEquals(
                new int[] {30522, 384},
                w.get("embeddings.word_embeddings.weight").shape());
        assertArrayEquals(
                new int[] {1536, 384},
                w.get("encoder.layer.3.intermediate.dense.weight").shape());
        assertArrayEquals(
                new int[] {384, 1536},
                w.get("encoder.layer.3.output.dense.weight").shape());
        // the stored weights are exactly the ONNX ones
        Map<String, Tensor> onnx = OnnxBertWeights.read(TestModels.minilmOnnx());
        assertArrayEquals(
                onnx.get("encoder.layer.2.attention.self.value.weight").data(),
                w.get("encoder.layer.2.attention.self.value.weight").data());

        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"))) {
            Encoding e = tok.encode("Hello world");
            assertArrayEquals(new String[] {"[CLS]", "hello", "world", "[SEP]"}, e.getTokens());
            assertArrayEquals(new long[] {101, 7592, 2088, 102}, e.getIds());
        }
        assertEquals(dir, ModelCatalog.fromEnvironment().resolve("minilm"), "second resolve hits the cache");
    }

    @Test
    void bertBaseUncasedFromTensorFlowHasEncoderAndMaskedLmHead() throws Exception {
        Path dir = ModelCatalog.fromEnvironment().resolve("bert-base-uncased");
        BertConfig config = BertConfig.read(dir.resolve("config.json"));
        assertEquals(List.of("BertForMaskedLM"), config.architectures());
        assertEquals(768, config.hiddenSize());
        assertEquals(12, config.numHiddenLayers());
        assertEquals(3072, config.intermediateSize());
        // stored as BertForMaskedLM saves it (issue 24): bert.-prefixed encoder plus cls.…
        for (String k :
                SafeTensors.read(dir.resolve("model.safetensors")).tensors().keySet()) {
            assertTrue(k.startsWith("bert.") || k.startsWith("cls."), k);
        }
        assertTrue(Files.readString(dir.resolve("tokenizer_config.json")).contains("\"model_max_length\" : 512"));
        Map<String, Tensor> w = HfModelDirectory.readWeights(dir);
        assertArrayEquals(
                new int[] {30522, 768},
                w.get("embeddings.word_embeddings.weight").shape());
        assertArrayEquals(
                new int[] {3072, 768},
                w.get("encoder.layer.11.intermediate.dense.weight").shape());
        assertArrayEquals(
                new int[] {768, 3072},
                w.get("encoder.layer.11.output.dense.weight").shape());
        assertArrayEquals(new int[] {768, 768}, w.get("pooler.dense.weight").shape());
        assertArrayEquals(
                new int[] {768, 768},
                w.get("cls.predictions.transform.dense.weight").shape());
        assertArrayEquals(
                new int[] {768},
                w.get("cls.predictions.transform.LayerNorm.weight").shape());
        assertArrayEquals(new int[] {30522}, w.get("cls.predictions.bias").shape());
        assertEquals(5 + 12 * 16 + 2 + 5, w.size());
        // LayerNorm gammas of a trained BERT sit near 1, betas near 0: a swapped gamma/beta would fail this
        float[] gamma = w.get("encoder.layer.5.output.LayerNorm.weight").data();
        double mean = 0;
        for (float g : gamma) {
            mean += g / gamma.length;
        }
        assertTrue(mean > 0.5 && mean < 1.5, "mean LayerNorm gamma " + mean);

        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"))) {
            Encoding e = tok.encode("The capital of France is [MASK].");
            assertEquals(
                    List.of("[CLS]", "the", "capital", "of", "france", "is", "[MASK]", ".", "[SEP]"),
                    Arrays.asList(e.getTokens()));
            assertEquals(103, e.getIds()[6]);
            Encoding pair = tok.encode("Café au lait", "Naïve");
            assertEquals(
                    List.of("[CLS]", "cafe", "au", "lai", "##t", "[SEP]", "naive", "[SEP]"),
                    Arrays.asList(pair.getTokens()));
            assertArrayEquals(new long[] {0, 0, 0, 0, 0, 0, 1, 1}, pair.getTypeIds());
        }
    }

    @Test
    void localDirectoryResolvesToItselfAndIncompleteOneIsRejected() throws IOException {
        ModelCatalog catalog = new ModelCatalog(tmp.resolve("cache"), MavenArtifacts.fromEnvironment());
        Map<String, Tensor> w = TinyBert.weights(11, 8, 12, 1, 3);
        Path dir = tmp.resolve("local");
        HfModelDirectory.write(dir, BertConfig.bert(BertShapes.check(w, dir), 2, false, true), w, "{}");
        assertEquals(dir, catalog.resolve(dir.toString()));
        Files.delete(dir.resolve("tokenizer.json"));
        IOException e = assertThrows(IOException.class, () -> catalog.resolve(dir.toString()));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
        IOException unknown = assertThrows(IOException.class, () -> catalog.resolve("no-such-model"));
        assertTrue(unknown.getMessage().contains("no-such-model")
                && unknown.getMessage().contains("minilm"));
    }

    @Test
    void modelsCommandListsTheCatalog() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new ModelsCommand()).execute("--cache", tmp.toString());
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code);
        String out = buf.toString(StandardCharsets.UTF_8);
        for (ModelCatalog.Entry e : ModelCatalog.entries()) {
            assertTrue(out.contains(e.name()) && out.contains(e.coordinates()), out);
        }
        assertTrue(out.contains(" no "), "an empty cache lists nothing as cached: " + out);
    }
}
