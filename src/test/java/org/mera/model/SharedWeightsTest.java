package org.mera.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.adapter.Adapters;
import org.mera.data.Batch;
import org.mera.experiment.TinyGlue;
import org.mera.io.BertConfig;
import org.mera.io.BertShapes;
import org.mera.io.HfModelDirectory;
import org.mera.io.Tensor;
import org.mera.train.TaskModel;
import org.mera.train.TrainOptions;
import org.mera.train.Trainer;

/**
 * Encoders built from one pretrained model read the same frozen arrays, and a parameter made trainable gets its own
 * copy: training one encoder never changes what another reads, and closing one leaves the others whole.
 */
class SharedWeightsTest {
    static final String Q = "encoder.layer.0.attention.self.query.weight";

    @Test
    void frozenWeightsAreSharedAndTrainableOnesAreCopied(@TempDir Path tmp) throws Exception {
        Map<String, Tensor> w = tinyWeights();
        Path dir = tmp.resolve("tiny");
        HfModelDirectory.write(dir, BertConfig.bert(BertShapes.check(w, dir), 2, false, true), w, "{}");
        float[] query = w.get(Q).data().clone();
        float[] pooler = w.get("pooler.dense.weight").data().clone();
        PretrainedModel model = PretrainedModel.load(dir);
        assertSame(model, PretrainedModel.load(dir), "read once per process");
        NDManager m1 = NDManager.newBaseManager();
        try (NDManager m2 = NDManager.newBaseManager();
                NDManager m3 = NDManager.newBaseManager()) {
            BertEncoder a = model.newEncoder(m1);
            BertEncoder b = model.newEncoder(m2);
            Param qa = a.params().get(Q);
            Param qb = b.params().get(Q);
            assertTrue(qa.shared() && qb.shared());
            assertSame(qa.array(), qb.array(), "one array for both encoders while frozen");
            assertArrayEquals(query, qb.array().toFloatArray());

            Adapters.unfreezeEncoder(a); // full fine-tuning: every parameter trainable
            assertFalse(qa.shared());
            assertNotSame(qb.array(), qa.array());
            assertSame(m1, qa.array().getManager(), "the copy belongs to its encoder's manager");
            assertTrue(qa.array().hasGradient() || qa.trainable());
            assertArrayEquals(query, qa.array().toFloatArray(), "the copy starts from the pretrained values");
            qa.array().set(new float[query.length]); // an update, as AdamW writes in place
            assertArrayEquals(query, qb.array().toFloatArray(), "the other encoder still reads the pretrained values");
            assertFalse(qb.array().hasGradient(), "a shared array never records gradients");

            // Forward passes and a training step of an encoder leave nothing in the shared manager.
            int held = model.sharedWeights().managedArrays();
            assertEquals(w.size(), held, "the shared manager holds the weights only");
            Shape s = new Shape(2, 5);
            long[] ids = {1, 7, 9, 3, 2, 1, 4, 4, 2, 0};
            long[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
            for (boolean training : new boolean[] {false, true}) {
                b.forward(m2.create(ids, s), m2.create(new long[10], s), m2.create(mask, s), training);
            }
            ClassificationHead head = ClassificationHead.create(b.params(), "t", 8, List.of("0", "1"), 0.1f, 1);
            Adapters.addBottleneck(b, "a", "pfeiffer", 4, "relu", null, 1);
            Batch batch = new Batch(
                    2, 5, ids, new long[10], mask, new int[] {0, 1}, new float[] {Float.NaN, Float.NaN}, new int[] {0, 1
                    });
            Trainer.train(
                    new TaskModel(b, head),
                    e -> List.of(batch),
                    List.of(),
                    p -> 0,
                    TrainOptions.defaults().withMaxSteps(2).withProgress(false));
            assertEquals(held, model.sharedWeights().managedArrays(), "nothing computed lands in the shared manager");
            assertArrayEquals(query, qb.array().toFloatArray(), "training an adapter leaves the weights alone");

            m1.close(); // one encoder's end leaves the shared arrays to the others
            BertEncoder c = model.newEncoder(m3);
            assertSame(qb.array(), c.params().get(Q).array());
            assertArrayEquals(query, c.params().get(Q).array().toFloatArray());
            assertArrayEquals(
                    pooler, model.weights("pooler.").get("pooler.dense.weight").data());
            assertEquals(
                    List.of("pooler.dense.bias", "pooler.dense.weight"),
                    model.weights("pooler.").keySet().stream().sorted().toList());
        }
    }

    /** TinyGlue's 2-layer BERT at hidden 8, with a pooler (whose weights {@link PretrainedModel#weights} returns). */
    private static Map<String, Tensor> tinyWeights() {
        Map<String, Tensor> w = TinyGlue.weights(50, 16, 8, 16, 3);
        Random rnd = new Random(4);
        w.put("pooler.dense.weight", Tensor.normal(rnd, 0.02f, 8, 8));
        w.put("pooler.dense.bias", Tensor.normal(rnd, 0.02f, 8));
        return w;
    }
}
