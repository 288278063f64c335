package org.mera.data;

import java.nio.file.Path;

/** A data file that cannot be read as examples; the message starts with "file:line: ". */
public final class ExampleFileException extends IllegalArgumentException {
    private final transient Path file;
    private final int line;

    /** {@code line} is 1-based; 0 when the problem concerns the whole file. */
    public ExampleFileException(Path file, int line, String message, Throwable cause) {
        super((line > 0 ? file + ":" + line + ": " : file + ": ") + message, cause);
        this.file = file;
        this.line = line;
    }

    public ExampleFileException(Path file, int line, String message) {
        this(file, line, message, null);
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }
}
