package org.mera.experiment;

import java.util.List;

/** A config that cannot run; the message lists every problem found, one per line. */
public final class ValidationException extends RuntimeException {
    private final List<String> problems;

    public ValidationException(String configName, List<String> problems) {
        super("experiment '" + configName + "' has " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                + ":\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
