package org.mera.train;

/** The loss or the gradients stopped being finite: the run cannot continue meaningfully. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
