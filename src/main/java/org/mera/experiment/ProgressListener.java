package org.mera.experiment;

/** How a running cell reports its own progress (shown after the grid's progress bar). */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (fraction, message) -> {};

    /**
     * @param fraction how much of the cell is done, in [0, 1]
     * @param message  a short note such as "step 90/200" or "training source adapter MNLI"
     */
    void progress(double fraction, String message);
}
