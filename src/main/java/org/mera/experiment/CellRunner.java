package org.mera.experiment;

import java.util.List;
import java.util.Map;

/**
 * Does the training and evaluation of one cell. The experiment machinery decides which cells run, in
 * what order, persists results and shows progress; implementations only compute.
 */
public interface CellRunner {
    /** Shown in reports. */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * Part of every cell key: change it whenever a code change would change results, so the affected
     * cells are re-run instead of mixed with stale ones.
     */
    String version();

    /** True for runners whose numbers are not real experiments (tests, demos); reports say so loudly. */
    default boolean synthetic() {
        return false;
    }

    /**
     * What this runner computes with, added to each run record's environment (e.g. {@code engine}: the deep-learning
     * engine and its version), so a report names what produced its numbers. Empty for runners without one.
     */
    default Map<String, Object> environment() {
        return Map.of();
    }

    /** Extra checks before anything runs (model files present, merges possible...). Every problem, at once. */
    default List<String> validate(ExperimentConfig config) {
        return List.of();
    }

    /** Hyperparameters this runner understands beyond {@link Hyperparameters#KNOWN}. */
    default Map<String, Hyperparameters.Spec> hyperparameterSpecs() {
        return Map.of();
    }

    /**
     * A product several cells share that can be made ahead of them, on its own (a source adapter): {@code id} tells two
     * apart, {@code cell} is one cell that needs it, {@code source} the source name within that cell.
     */
    record Preparation(String id, Cell cell, String source) {}

    /**
     * The shared products {@code cells} need, once each; an engine that runs cells in parallel makes them first (one
     * task each) so that parallel cells do not build the same one twice. Empty for runners without any.
     */
    default List<Preparation> preparations(List<Cell> cells) {
        return List.of();
    }

    /** Makes one {@link Preparation} (stored where {@link #run} finds it, e.g. the artifact cache). */
    default void prepare(Preparation preparation) throws Exception {}

    /** Where a {@link Preparation} stands: made already, begun by a run that was killed (it resumes), or not begun. */
    enum PreparationState {
        MADE,
        RESUMES,
        NOT_BEGUN
    }

    /**
     * Where {@code preparation} stands, found without making it (a dry run says which source adapters would train).
     * Runners that keep no products between runs have nothing made.
     */
    default PreparationState state(Preparation preparation) throws Exception {
        return PreparationState.NOT_BEGUN;
    }

    /**
     * Trains and evaluates the cell. Must be deterministic given the cell (seeded by {@code cell.seed()}).
     * The returned metrics must include {@code cell.primaryMetric()}. Throw to fail the cell; it is then
     * not recorded and will run again next time.
     */
    CellResult run(Cell cell, ProgressListener progress) throws Exception;

    /** Whether {@link #save} can write this cell's trained model in a form {@code mera predict} reads. */
    default boolean canSave(Cell cell) {
        return false;
    }

    /**
     * Trains the cell again at the one learning rate {@code lr} (the one it chose from its grid) and writes the trained
     * model to {@code dir} (a new folder, written whole or not at all); returns the run's result, which equals the
     * recorded one when nothing but the grid's other rates differs (same machine and thread count).
     */
    default CellResult save(Cell cell, double lr, java.nio.file.Path dir, ProgressListener progress) throws Exception {
        throw new UnsupportedOperationException(name() + " does not save trained models");
    }
}
