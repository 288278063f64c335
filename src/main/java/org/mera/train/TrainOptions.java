package org.mera.train;

/**
 * Hyperparameters of one training run. {@code maxSteps > 0} overrides {@code epochs}; evaluation on the dev
 * split happens every {@code evalEvery} steps (0: once per epoch) and the best state is kept. With
 * {@code patience > 0} training stops early once that many evaluations in a row have not improved on the best dev
 * score; the step budget ({@code maxSteps} or {@code epochs}) is then an upper bound.
 */
public record TrainOptions(
        float learningRate,
        int epochs,
        int maxSteps,
        int batchSize,
        int evalBatchSize,
        float warmupRatio,
        float weightDecay,
        float maxGradNorm,
        int evalEvery,
        long seed,
        boolean progress,
        int patience) {
    /** Without early stopping. */
    public TrainOptions(
            float learningRate,
            int epochs,
            int maxSteps,
            int batchSize,
            int evalBatchSize,
            float warmupRatio,
            float weightDecay,
            float maxGradNorm,
            int evalEvery,
            long seed,
            boolean progress) {
        this(
                learningRate,
                epochs,
                maxSteps,
                batchSize,
                evalBatchSize,
                warmupRatio,
                weightDecay,
                maxGradNorm,
                evalEvery,
                seed,
                progress,
                0);
    }

    public TrainOptions {
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        }
    }

    /** Stops after {@code n} evaluations in a row without a better dev score (0: never stops early). */
    public TrainOptions withPatience(int n) {
        return new TrainOptions(
                learningRate,
                epochs,
                maxSteps,
                batchSize,
                evalBatchSize,
                warmupRatio,
                weightDecay,
                maxGradNorm,
                evalEvery,
                seed,
                progress,
                n);
    }

    public static TrainOptions defaults() {
        return new TrainOptions(1e-3f, 20, 0, 8, 64, 0.06f, 0.01f, 1.0f, 0, 42, true);
    }

    public TrainOptions withLearningRate(float lr) {
        return new TrainOptions(
                lr,
                epochs,
                maxSteps,
                batchSize,
                evalBatchSize,
                warmupRatio,
                weightDecay,
                maxGradNorm,
                evalEvery,
                seed,
                progress,
                patience);
    }

    public TrainOptions withEpochs(int e) {
        return new TrainOptions(
                learningRate,
                e,
                maxSteps,
                batchSize,
                evalBatchSize,
                warmupRatio,
                weightDecay,
                maxGradNorm,
                evalEvery,
                seed,
                progress,
                patience);
    }

    public TrainOptions withMaxSteps(int s) {
        return new TrainOptions(
                learningRate,
                epochs,
                s,
                batchSize,
                evalBatchSize,
                warmupRatio,
                weightDecay,
                maxGradNorm,
                evalEvery,
                seed,
                progress,
                patience);
    }

    public TrainOptions withBatchSize(int b) {
        return new TrainOptions(
                learningRate,
                epochs,
                maxSteps,
                b,
                evalBatchSize,
                warmupRatio,
                weightDecay,
                maxGradNorm,
                evalEvery,
                seed,
                progress,
                patience);
    }

    public TrainOptions withEvalEvery(int n) {
        return new TrainOptions(
                learningRate,
                epochs,
                maxSteps,
                batchSize,
                evalBatchSize,
                warmupRatio,
                weightDecay,
                maxGradNorm,
                n,
                seed,
                progress,
                patience);
    }

    public TrainOptions withSeed(long s) {
        return new TrainOptions(
                learningRate,
                epochs,
                maxSteps,
                batchSize,
                evalBatchSize,
                warmupRatio,
                weightDecay,
                maxGradNorm,
                evalEvery,
                s,
                progress,
                patience);
    }

    public TrainOptions withProgress(boolean p) {
        return new TrainOptions(
                learningRate,
                epochs,
                maxSteps,
                batchSize,
                evalBatchSize,
                warmupRatio,
                weightDecay,
                maxGradNorm,
                evalEvery,
                seed,
                p,
                patience);
    }
}
