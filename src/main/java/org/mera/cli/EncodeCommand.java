package org.mera.cli;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mera.io.Json;
import org.mera.model.BertEncoder;
import org.mera.model.ModelCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mera encode}: run an encoder over texts and print the first-token and mean-pooled vectors. */
@Command(
        name = "encode",
        mixinStandardHelpOptions = true,
        header = "Encode texts with a pretrained encoder: tokens, first-token and mean vectors.",
        description = {
            "Encode texts with a pretrained encoder and print, per text (or pair), its tokens, the last hidden state of",
            "the first token (cls) and the attention-masked mean of the last hidden state (mean)."
        })
public final class EncodeCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            defaultValue = "minilm",
            description = "catalog name (see `mera models`) or HF model directory (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--pair", description = "treat the texts as sentence pairs: A, B, A, B, ...")
    boolean pair;

    @Option(names = "--json", description = "one JSON object per line: text (or text_a/text_b), tokens, cls, mean")
    boolean json;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "texts to encode")
    List<String> texts;

    @Override
    public Integer call() throws Exception {
        if (pair && texts.size() % 2 != 0) {
            throw new IllegalArgumentException(
                    "--pair needs an even number of texts (A, B, A, B, ...), got " + texts.size());
        }
        Path dir = ModelCatalog.fromEnvironment().resolve(model);
        ObjectMapper mapper = Json.PLAIN;
        try (NDManager manager = NDManager.newBaseManager();
                BertEncoder encoder = BertEncoder.load(dir, manager);
                HuggingFaceTokenizer tok = HuggingFaceTokenizer.builder()
                        .optTokenizerPath(dir.resolve("tokenizer.json"))
                        .optAddSpecialTokens(true)
                        .optTruncation(true)
                        .optMaxLength(512)
                        .build()) {
            int step = pair ? 2 : 1;
            for (int i = 0; i < texts.size(); i += step) {
                Encoding e = pair ? tok.encode(texts.get(i), texts.get(i + 1)) : tok.encode(texts.get(i));
                float[] cls;
                float[] mean;
                try (NDScope scope = new NDScope()) {
                    Shape s = new Shape(1, e.getIds().length);
                    NDArray hidden = encoder.forward(
                            manager.create(e.getIds(), s),
                            manager.create(e.getTypeIds(), s),
                            manager.create(e.getAttentionMask(), s),
                            false);
                    cls = hidden.get("0, 0, :").toFloatArray();
                    mean = hidden.get(0).mean(new int[] {0}).toFloatArray();
                }
                if (json) {
                    ObjectNode o = mapper.createObjectNode();
                    if (pair) {
                        o.put("text_a", texts.get(i));
                        o.put("text_b", texts.get(i + 1));
                    } else {
                        o.put("text", texts.get(i));
                    }
                    var tokens = o.putArray("tokens");
                    for (String t : e.getTokens()) {
                        tokens.add(t);
                    }
                    var c = o.putArray("cls");
                    for (float v : cls) {
                        c.add(v);
                    }
                    var m = o.putArray("mean");
                    for (float v : mean) {
                        m.add(v);
                    }
                    System.out.println(mapper.writeValueAsString(o));
                } else {
                    System.out.println(pair ? texts.get(i) + "  ||  " + texts.get(i + 1) : texts.get(i));
                    System.out.println("  tokens: " + String.join(" ", e.getTokens()));
                    System.out.println("  cls:    " + preview(cls));
                    System.out.println("  mean:   " + preview(mean));
                }
            }
        }
        return 0;
    }

    static String preview(float[] v) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < Math.min(6, v.length); i++) {
            parts.add(String.format("%.4f", v[i]));
        }
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        return "[" + String.join(", ", parts) + ", ...] (" + v.length + " dims, norm "
                + String.format("%.3f", Math.sqrt(norm)) + ")";
    }
}
