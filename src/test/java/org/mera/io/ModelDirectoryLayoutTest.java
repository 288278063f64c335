package org.mera.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.model.ModelCatalog;

/**
 * Issue 24: model directories are written as transformers' save_pretrained writes the matching class, every
 * layout transformers writes is read, and directories an older mera wrote are migrated on use.
 */
class ModelDirectoryLayoutTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VOCAB =
            List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "##s");

    @TempDir
    Path tmp;

    /** TinyBert weights plus BERT's masked-LM head, under mera's in-memory names. */
    static Map<String, Tensor> withMlmHead(Map<String, Tensor> encoder, int vocab, int hidden) {
        Random r = new Random(7);
        Map<String, Tensor> w = new LinkedHashMap<>(encoder);
        w.put("pooler.dense.weight", TinyBert.rand(r, hidden, hidden));
        w.put("pooler.dense.bias", TinyBert.rand(r, hidden));
        w.put("cls.predictions.transform.dense.weight", TinyBert.rand(r, hidden, hidden));
        w.put("cls.predictions.transform.dense.bias", TinyBert.rand(r, hidden));
        w.put("cls.predictions.transform.LayerNorm.weight", TinyBert.rand(r, hidden));
        w.put("cls.predictions.transform.LayerNorm.bias", TinyBert.rand(r, hidden));
        w.put("cls.predictions.bias", TinyBert.rand(r, vocab));
        return w;
    }

    private static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(actual.keySet()));
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).shape(), actual.get(k).shape(), k);
            assertArrayEquals(expected.get(k).data(), actual.get(k).data(), k);
        }
    }

    @Test
    void maskedLmModelIsWrittenAsBertForMaskedLmWithACompleteTokenizer() throws IOException {
        Map<String, Tensor> w = withMlmHead(TinyBert.weights(11, 8, 12, 2, 1), 11, 8);
        Path dir = tmp.resolve("mlm");
        HfModelDirectory.write(
                dir,
                BertConfig.bert(BertShapes.check(w, tmp), 2, true, true),
                w,
                WordPieceTokenizerJson.build(VOCAB, true));

        Set<String> stored =
                SafeTensors.read(dir.resolve("model.safetensors")).tensors().keySet();
        for (String k : stored) {
            assertTrue(k.startsWith("bert.") || k.startsWith("cls."), "BertForMaskedLM key expected, got " + k);
        }
        assertTrue(stored.contains("bert.embeddings.word_embeddings.weight"));
        assertTrue(stored.contains("bert.encoder.layer.1.output.LayerNorm.bias"));
        assertTrue(stored.contains("bert.pooler.dense.weight"));
        assertTrue(stored.contains("cls.predictions.transform.dense.weight"));
        assertTrue(stored.contains("cls.predictions.bias"));
        assertEquals(
                List.of("BertForMaskedLM"),
                BertConfig.read(dir.resolve("config.json")).architectures());

        JsonNode tc = JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        assertEquals(16, tc.get("model_max_length").asInt(), "model_max_length from max_position_embeddings");
        assertEquals("BertTokenizer", tc.get("tokenizer_class").asText());
        assertTrue(tc.get("do_lower_case").asBoolean());
        assertEquals("[MASK]", tc.get("mask_token").asText());
        assertEquals(
                "[PAD]",
                tc.path("added_tokens_decoder").path("0").path("content").asText());
        assertTrue(tc.path("added_tokens_decoder").path("4").path("special").asBoolean());
        JsonNode map = JSON.readTree(dir.resolve("special_tokens_map.json").toFile());
        assertEquals("[CLS]", map.get("cls_token").asText());
        assertEquals(VOCAB, Files.readAllLines(dir.resolve("vocab.txt")));
        assertEquals(HfModelDirectory.LAYOUT_VERSION, HfModelDirectory.layoutVersion(dir));
        assertTrue(HfModelDirectory.isCurrent(dir));

        // mera reads it back under its own names
        assertSameTensors(w, HfModelDirectory.readWeights(dir));
    }

    @Test
    void encoderWithoutHeadIsWrittenAsBertModelEvenFromAMaskedLmConfig() throws IOException {
        Map<String, Tensor> w = TinyBert.weights(11, 8, 12, 1, 2);
        Path dir = tmp.resolve("enc");
        // a fine-tuned encoder saved with its base model's (BertForMaskedLM) config
        HfModelDirectory.write(
                dir,
                BertConfig.bert(BertShapes.check(w, tmp), 2, true, false),
                w,
                WordPieceTokenizerJson.build(VOCAB, false));
        assertEquals(
                w.keySet(),
                SafeTensors.read(dir.resolve("model.safetensors")).tensors().keySet());
        assertEquals(
                List.of("BertModel"),
                BertConfig.read(dir.resolve("config.json")).architectures());
        assertFalse(JSON.readTree(dir.resolve("tokenizer_config.json").toFile())
                .get("do_lower_case")
                .asBoolean());
    }

    @Test
    void readsPrefixedGammaBetaAndShardedLayouts() throws IOException {
        Map<String, Tensor> w = withMlmHead(TinyBert.weights(11, 8, 12, 2, 3), 11, 8);
        // an old TF-converted checkpoint: bert. prefix, LayerNorm gamma/beta, split over two shards with an index
        Map<String, Tensor> shard1 = new LinkedHashMap<>();
        Map<String, Tensor> shard2 = new LinkedHashMap<>();
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        int i = 0;
        for (Map.Entry<String, Tensor> e : w.entrySet()) {
            String k = e.getKey().startsWith("cls.") ? e.getKey() : "bert." + e.getKey();
            k = k.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta");
            String shard = i++ % 2 == 0 ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
            (i % 2 == 1 ? shard1 : shard2).put(k, e.getValue());
            index.append(i > 1 ? ", " : "")
                    .append('"')
                    .append(k)
                    .append("\": \"")
                    .append(shard)
                    .append('"');
        }
        index.append("}}");
        shard1.put("bert.embeddings.position_ids", new Tensor(new float[16], 1, 16));
        Path dir = tmp.resolve("sharded");
        Files.createDirectories(dir);
        SafeTensors.write(dir.resolve("model-00001-of-00002.safetensors"), shard1, Map.of("format", "pt"));
        SafeTensors.write(dir.resolve("model-00002-of-00002.safetensors"), shard2, Map.of("format", "pt"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
        Files.writeString(
                dir.resolve("config.json"),
                BertConfig.bert(BertShapes.check(w, tmp), 2, true, true).toJson());
        Files.writeString(dir.resolve("tokenizer.json"), WordPieceTokenizerJson.build(VOCAB, true));

        assertTrue(HfModelDirectory.isComplete(dir));
        assertSameTensors(w, HfModelDirectory.readWeights(dir));

        // an index naming a shard that does not hold the tensor is refused by name
        Files.writeString(
                dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"bert.pooler.dense.bias\": \"model-00001-of-00002.safetensors\","
                        + " \"cls.nothing\": \"model-00002-of-00002.safetensors\"}}");
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> HfModelDirectory.readWeights(dir));
        assertTrue(e.getMessage().contains("cls.nothing"), e.getMessage());
    }

    @Test
    void catalogDirectoryInTheOldLayoutIsMigratedOnUse() throws IOException {
        // what mera wrote before layout 2: bare encoder keys mixed with cls.…, no tokenizer_config.json, no marker
        Map<String, Tensor> w = withMlmHead(TinyBert.weights(11, 8, 12, 2, 4), 11, 8);
        Path cache = tmp.resolve("cache");
        Path dir = cache.resolve("models").resolve("bert-base-uncased");
        Files.createDirectories(dir);
        SafeTensors.write(dir.resolve("model.safetensors"), w, Map.of("format", "pt"));
        Files.writeString(
                dir.resolve("config.json"),
                BertConfig.bert(BertShapes.check(w, tmp), 2, true, true).toJson());
        String tokenizer = WordPieceTokenizerJson.build(VOCAB, true);
        Files.writeString(dir.resolve("tokenizer.json"), tokenizer);
        assertEquals(1, HfModelDirectory.layoutVersion(dir));
        assertFalse(HfModelDirectory.isCurrent(dir));

        // no Maven repository is reachable: the migration must come from the directory's own files
        ModelCatalog catalog = new ModelCatalog(
                cache, new MavenArtifacts(tmp.resolve("no-m2"), "http://127.0.0.1:9/none", System.err));
        assertEquals(dir, catalog.resolve("bert-base-uncased"));

        assertTrue(HfModelDirectory.isCurrent(dir));
        assertTrue(Files.isRegularFile(dir.resolve("tokenizer_config.json")));
        assertTrue(SafeTensors.read(dir.resolve("model.safetensors"))
                .tensors()
                .containsKey("bert.encoder.layer.0.output.dense.weight"));
        assertEquals(tokenizer, Files.readString(dir.resolve("tokenizer.json")));
        assertSameTensors(w, HfModelDirectory.readWeights(dir));
        try (var siblings = Files.list(dir.getParent())) {
            assertEquals(
                    List.of(dir),
                    siblings.filter(p -> !p.getFileName().toString().endsWith(".lock"))
                            .toList(),
                    "no temporary directory is left");
        }
    }

    @Test
    void unreadableMarkerIsNamed() throws IOException {
        Path dir = tmp.resolve("m");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(HfModelDirectory.LAYOUT_MARKER), "{\"layout\": 2}");
        MalformedFileException e =
                assertThrows(MalformedFileException.class, () -> HfModelDirectory.layoutVersion(dir));
        assertTrue(e.getMessage().contains("layout_version"), e.getMessage());
    }
}
