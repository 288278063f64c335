package org.mera.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.mera.data.Task;
import org.mera.data.TaskDirectory;
import org.mera.data.TaskRegistry;
import org.mera.model.ModelCatalog;
import org.mera.model.PretrainedModel;

/** Adapter tuning of the real minilm encoder on real GLUE pools reaches sensible GLUE dev scores. */
@org.junit.jupiter.api.Tag("quality")
@org.junit.jupiter.api.Tag("glue")
class AdapterTuningQualityTest {
    static final Path GLUE = org.mera.GlueData.ROOT;

    static TrainingRun.Outcome tune(String taskName, int epochs, float lr) throws Exception {
        PretrainedModel model =
                PretrainedModel.load(ModelCatalog.fromEnvironment().resolve("minilm"));
        Task task = TaskRegistry.withGlue().get(taskName);
        TaskDirectory data = TaskDirectory.under(GLUE, task);
        TrainOptions o = TrainOptions.defaults()
                .withBatchSize(32)
                .withEpochs(epochs)
                .withLearningRate(lr)
                .withProgress(false);
        return TrainingRun.run(new TrainingRun.Spec(
                model, task, data.poolTrain(), data.poolDev(), data.test(), Method.of(Method.Kind.PFEIFFER), o, null));
    }

    @Test
    void sst2AdapterReaches85PercentOnGlueDev() throws Exception {
        TrainingRun.Outcome out = tune("SST-2", 2, 1e-3f);
        System.out.println("SST-2 adapter: " + out.testMetrics() + " in " + out.seconds() + " s, "
                + out.trainableParams() + " params");
        assertTrue(out.testPrimary() >= 0.85, "SST-2 accuracy " + out.testMetrics());
    }

    @Test
    void stsbAdapterReaches080Pearson() throws Exception {
        TrainingRun.Outcome out = tune("STS-B", 3, 1e-3f);
        System.out.println("STS-B adapter: " + out.testMetrics() + " in " + out.seconds() + " s");
        assertTrue(out.testPrimary() >= 0.80, "STS-B " + out.testMetrics());
    }
}
