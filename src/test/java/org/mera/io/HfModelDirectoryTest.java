package org.mera.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfModelDirectoryTest {
    @TempDir
    Path tmp;

    private static final String TOKENIZER = "{\"version\":\"1.0\"}";

    @Test
    void writesConfigWeightsAndTokenizerThatReadBack() throws IOException {
        Map<String, Tensor> w = TinyBert.weights(11, 8, 12, 2, 1);
        BertConfig config = BertConfig.bert(BertShapes.check(w, tmp), 2, false, true);
        Path dir = tmp.resolve("models/tiny");
        HfModelDirectory.write(dir, config, w, TOKENIZER);

        assertTrue(HfModelDirectory.isComplete(dir));
        BertConfig back = BertConfig.read(dir.resolve("config.json"));
        assertEquals(config, back);
        assertEquals(List.of("BertModel"), back.architectures());
        assertEquals(11, back.vocabSize());
        assertEquals(2, back.numHiddenLayers());
        assertEquals(12, back.intermediateSize());
        assertEquals(16, back.maxPositionEmbeddings());
        SafeTensors.Contents contents = SafeTensors.read(dir.resolve("model.safetensors"));
        assertEquals(w.keySet(), contents.tensors().keySet());
        assertArrayEquals(
                w.get("encoder.layer.1.output.dense.weight").data(),
                contents.tensors().get("encoder.layer.1.output.dense.weight").data());
        assertEquals("pt", contents.metadata().get("format"));
        assertEquals(TOKENIZER, Files.readString(dir.resolve("tokenizer.json")));
        // no temporary directories are left beside it
        try (var siblings = Files.list(dir.getParent())) {
            assertEquals(List.of(dir), siblings.toList());
        }
    }

    @Test
    void replacesAnExistingDirectory() throws IOException {
        Path dir = tmp.resolve("m");
        Map<String, Tensor> a = TinyBert.weights(11, 8, 12, 1, 1);
        HfModelDirectory.write(dir, BertConfig.bert(BertShapes.check(a, tmp), 2, false, null), a, TOKENIZER);
        Map<String, Tensor> b = TinyBert.weights(11, 8, 12, 3, 2);
        HfModelDirectory.write(dir, BertConfig.bert(BertShapes.check(b, tmp), 4, false, null), b, TOKENIZER);
        assertEquals(3, BertConfig.read(dir.resolve("config.json")).numHiddenLayers());
        assertEquals(4, BertConfig.read(dir.resolve("config.json")).numAttentionHeads());
        try (var siblings = Files.list(tmp)) {
            assertEquals(List.of(dir), siblings.toList());
        }
    }

    @Test
    void configDisagreeingWithWeightsWritesNothing() throws IOException {
        Map<String, Tensor> w = TinyBert.weights(11, 8, 12, 2, 1);
        BertConfig wrong = BertConfig.bert(BertShapes.check(TinyBert.weights(11, 8, 12, 3, 1), tmp), 2, false, null);
        Path dir = tmp.resolve("bad");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> HfModelDirectory.write(dir, wrong, w, TOKENIZER));
        assertTrue(e.getMessage().contains("num_hidden_layers"), e.getMessage());
        assertFalse(Files.exists(dir));
    }

    @Test
    void missingTensorIsNamed() {
        Map<String, Tensor> w = new java.util.LinkedHashMap<>(TinyBert.weights(11, 8, 12, 2, 1));
        w.remove("encoder.layer.1.attention.self.value.bias");
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> BertShapes.check(w, tmp));
        assertTrue(e.getMessage().contains("encoder.layer.1.attention.self.value.bias"), e.getMessage());
    }

    @Test
    void headsMustDivideHidden() {
        Map<String, Tensor> w = TinyBert.weights(11, 8, 12, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> BertConfig.bert(BertShapes.check(w, tmp), 3, false, null));
    }

    @Test
    void configReaderRejectsOtherModelTypesAndBadJson() throws IOException {
        Path c = tmp.resolve("config.json");
        Files.writeString(c, "{\"model_type\": \"gpt2\", \"vocab_size\": 5}");
        assertTrue(assertThrows(MalformedFileException.class, () -> BertConfig.read(c))
                .getMessage()
                .contains("gpt2"));
        Files.writeString(c, "{\"model_type\": \"bert\", ");
        assertTrue(assertThrows(MalformedFileException.class, () -> BertConfig.read(c))
                .getMessage()
                .contains("invalid JSON"));
        Files.writeString(
                c,
                "{\"model_type\": \"roberta\", \"vocab_size\": 50265, \"max_position_embeddings\": 514,"
                        + " \"type_vocab_size\": 1, \"layer_norm_eps\": 1e-05}");
        BertConfig r = BertConfig.read(c);
        assertEquals(1, r.padTokenId());
        assertEquals(514, r.maxPositionEmbeddings());
    }
}
