package org.mera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.data.Batch;
import org.mera.io.MalformedFileException;
import org.mera.model.TestEncoders;

/**
 * A run killed after a checkpoint and started again resumes where the checkpoint was and ends exactly as a run never
 * stopped: same losses, same best step and score, same weights to the bit. minilm with a trainable head on real
 * sentences, dropout on (so the restored mask stream matters), three batches an epoch in an order that changes each
 * epoch (so the position inside an epoch matters), and the kill in the middle of an epoch.
 */
class TrainingCheckpointTest {
    private static List<Batch> batches;
    private static List<Batch> dev;

    @BeforeAll
    static void setUp() throws Exception {
        batches = List.of(
                TestEncoders.sentences(
                        new int[] {1, 0}, "A gripping, beautifully acted film.", "Dull and far too long."),
                TestEncoders.sentences(new int[] {0, 1}, "A waste of two hours.", "I loved every minute of it."),
                TestEncoders.sentences(new int[] {1, 0}, "Warm, funny and wise.", "The plot makes no sense."));
        dev = List.of(TestEncoders.sentences(new int[] {1, 0}, "Smart and moving.", "Painfully slow."));
    }

    /** Epoch e's batches: a rotation by e, as a reshuffle would give. */
    private static List<Batch> epoch(int e) {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            out.add(batches.get((i + e) % batches.size()));
        }
        return out;
    }

    private static TrainOptions options(float lr) {
        return TrainOptions.defaults()
                .withLearningRate(lr)
                .withMaxSteps(16)
                .withEvalEvery(4)
                .withSeed(11)
                .withProgress(false);
    }

    private record Run(Trainer.Result result, List<float[]> weights) {}

    /**
     * @param killAtEvaluation the evaluation (1-based) at which the process "dies" (0: never)
     */
    private static Run train(TrainOptions o, TrainingCheckpoint checkpoint, int killAtEvaluation) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TaskModel model = HeadOnlyModel.minilm(m);
            AtomicInteger evaluations = new AtomicInteger();
            Trainer.Result r = Trainer.train(
                    model,
                    TrainingCheckpointTest::epoch,
                    dev,
                    p -> {
                        if (evaluations.incrementAndGet() == killAtEvaluation) {
                            throw new IllegalStateException("killed");
                        }
                        // continuous, so that the best evaluation moves: the probability given to each true label
                        return p.probabilities()[0][1] + p.probabilities()[1][0];
                    },
                    o,
                    checkpoint);
            List<float[]> w = new ArrayList<>();
            model.trainable().forEach(p -> w.add(p.array().toFloatArray()));
            return new Run(r, w);
        }
    }

    @Test
    void aKilledRunResumesFromItsCheckpointAndEndsAsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Run whole = train(options(5e-2f), null, 0);
        TrainingCheckpoint checkpoint = new TrainingCheckpoint(dir.resolve("run.resume"), "test run");
        // evaluations at steps 4, 8, 12, 16: killed during the 3rd, so the last checkpoint is step 8 (epoch 2, batch 2)
        assertThrows(IllegalStateException.class, () -> train(options(5e-2f), checkpoint, 3));
        assertTrue(Files.isRegularFile(checkpoint.file()), "saved at the evaluations before the kill");
        Run resumed = train(options(5e-2f), checkpoint, 0);

        assertEquals(8, resumed.result().resumedAtStep());
        assertEquals(0, whole.result().resumedAtStep());
        assertEquals(16, resumed.result().steps());
        assertEquals(
                whole.result().losses(), resumed.result().losses(), "every step's loss, the resumed ones included");
        assertEquals(whole.result().bestStep(), resumed.result().bestStep());
        assertEquals(whole.result().bestDevScore(), resumed.result().bestDevScore(), 0.0);
        assertEquals(whole.weights().size(), resumed.weights().size());
        for (int i = 0; i < whole.weights().size(); i++) {
            assertArrayEquals(whole.weights().get(i), resumed.weights().get(i), 0f, "parameter " + i);
        }
        assertTrue(resumed.result().earlierSeconds() > 0, "the killed process's training time is counted");
    }

    @Test
    void aCheckpointOfAnotherRunOrADamagedOneIsSetAsideAndTheRunStartsOver(@TempDir Path dir) throws Exception {
        Run whole = train(options(1e-2f), null, 0);
        TrainingCheckpoint checkpoint = new TrainingCheckpoint(dir.resolve("run.resume"), "test run");
        assertThrows(IllegalStateException.class, () -> train(options(5e-2f), checkpoint, 2));
        assertTrue(Files.isRegularFile(checkpoint.file()));
        // another learning rate: another run; its checkpoint is deleted and this one trains from step 0
        Run other = train(options(1e-2f), checkpoint, 0);
        assertEquals(0, other.result().resumedAtStep());
        assertEquals(whole.result().losses(), other.result().losses(), "as if there had been no file");
        // a file cut short (a machine stopped mid-write): the same
        Files.write(checkpoint.file(), new byte[] {1, 2, 3});
        Run damaged = train(options(1e-2f), checkpoint, 0);
        assertEquals(0, damaged.result().resumedAtStep());
        assertEquals(whole.result().losses(), damaged.result().losses());
        MalformedFileException e = assertThrows(
                MalformedFileException.class,
                () -> new TrainingCheckpoint(checkpoint.file(), "another key").load(options(1e-2f), List.of()));
        assertTrue(
                e.getMessage().contains(checkpoint.file().toString())
                        && e.getMessage().contains("another run"),
                e.getMessage());
    }

    @Test
    void withoutAFileTheRunStartsFromTheBeginningAndLeavesItsLastCheckpoint(@TempDir Path dir) throws Exception {
        TrainingCheckpoint checkpoint = new TrainingCheckpoint(dir.resolve("sub/run.resume"), "test run");
        Run run = train(options(5e-2f), checkpoint, 0);
        assertEquals(0, run.result().resumedAtStep());
        assertEquals(16, run.result().steps());
        // the last evaluation (step 16 = the budget) is not saved: nothing is left to resume; the step-12 one is
        try (var files = Files.list(dir.resolve("sub"))) {
            assertEquals(List.of(checkpoint.file()), files.toList(), "the checkpoint, whole, and no temporary file");
        }
    }
}
