package org.mera.experiment.stats;

/**
 * The word a report may use for a claim "A is better than B", decided by the 95 % confidence interval of the
 * difference A − B and nothing else: the words follow the numbers, never the other way round.
 * <ul>
 * <li>{@link #SUPPORTED}: the interval lies entirely above zero;</li>
 * <li>{@link #NO_SUPPORT}: the interval contains zero (a difference of this size could be noise; this is not
 * evidence that the methods are equal either);</li>
 * <li>{@link #CONTRADICTED}: the interval lies entirely below zero (B is better);</li>
 * <li>{@link #NO_PREDICTIONS}: no interval, because the folder has no per-example predictions for these cells.</li>
 * </ul>
 */
public enum Verdict {
    SUPPORTED("supported"),
    NO_SUPPORT("no support"),
    CONTRADICTED("contradicted"),
    NO_PREDICTIONS("no per-example predictions");

    private final String words;

    Verdict(String words) {
        this.words = words;
    }

    /**
     * The verdict on "A − B &gt; 0" from its confidence interval [{@code low}, {@code high}]; an interval touching
     * zero contains it. NaN bounds (no interval) give {@link #NO_PREDICTIONS}.
     */
    public static Verdict of(double low, double high) {
        if (Double.isNaN(low) || Double.isNaN(high)) {
            return NO_PREDICTIONS;
        }
        if (low > high) {
            throw new IllegalArgumentException(
                    "confidence interval [" + low + ", " + high + "] has its bounds swapped");
        }
        if (low > 0) {
            return SUPPORTED;
        }
        if (high < 0) {
            return CONTRADICTED;
        }
        return NO_SUPPORT;
    }

    public String words() {
        return words;
    }

    @Override
    public String toString() {
        return words;
    }
}
