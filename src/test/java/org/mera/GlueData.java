package org.mera;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Where tests find the real GLUE data, and what a test tagged {@code glue} does without it, decided in one place
 * (registered for every test through META-INF/services and junit-platform.properties):
 * <ul>
 * <li>in the {@code glue} profile (-Pglue, system property {@code mera.glue=required}) it runs, and a missing data
 * folder or file fails it, naming the path; nothing is skipped;</li>
 * <li>in the default suite it is skipped, with the reason in the report and one line on stderr, never silently.</li>
 * </ul>
 * {@code -Dmera.glue.root=DIR} points the tests at another copy of the data.
 */
public final class GlueData implements ExecutionCondition {
    public static final String TAG = "glue";
    public static final Path ROOT = Path.of(System.getProperty("mera.glue.root", "../shared/data/glue"));

    /** Whether this run promised the data (the glue profile), so that its absence is a failure. */
    public static boolean required() {
        return "required".equals(System.getProperty("mera.glue"));
    }

    /** The data folder; in the glue profile a missing one fails the calling test. */
    public static Path root() {
        assertTrue(
                Files.isDirectory(ROOT),
                "the glue profile needs the GLUE data folder; not found at " + ROOT.toAbsolutePath());
        return ROOT;
    }

    /** A file or folder of the GLUE data, e.g. {@code "RTE/test.tsv"}; missing, it fails the test naming it. */
    public static Path file(String relative) {
        Path p = root().resolve(relative);
        assertTrue(Files.exists(p), "GLUE data file missing: " + p.toAbsolutePath());
        return p;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!context.getTags().contains(TAG)) {
            return ConditionEvaluationResult.enabled("does not read the GLUE data");
        }
        if (required()) {
            // Thrown here, the failure is reported on the class or test instead of a skip.
            root();
            return ConditionEvaluationResult.enabled("glue profile, data at " + ROOT.toAbsolutePath());
        }
        String reason = "reads the real GLUE data: runs with -Pglue (.ci/run adds it when " + ROOT + " exists"
                + (Files.isDirectory(ROOT) ? ", as it does here" : "; not found at " + ROOT.toAbsolutePath()) + ")";
        System.err.println("SKIPPED " + context.getDisplayName() + ": " + reason);
        return ConditionEvaluationResult.disabled(reason);
    }
}
