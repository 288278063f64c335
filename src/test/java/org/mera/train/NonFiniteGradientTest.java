package org.mera.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mera.data.Batch;
import org.mera.model.TestEncoders;

/**
 * A step whose loss is finite but whose gradient is not is skipped (no update) and counted; more than a few in a
 * row is divergence. The non-finite gradient is made on chosen steps by a loss term sqrt(0 · Σw): its value is 0,
 * its gradient 0 · ∞ = NaN on every head weight.
 */
class NonFiniteGradientTest {
    private static List<Batch> train;

    @BeforeAll
    static void setUp() throws Exception {
        train = List.of(TestEncoders.sentences(
                new int[] {1, 0}, "A gripping, beautifully acted film.", "Dull and far too long."));
    }

    private record Run(Trainer.Result result, List<float[]> weights) {}

    private static Run train(Set<Integer> poisonedSteps, int steps) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TaskModel model = HeadOnlyModel.minilm(m);
            AtomicInteger call = new AtomicInteger();
            model.addLossTerm(() -> {
                NDArray w = model.trainable().get(0).array();
                NDArray zero = w.sum().mul(0f);
                return poisonedSteps.contains(call.getAndIncrement()) ? zero.sqrt() : zero;
            });
            TrainOptions o = TrainOptions.defaults()
                    .withLearningRate(1e-2f)
                    .withMaxSteps(steps)
                    .withSeed(5)
                    .withProgress(false);
            Trainer.Result r = Trainer.train(model, epoch -> train, List.of(), p -> 0, o);
            return new Run(
                    r,
                    model.trainable().stream()
                            .map(p -> p.array().toFloatArray())
                            .toList());
        }
    }

    @Test
    void aFewNonFiniteStepsAreSkippedAndCounted() throws Exception {
        Run run = train(Set.of(2, 5, 6), 10);
        assertEquals(10, run.result().steps());
        assertEquals(3, run.result().skippedSteps());
        for (float[] w : run.weights()) {
            for (float v : w) {
                assertTrue(Float.isFinite(v), "no NaN reached the weights");
            }
        }
        Run clean = train(Set.of(), 10);
        assertEquals(0, clean.result().skippedSteps());
    }

    @Test
    void moreThanThreeInARowIsDivergence() {
        TrainingDivergedException e =
                assertThrows(TrainingDivergedException.class, () -> train(Set.of(1, 2, 3, 4), 10));
        assertTrue(e.getMessage().contains("4 in a row"), e.getMessage());
        assertTrue(e.getMessage().contains("gradient norm is NaN at step 4"), e.getMessage());
    }
}
