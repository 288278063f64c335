package org.mera.experiment;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An experiment config file that cannot be read as one: missing, empty, not YAML, a field of the wrong type, an
 * unknown field, a required field absent. The message is one line naming the file and the line or field. The CLI
 * treats it like an invalid config (exit code 2), not like a failure while running.
 */
public final class ConfigFileException extends IOException {
    private final transient Path file;

    public ConfigFileException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    public ConfigFileException(Path file, String message) {
        this(file, message, null);
    }

    public Path file() {
        return file;
    }
}
