package org.mera.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import org.mera.experiment.ExperimentRunner;
import org.mera.experiment.ValidationException;
import org.mera.train.TrainingDivergedException;
import picocli.CommandLine;

/**
 * mera's one error boundary. A mistake the user can fix (a bad or missing file, a bad config or option, a held
 * lock, a damaged results file, a failed cell) becomes one line on stderr, {@code mera COMMAND: what, where, what
 * to do}, and exit code 1; anything else is a bug in mera and gets its stack trace and a line asking to report it
 * (exit code 3). {@code --debug} (or {@code MERA_DEBUG=1}) prints the stack trace of every error.
 *
 * <p>{@link Main} installs {@link #handler()} for every subcommand; commands may also call {@link #run} so that
 * the same rule holds when they are executed on their own (as tests do).
 */
final class CommandErrors {
    /** Exit code of a user's mistake (picocli uses 2 for a bad command line). */
    static final int USER_ERROR = 1;
    /** Exit code of a bug in mera. */
    static final int BUG = 3;

    private CommandErrors() {}

    static boolean debug() {
        return Boolean.getBoolean("mera.debug") || "1".equals(System.getenv("MERA_DEBUG"));
    }

    static int run(String command, PrintWriter stderr, Callable<Integer> body) throws Exception {
        try {
            return body.call();
        } catch (CommandLine.ParameterException e) {
            throw e; // picocli prints it with the usage hint, exit code 2
        } catch (Exception e) {
            return report(command, stderr, e);
        }
    }

    /** The handler {@link Main} installs: classifies what a subcommand threw. */
    static CommandLine.IExecutionExceptionHandler handler() {
        return (e, cmd, parseResult) -> {
            if (e instanceof CommandLine.ParameterException pe) {
                throw pe;
            }
            return report(cmd.getCommandName(), cmd.getErr(), e);
        };
    }

    /** Prints the error as the class comment says and returns the exit code. */
    static int report(String command, PrintWriter stderr, Throwable e) {
        String message = userMessage(e);
        if (message == null) {
            stderr.println("mera " + command + ": internal error: " + e);
            e.printStackTrace(stderr);
            stderr.println(
                    "This is a bug in mera. Please report it with the command line you ran and the trace above.");
            stderr.flush();
            return BUG;
        }
        if (debug()) {
            e.printStackTrace(stderr);
        }
        stderr.println("mera " + command + ": " + message);
        stderr.flush();
        return USER_ERROR;
    }

    /** Prints a user's mistake as one line (its stack trace first with --debug), for commands that pick their own exit code. */
    static void printOneLine(String command, PrintWriter stderr, Exception e) {
        if (debug()) {
            e.printStackTrace(stderr);
        }
        String message = userMessage(e);
        stderr.println(
                "mera " + command + ": " + (message == null ? oneLine(String.valueOf(e.getMessage())) : message));
        stderr.flush();
    }

    /** The one-line message of a user's mistake, or null when {@code e} is a bug. */
    static String userMessage(Throwable e) {
        if (e instanceof ExperimentRunner.CellFailedException cf) {
            Throwable cause = cf.getCause();
            String why = cause == null ? null : userMessage(cause);
            if (why == null) {
                return null;
            }
            return oneLine(cf.getMessage().replace(String.valueOf(cause), why))
                    + "; fix it and run the same command again to resume (finished cells are kept), or add --keep-going";
        }
        if (e instanceof ValidationException v) {
            return oneLine(v.getMessage().replace(":\n  - ", ": ").replace("\n  - ", "; "))
                    + "; fix the config (see docs/experiments.md) and run again";
        }
        if (e instanceof NoSuchFileException n) {
            return "file not found: " + n.getFile() + (n.getReason() == null ? "" : " (" + n.getReason() + ")")
                    + "; check the path";
        }
        if (e instanceof AccessDeniedException a) {
            return "permission denied: " + a.getFile() + "; choose a folder you can write to or fix its permissions";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException x) {
            // Files.createDirectories throws it, with no reason, for a file where a folder is to be made; mera's own
            // throws say why.
            return x.getReason() != null
                    ? "already exists: " + x.getFile() + " (" + x.getReason() + ")"
                    : "already exists and is not a folder: " + x.getFile()
                            + "; give a folder (a new one, or an earlier run's), not a file";
        }
        if (e instanceof FileSystemException f) {
            return oneLine(f.getMessage());
        }
        if (e instanceof UncheckedIOException u) {
            String inner = u.getCause() == null ? null : userMessage(u.getCause());
            return oneLine(
                    u.getMessage() == null || u.getMessage().equals(String.valueOf(u.getCause()))
                            ? inner
                            : u.getMessage() + (inner == null ? "" : ": " + inner));
        }
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
            var loc = j.getLocation();
            return oneLine(j.getOriginalMessage())
                    + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")");
        }
        if (e instanceof IOException
                || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException
                || e instanceof TrainingDivergedException) {
            return e.getMessage() == null ? String.valueOf(e) : oneLine(e.getMessage());
        }
        return null;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
