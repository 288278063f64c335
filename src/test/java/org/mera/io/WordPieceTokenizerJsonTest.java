package org.mera.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated tokenizer.json loaded by the real HF tokenizers library (through DJL). */
class WordPieceTokenizerJsonTest {
    @TempDir
    Path tmp;

    private static final List<String> VOCAB = List.of(
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "capital", "of", "france", "is", ".", "play", "##ing",
            "cafe", "Cafe", "的", "Paris");

    private HuggingFaceTokenizer load(boolean lowercase) throws IOException {
        Path p = tmp.resolve((lowercase ? "uncased" : "cased") + "-tokenizer.json");
        Files.writeString(p, WordPieceTokenizerJson.build(VOCAB, lowercase));
        return HuggingFaceTokenizer.newInstance(p);
    }

    @Test
    void uncasedTokenizesLikeBertTokenizerFast() throws IOException {
        try (HuggingFaceTokenizer tok = load(true)) {
            Encoding e = tok.encode("The capital of FRANCE is [MASK].");
            assertEquals(
                    List.of("[CLS]", "the", "capital", "of", "france", "is", "[MASK]", ".", "[SEP]"),
                    Arrays.asList(e.getTokens()));
            assertArrayEquals(new long[] {2, 5, 6, 7, 8, 9, 4, 10, 3}, e.getIds());
            // accents stripped, word pieces, unknown words, CJK characters split out
            Encoding f = tok.encode("Café playing zebra的");
            assertEquals(
                    List.of("[CLS]", "cafe", "play", "##ing", "[UNK]", "的", "[SEP]"), Arrays.asList(f.getTokens()));
            Encoding pair = tok.encode("the capital", "is paris");
            assertEquals(
                    List.of("[CLS]", "the", "capital", "[SEP]", "is", "[UNK]", "[SEP]"),
                    Arrays.asList(pair.getTokens()));
            assertArrayEquals(new long[] {0, 0, 0, 0, 1, 1, 1}, pair.getTypeIds());
            assertEquals("the capital of france is.", tok.decode(new long[] {2, 5, 6, 7, 8, 9, 10, 3}, true));
        }
    }

    @Test
    void casedKeepsCaseAndAccents() throws IOException {
        try (HuggingFaceTokenizer tok = load(false)) {
            assertEquals(
                    List.of("[CLS]", "Cafe", "[UNK]", "Paris", "[SEP]"),
                    Arrays.asList(tok.encode("Cafe Café Paris").getTokens()));
        }
    }

    @Test
    void rejectsVocabWithoutSpecialTokensOrWithDuplicates() {
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> WordPieceTokenizerJson.build(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "a"), true));
        assertTrue(missing.getMessage().contains("[MASK]"));
        IllegalArgumentException dup = assertThrows(
                IllegalArgumentException.class,
                () -> WordPieceTokenizerJson.build(
                        List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "a"), true));
        assertTrue(dup.getMessage().contains("'a'") && dup.getMessage().contains("lines 6 and 7"), dup.getMessage());
    }
}
