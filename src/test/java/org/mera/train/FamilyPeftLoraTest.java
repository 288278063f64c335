package org.mera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mera.adapter.Adapters;
import org.mera.adapter.lora.PeftLoraDirectory;
import org.mera.data.TaskDirectory;
import org.mera.model.BertEncoder;
import org.mera.model.PretrainedModel;

/**
 * A LoRA that PEFT made on the tiny RoBERTa / DistilBERT checkpoint (target_modules query/value resp. q_lin/v_lin,
 * saved for AutoModel; scripts/oracle/make_family_fixtures.py) is read by mera and changes the encoder's output
 * exactly as it changes transformers': last hidden state within 1e-5 of PEFT's.
 */
class FamilyPeftLoraTest {
    @ParameterizedTest
    @ValueSource(strings = {"roberta-tiny", "distilbert-tiny"})
    void peftLoraGivesPeftsHiddenStates(String family) throws Exception {
        Path base = FamilyAdapterFilesTest.resource("/families/" + family);
        Path lora = FamilyAdapterFilesTest.resource("/families/" + family + "-lora");
        JsonNode expected =
                new ObjectMapper().readTree(lora.resolve("expected.json").toFile());
        PretrainedModel model = PretrainedModel.load(base);
        var task = TaskDirectory.open(FamilyAdapterFilesTest.resource("/tasks/nli-pairs"))
                .task();
        AdapterFiles.Init init = AdapterFiles.readInit(lora, model, task, false);
        assertEquals(
                2 * 2 * 2,
                init.adapter().size(),
                "A and B of two targets in two layers: " + init.adapter().keySet());
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.builder()
                        .optTokenizerPath(model.tokenizerJson())
                        .optAddSpecialTokens(true)
                        .optPadding(false)
                        .optTruncation(false)
                        .build();
                NDManager manager = NDManager.newBaseManager();
                BertEncoder encoder = model.newEncoder(manager)) {
            Encoding e = tok.encode(
                    expected.get("texts").get(0).asText(),
                    expected.get("texts").get(1).asText());
            long[] ids = e.getIds();
            long[] want = new long[expected.get("ids").size()];
            Arrays.setAll(want, i -> expected.get("ids").get(i).asLong());
            assertArrayEquals(want, ids);
            long[] ones = new long[ids.length];
            Arrays.fill(ones, 1);
            Shape s = new Shape(1, ids.length);
            float[] plain = encoder.forward(
                            manager.create(ids, s), manager.create(e.getTypeIds(), s), manager.create(ones, s), false)
                    .toFloatArray();
            Adapters.addLora(encoder, PeftLoraDirectory.read(lora).config(), init.adapter());
            float[] out = encoder.forward(
                            manager.create(ids, s), manager.create(e.getTypeIds(), s), manager.create(ones, s), false)
                    .toFloatArray();
            double max = 0;
            double moved = 0;
            int h = expected.get("last_hidden_state").get(0).size();
            for (int i = 0; i < out.length; i++) {
                double v =
                        expected.get("last_hidden_state").get(i / h).get(i % h).asDouble();
                max = Math.max(max, Math.abs(out[i] - v));
                moved = Math.max(moved, Math.abs(plain[i] - v));
            }
            assertTrue(max <= 1e-5, family + ": max |mera - PEFT| = " + max);
            assertTrue(moved > 1e-2, family + ": the LoRA changes the output (max change " + moved + ")");
        }
    }
}
