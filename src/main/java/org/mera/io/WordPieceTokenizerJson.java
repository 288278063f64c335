package org.mera.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A HuggingFace {@code tokenizer.json} for a model that ships only a WordPiece {@code vocab.txt} (Google's BERT),
 * equivalent to what {@code BertTokenizerFast} saves: BertNormalizer, BertPreTokenizer, WordPiece model,
 * [CLS]/[SEP] TemplateProcessing and the WordPiece decoder; no padding or truncation.
 */
public final class WordPieceTokenizerJson {
    private static final ObjectMapper JSON = Json.PLAIN;
    private static final String[] SPECIAL = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

    private WordPieceTokenizerJson() {}

    /** {@code vocab} lists tokens by id (the lines of vocab.txt); {@code lowercase} for uncased models. */
    public static String build(List<String> vocab, boolean lowercase) {
        Map<String, Integer> ids = new HashMap<>();
        ObjectNode vocabNode = JSON.createObjectNode();
        for (int i = 0; i < vocab.size(); i++) {
            String token = vocab.get(i);
            if (token.isEmpty()) {
                throw new IllegalArgumentException("vocab line " + (i + 1) + " is empty");
            }
            if (ids.putIfAbsent(token, i) != null) {
                throw new IllegalArgumentException("vocab token '" + token + "' appears twice (lines "
                        + (ids.get(token) + 1) + " and " + (i + 1) + ")");
            }
            vocabNode.put(token, i);
        }
        for (String s : SPECIAL) {
            if (!ids.containsKey(s)) {
                throw new IllegalArgumentException("vocab has no " + s + " token");
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String s : SPECIAL) {
            ObjectNode t = added.addObject();
            t.put("id", ids.get(s));
            t.put("content", s);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        ObjectNode normalizer = root.putObject("normalizer");
        normalizer.put("type", "BertNormalizer");
        normalizer.put("clean_text", true);
        normalizer.put("handle_chinese_chars", true);
        // BertTokenizerFast: strip_accents unset follows lowercase
        normalizer.put("strip_accents", lowercase);
        normalizer.put("lowercase", lowercase);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");

        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        special(single, "[CLS]", 0);
        sequence(single, "A", 0);
        special(single, "[SEP]", 0);
        ArrayNode pair = post.putArray("pair");
        special(pair, "[CLS]", 0);
        sequence(pair, "A", 0);
        special(pair, "[SEP]", 0);
        sequence(pair, "B", 1);
        special(pair, "[SEP]", 1);
        ObjectNode specials = post.putObject("special_tokens");
        for (String s : new String[] {"[CLS]", "[SEP]"}) {
            ObjectNode t = specials.putObject(s);
            t.put("id", s);
            t.putArray("ids").add(ids.get(s));
            t.putArray("tokens").add(s);
        }

        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "WordPiece");
        decoder.put("prefix", "##");
        decoder.put("cleanup", true);

        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece");
        model.put("unk_token", "[UNK]");
        model.put("continuing_subword_prefix", "##");
        model.put("max_input_chars_per_word", 100);
        model.set("vocab", vocabNode);
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise tokenizer.json", e);
        }
    }

    private static void special(ArrayNode seq, String token, int typeId) {
        ObjectNode t = seq.addObject().putObject("SpecialToken");
        t.put("id", token);
        t.put("type_id", typeId);
    }

    private static void sequence(ArrayNode seq, String id, int typeId) {
        ObjectNode t = seq.addObject().putObject("Sequence");
        t.put("id", id);
        t.put("type_id", typeId);
    }
}
