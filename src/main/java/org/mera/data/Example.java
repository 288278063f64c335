package org.mera.data;

/**
 * One labelled text example: a single sentence ({@code textB == null}) or a sentence pair. The label
 * keeps its original spelling ("entailment", "1", "3.800"); {@link Task} turns it into a class index or
 * a regression target. {@code label} is null for unlabelled input.
 */
public record Example(String textA, String textB, String label) {
    public Example {
        if (textA == null) {
            throw new IllegalArgumentException("an example needs a first text");
        }
    }

    public boolean isPair() {
        return textB != null;
    }
}
