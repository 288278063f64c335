package org.mera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mera.data.Batch;
import org.mera.model.Param;
import org.mera.model.TestEncoders;

/**
 * Training with patience stops once dev stops improving, before its step budget, and keeps the best state, not the
 * last: a minilm head trained on real sentences, with the dev score scripted so that the best evaluation is known.
 */
class EarlyStoppingTest {
    private static List<Batch> train;
    private static List<Batch> dev;

    @BeforeAll
    static void setUp() throws Exception {
        train = List.of(TestEncoders.sentences(
                new int[] {1, 0, 1, 0},
                "A gripping, beautifully acted film.",
                "Dull and far too long.",
                "I loved every minute of it.",
                "A waste of two hours."));
        dev = List.of(TestEncoders.sentences(new int[] {1, 0}, "Smart and moving.", "Painfully slow."));
    }

    private static List<float[]> weights(List<Param> params) {
        List<float[]> out = new ArrayList<>();
        params.forEach(p -> out.add(p.array().toFloatArray()));
        return out;
    }

    /** Dev scores by evaluation: best at the 2nd, then no gain; a late 0.99 only a run without patience reaches. */
    private static final double[] SCRIPT = {0.2, 0.6, 0.5, 0.6, 0.3, 0.4, 0.99, 0.1, 0.1, 0.1};

    private record Run(Trainer.Result result, List<List<float[]>> weightsAtEval, List<float[]> finalWeights) {}

    private static Run train(int patience) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TaskModel model = HeadOnlyModel.minilm(m);
            List<List<float[]>> atEval = new ArrayList<>();
            TrainOptions o = TrainOptions.defaults()
                    .withLearningRate(5e-2f)
                    .withMaxSteps(20)
                    .withEvalEvery(2)
                    .withSeed(5)
                    .withProgress(false)
                    .withPatience(patience);
            Trainer.Result r = Trainer.train(
                    model,
                    epoch -> train,
                    dev,
                    p -> {
                        atEval.add(weights(model.trainable())); // the state this score belongs to
                        return SCRIPT[atEval.size() - 1];
                    },
                    o);
            return new Run(r, atEval, weights(model.trainable()));
        }
    }

    @Test
    void stopsAfterPatienceEvaluationsWithoutGainAndKeepsTheBestState() throws Exception {
        Run run = train(3);
        // evaluations after steps 2, 4, 6, 8, 10: the best is the 2nd (0.6 at step 4); 0.5, 0.6 (a tie is no gain), 0.3
        assertEquals(5, run.weightsAtEval().size(), "three evaluations without gain after the best, then stop");
        assertEquals(10, run.result().steps(), "stopped at step 10 of a 20-step budget");
        assertEquals(20, run.result().budget());
        assertEquals(4, run.result().bestStep());
        assertEquals(0.6, run.result().bestDevScore(), 0.0);
        List<float[]> best = run.weightsAtEval().get(1);
        List<float[]> last = run.weightsAtEval().get(4);
        for (int i = 0; i < best.size(); i++) {
            assertArrayEquals(best.get(i), run.finalWeights().get(i), 0f, "parameter " + i + " is the best state's");
        }
        boolean lastDiffers = false;
        for (int i = 0; i < last.size(); i++) {
            lastDiffers |= !java.util.Arrays.equals(last.get(i), best.get(i));
        }
        assertTrue(lastDiffers, "the last state differs from the best, so keeping the best is observable");
    }

    @Test
    void withoutPatienceTheWholeBudgetTrains() throws Exception {
        Run run = train(0);
        assertEquals(20, run.result().steps());
        assertEquals(10, run.weightsAtEval().size());
        assertEquals(14, run.result().bestStep(), "the late best at the 7th evaluation");
        assertThrows(
                IllegalArgumentException.class, () -> TrainOptions.defaults().withPatience(-1));
    }
}
