package org.mera.data.wordnet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mera.data.Task;
import org.mera.data.TaskDirectory;
import org.mera.model.ModelCatalog;
import org.mera.model.PretrainedModel;
import org.mera.train.Method;
import org.mera.train.TrainOptions;
import org.mera.train.TrainingRun;

/**
 * Every built-in WordNet task is learnable: a Pfeiffer adapter on the real minilm encoder, trained briefly
 * on the task's pool, beats chance on its test set by more than three binomial standard deviations.
 */
@org.junit.jupiter.api.Tag("quality")
class WordNetLearnabilityTest {
    @TempDir
    static Path root;

    static PretrainedModel minilm;

    @BeforeAll
    static void setUp() throws Exception {
        WordNetSuite.write(root.resolve("suite"), 42);
        minilm = PretrainedModel.load(ModelCatalog.fromEnvironment().resolve("minilm"));
    }

    /** All tasks, or those named in {@code -Dmera.wordnet.tasks=wn-wic,...} (to re-check one after a change). */
    static List<Task> tasks() {
        String only = System.getProperty("mera.wordnet.tasks", "");
        return only.isBlank()
                ? WordNetTasks.all()
                : java.util.Arrays.stream(only.split(","))
                        .map(String::trim)
                        .map(WordNetTasks::byName)
                        .toList();
    }

    @ParameterizedTest
    @MethodSource("tasks")
    void anAdapterBeatsChance(Task task) throws Exception {
        TaskDirectory data = TaskDirectory.under(root.resolve("suite"), task);
        TrainOptions o = TrainOptions.defaults()
                .withBatchSize(32)
                .withMaxSteps(200)
                .withLearningRate(3e-3f)
                .withEvalEvery(10_000)
                .withProgress(false)
                .withSeed(1);
        TrainingRun.Outcome out = TrainingRun.run(new TrainingRun.Spec(
                minilm, task, data.poolTrain(), List.of(), data.test(), Method.of(Method.Kind.PFEIFFER), o, null));
        double chance = 1.0 / task.numLabels();
        int n = data.test().size();
        double sigma = Math.sqrt(chance * (1 - chance) / n);
        double accuracy = out.testMetrics().get("accuracy");
        System.out.printf(
                "%s: accuracy %.3f on %d test examples (chance %.3f, 3 sigma %.3f)%n",
                task.name(), accuracy, n, chance, 3 * sigma);
        assertTrue(
                accuracy > chance + 3 * sigma,
                task.name() + ": accuracy " + accuracy + " is not above chance " + chance);
    }
}
