package org.mera.experiment;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Which mera source a run was built from, for its run record: the git commit of the checkout whose {@code target/}
 * the classes were loaded from (12 hex digits), with "+modified" when any module's {@code src/} or {@code pom.xml}
 * differs from it (what the builds compile; results and notes elsewhere in the checkout do not count). A reader can
 * then tell which cells ran before or after a fix without going by timestamps. "unknown (...)" when the classes do
 * not sit in a git checkout (an installed jar, Spark's assembly on a cluster) or git cannot answer.
 */
public final class SourceVersion {
    public static final String MODIFIED = "+modified";
    private static volatile String current;

    private SourceVersion() {}

    /** This process's source version, worked out once. */
    public static String current() {
        String v = current;
        if (v == null) {
            v = checkout().map(SourceVersion::of).orElse("unknown (classes not loaded from a checkout's target/)");
            current = v;
        }
        return v;
    }

    /** The checkout whose target/classes or target/*.jar holds this class, if that is where it was loaded from. */
    static java.util.Optional<Path> checkout() {
        try {
            var source = SourceVersion.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return java.util.Optional.empty();
            }
            Path p = Path.of(source.getLocation().toURI()).toAbsolutePath();
            Path target = p.getParent(); // p is target/classes or target/x.jar
            if (target == null || !target.getFileName().toString().equals("target") || target.getParent() == null) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(target.getParent());
        } catch (URISyntaxException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** The source version of the git checkout at {@code dir}; never throws. */
    static String of(Path dir) {
        try {
            Answer head = git(dir, "rev-parse", "--short=12", "HEAD");
            if (head.exitCode() != 0 || head.out().isBlank()) {
                return "unknown (not a git checkout: " + dir + ")";
            }
            // every module's sources and POM (spark/ too), whichever folder of the checkout dir is
            Answer status = git(dir, "status", "--porcelain", "--", ":(top,glob)**/src/**", ":(top,glob)**/pom.xml");
            if (status.exitCode() != 0) {
                return head.out().strip() + " (modifications unknown: git status failed)";
            }
            return head.out().strip() + (status.out().isBlank() ? "" : MODIFIED);
        } catch (IOException e) {
            return "unknown (git: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted while asking git)";
        }
    }

    private record Answer(int exitCode, String out) {}

    private static Answer git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("git " + args[0] + " did not answer in 20 s");
        }
        return new Answer(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
