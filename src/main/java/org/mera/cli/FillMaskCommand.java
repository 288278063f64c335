package org.mera.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mera.io.Json;
import org.mera.model.BertEncoder;
import org.mera.model.MaskFiller;
import org.mera.model.ModelCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mera fill-mask}: masked-token predictions of a model with a masked-LM head. */
@Command(
        name = "fill-mask",
        mixinStandardHelpOptions = true,
        description = "Predict the tokens behind each [MASK] (models with a masked-LM head, e.g. bert-base-uncased).")
public final class FillMaskCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            defaultValue = "bert-base-uncased",
            description = "catalog name or HF model directory (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--top", defaultValue = "5", description = "predictions per mask (default: ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--json", description = "print JSON: per text, a list per [MASK] of {token, score}")
    boolean json;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "texts containing [MASK]")
    List<String> texts;

    @Override
    public Integer call() throws Exception {
        Path dir = ModelCatalog.fromEnvironment().resolve(model);
        ObjectMapper mapper = Json.PLAIN;
        try (NDManager manager = NDManager.newBaseManager();
                BertEncoder encoder = BertEncoder.load(dir, manager);
                MaskFiller filler = new MaskFiller(encoder, dir.resolve("tokenizer.json"))) {
            for (String text : texts) {
                List<List<MaskFiller.Guess>> guesses = filler.fill(text, top);
                if (json) {
                    ObjectNode o = mapper.createObjectNode();
                    o.put("text", text);
                    ArrayNode masks = o.putArray("masks");
                    for (List<MaskFiller.Guess> g : guesses) {
                        ArrayNode a = masks.addArray();
                        g.forEach(x -> a.addObject().put("token", x.token()).put("score", x.score()));
                    }
                    System.out.println(mapper.writeValueAsString(o));
                } else {
                    System.out.println(text);
                    for (int m = 0; m < guesses.size(); m++) {
                        StringBuilder sb = new StringBuilder("  [MASK] #" + (m + 1) + ":");
                        for (MaskFiller.Guess g : guesses.get(m)) {
                            sb.append(String.format("  %s (%.3f)", g.token(), g.score()));
                        }
                        System.out.println(sb);
                    }
                }
            }
        }
        return 0;
    }
}
