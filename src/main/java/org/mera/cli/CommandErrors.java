package org.mera.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;

/** Turns the errors a user can fix (bad input, missing files) into one line on stderr and exit code 1. */
final class CommandErrors {
    private CommandErrors() {
    }

    static int run(String command, PrintWriter stderr, Callable<Integer> body) throws Exception {
        try {
            return body.call();
        } catch (IllegalArgumentException | IllegalStateException e) {
            return fail(command, stderr, e.getMessage());
        } catch (NoSuchFileException e) {
            return fail(command, stderr, "file not found: " + e.getFile() + (e.getReason() == null ? "" : " (" + e.getReason() + ")"));
        } catch (UncheckedIOException e) {
            return fail(command, stderr, e.getMessage() + ": " + e.getCause().getMessage());
        } catch (java.io.IOException e) {
            return fail(command, stderr, e.getMessage());
        }
    }

    private static int fail(String command, PrintWriter stderr, String message) {
        stderr.println("mera " + command + ": " + message);
        stderr.flush();
        return 1;
    }
}
