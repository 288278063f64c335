package org.mera.experiment;

import java.util.List;

/** A check run on a config before any training starts. Returns every problem found (empty = fine). */
@FunctionalInterface
public interface Validator {
    List<String> validate(ExperimentConfig config);
}
