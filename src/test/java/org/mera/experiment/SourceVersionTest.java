package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run records name the git commit mera was built from, and say when the sources it compiles differ from it. */
class SourceVersionTest {
    private static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "git " + args[0]);
        assertEquals(0, p.exitValue(), "git " + String.join(" ", args) + ": " + out);
        return out.strip();
    }

    private static boolean hasGit() {
        try {
            return new ProcessBuilder("git", "--version").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void aCheckoutIsNamedByItsCommitAndMarkedWhenItsSourcesDiffer(@TempDir Path repo) throws Exception {
        Assumptions.assumeTrue(hasGit(), "git is not installed");
        Files.createDirectories(repo.resolve("src/main/java"));
        Files.writeString(repo.resolve("src/main/java/A.java"), "class A {}\n");
        Files.writeString(repo.resolve("pom.xml"), "<project/>\n");
        Files.writeString(repo.resolve("README.md"), "notes\n");
        git(repo, "init", "-q");
        git(repo, "add", ".");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "first");
        String head = git(repo, "rev-parse", "--short=12", "HEAD");
        assertEquals(head, SourceVersion.of(repo));
        assertTrue(head.matches("[0-9a-f]{12}"), head);

        Files.writeString(repo.resolve("README.md"), "notes, and results beside them\n");
        Files.createDirectories(repo.resolve("experiments/results"));
        Files.writeString(repo.resolve("experiments/results/results.jsonl"), "{}\n");
        assertEquals(head, SourceVersion.of(repo), "what the build does not compile does not count");

        Files.writeString(repo.resolve("src/main/java/A.java"), "class A { int x; }\n");
        assertEquals(head + SourceVersion.MODIFIED, SourceVersion.of(repo));
        git(repo, "checkout", "-q", "--", "src");
        Files.writeString(repo.resolve("src/main/java/B.java"), "class B {}\n");
        assertEquals(head + SourceVersion.MODIFIED, SourceVersion.of(repo), "a new source file is built too");
    }

    @Test
    void aFolderOutsideGitIsUnknown(@TempDir Path dir) {
        Assumptions.assumeTrue(hasGit(), "git is not installed");
        assertTrue(SourceVersion.of(dir).startsWith("unknown (not a git checkout"), SourceVersion.of(dir));
    }

    @Test
    void theRunEnvironmentCarriesIt() {
        Object v = EnvironmentInfo.capture().get("meraSource");
        assertEquals(SourceVersion.current(), v);
        // the tests run from this project's target/classes: a git checkout here and in a plain clone
        Assumptions.assumeTrue(hasGit() && Files.exists(Path.of(".git")), "not run from a git checkout");
        assertTrue(String.valueOf(v).matches("[0-9a-f]{12}(\\+modified)?"), String.valueOf(v));
    }
}
