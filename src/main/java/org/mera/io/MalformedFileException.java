package org.mera.io;

import java.io.IOException;
import java.nio.file.Path;

/** A weight, tokenizer or config file whose content breaks its format; the message names the file and the fault. */
public class MalformedFileException extends IOException {
    private final Path file;

    public MalformedFileException(Path file, String fault) {
        super(file + ": " + fault);
        this.file = file;
    }

    public MalformedFileException(Path file, String fault, Throwable cause) {
        super(file + ": " + fault, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
