package org.mera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mera.adapter.Adapters;
import org.mera.data.Batch;
import org.mera.model.BertEncoder;
import org.mera.model.ClassificationHead;
import org.mera.model.Param;
import org.mera.model.TestEncoders;

/**
 * Keeping a frozen encoder's states for the dev batches (what makes mera-auto's ranking cheap) must not change
 * a single number: head-only training with and without it, on real minilm weights and a frozen adapter,
 * takes the same steps, keeps the same head and scores the same.
 */
class FrozenStatesTest {
    private static Path minilm;
    private static List<Batch> train;
    private static List<Batch> dev;

    @BeforeAll
    static void setUp() throws Exception {
        minilm = TestEncoders.minilm();
        train = List.of(
                TestEncoders.sentences(
                        new int[] {1, 0, 1, 0},
                        "A gripping, beautifully acted film.",
                        "Dull and far too long.",
                        "I loved every minute of it.",
                        "A waste of two hours."),
                TestEncoders.sentences(
                        new int[] {1, 0, 1, 0},
                        "Warm, funny and wise.",
                        "The plot makes no sense at all.",
                        "An instant classic.",
                        "Tedious."));
        dev = List.of(
                TestEncoders.sentences(new int[] {1, 0}, "Smart and moving.", "Painfully slow and predictable."),
                offset(
                        TestEncoders.sentences(
                                new int[] {1, 0, 0},
                                "One of the year's best.",
                                "I wanted to leave early.",
                                "Nothing works here."),
                        2));
    }

    /** The batch as examples {@code from, from + 1, ...} of its split. */
    private static Batch offset(Batch b, int from) {
        int[] idx = new int[b.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = from + i;
        }
        return new Batch(
                b.size(), b.seqLen(), b.inputIds(), b.typeIds(), b.attentionMask(), b.labels(), b.targets(), idx);
    }

    /** A minilm with a random Pfeiffer adapter, frozen like a ranked source adapter, and a fresh head. */
    private static TaskModel headOnly(NDManager m) throws Exception {
        BertEncoder enc = BertEncoder.load(minilm, m);
        Adapters.addBottleneck(enc, "src", Adapters.PFEIFFER, 16, "relu", null, 7);
        for (Param p : enc.params().all()) {
            if (p.name().contains(".adapters.")) {
                p.setTrainable(false);
            }
        }
        return new TaskModel(enc, ClassificationHead.create(enc.params(), "sst", 384, List.of("0", "1"), 0.1f, 3));
    }

    private static Trainer.Result train(TaskModel model, List<Double> devScores) {
        TrainOptions o = TrainOptions.defaults()
                .withMaxSteps(6)
                .withEvalEvery(2)
                .withSeed(5)
                .withProgress(false);
        return Trainer.train(
                model,
                epoch -> train,
                dev,
                p -> {
                    double score = p.probabilities()[0][1] + p.probabilities()[3][0];
                    devScores.add(score);
                    return score;
                },
                o);
    }

    private static List<float[]> weights(List<Param> params) {
        List<float[]> out = new ArrayList<>();
        params.forEach(p -> out.add(p.array().toFloatArray()));
        return out;
    }

    @Test
    void headOnlyTrainingIsIdenticalWithKeptStates() throws Exception {
        try (NDManager m1 = NDManager.newBaseManager();
                NDManager m2 = NDManager.newBaseManager()) {
            TaskModel plain = headOnly(m1);
            TaskModel kept = headOnly(m2);
            kept.keepFrozenStates(dev);
            assertTrue(kept.encoderFrozen());
            List<Double> a = new ArrayList<>();
            List<Double> b = new ArrayList<>();
            Trainer.Result ra = train(plain, a);
            Trainer.Result rb = train(kept, b);
            assertEquals(3, a.size(), "evaluations after steps 2, 4 and 6");
            assertEquals(a, b, "dev scores");
            assertEquals(ra.losses(), rb.losses(), "training losses");
            assertEquals(ra.bestStep(), rb.bestStep());
            List<float[]> wa = weights(plain.trainable());
            List<float[]> wb = weights(kept.trainable());
            for (int i = 0; i < wa.size(); i++) {
                assertArrayEquals(
                        wa.get(i), wb.get(i), 0f, plain.trainable().get(i).name());
            }
            Predictions pa = Evaluator.predict(plain, dev);
            Predictions pb = Evaluator.predict(kept, dev);
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(pa.probabilities()[i], pb.probabilities()[i], 0f, "dev example " + i);
            }
        }
    }

    @Test
    void keptStatesAreDroppedOnceTheEncoderTrains() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TaskModel model = headOnly(m);
            model.keepFrozenStates(dev);
            Predictions before = Evaluator.predict(model, dev);
            // Unfreeze and change one adapter weight, as training it would: evaluation must see the new encoder.
            Param up = model.encoder()
                    .params()
                    .get(Adapters.bottleneckPrefix(model.encoder(), 5, false, "src") + "adapter_up.weight");
            up.setTrainable(true);
            assertFalse(model.encoderFrozen());
            float[] w = up.array().toFloatArray();
            for (int i = 0; i < w.length; i++) {
                w[i] += 0.05f * ((i % 7) - 3);
            }
            up.array().set(w);
            Predictions after = Evaluator.predict(model, dev);
            try (NDManager fresh = NDManager.newBaseManager()) {
                TaskModel reference = headOnly(fresh);
                reference.encoder().params().get(up.name()).array().set(w);
                Predictions expected = Evaluator.predict(reference, dev);
                boolean changed = false;
                for (int i = 0; i < 5; i++) {
                    assertArrayEquals(expected.probabilities()[i], after.probabilities()[i], 0f, "dev example " + i);
                    changed |= expected.probabilities()[i][0] != before.probabilities()[i][0];
                }
                assertTrue(changed, "the changed adapter weight should move some prediction");
            }
        }
    }
}
