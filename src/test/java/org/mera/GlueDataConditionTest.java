package org.mera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/** The one place that decides what a GLUE test does without the data (this test needs no data itself). */
class GlueDataConditionTest {
    private static ExtensionContext context(Set<String> tags) {
        return (ExtensionContext) Proxy.newProxyInstance(
                ExtensionContext.class.getClassLoader(),
                new Class<?>[] {ExtensionContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getTags" -> tags;
                    case "getDisplayName" -> "SomeGlueTest";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void testsWithoutTheTagAlwaysRun() {
        assertFalse(new GlueData()
                .evaluateExecutionCondition(context(Set.of("quality")))
                .isDisabled());
    }

    @Test
    void aGlueTestIsSkippedWithItsReasonOutsideTheGlueProfileAndFailsWithoutDataInIt() {
        GlueData condition = new GlueData();
        ExtensionContext glueTest = context(Set.of("glue"));
        if (!GlueData.required()) {
            // The default suite: skipped, saying how to run it.
            ConditionEvaluationResult r = condition.evaluateExecutionCondition(glueTest);
            assertTrue(r.isDisabled());
            assertTrue(
                    r.getReason().orElseThrow().contains("-Pglue"),
                    r.getReason().orElseThrow());
        } else if (java.nio.file.Files.isDirectory(GlueData.ROOT)) {
            assertFalse(condition.evaluateExecutionCondition(glueTest).isDisabled());
        } else {
            // -Pglue promised the data: its absence is a failure, not a skip.
            AssertionFailedError e =
                    assertThrows(AssertionFailedError.class, () -> condition.evaluateExecutionCondition(glueTest));
            assertTrue(e.getMessage().contains(GlueData.ROOT.toAbsolutePath().toString()), e.getMessage());
        }
    }

    @Test
    void aMissingFileFailsNamingIt() {
        // Whether or not the data is here, a file that is not in it fails the test (no skip) with its path.
        AssertionFailedError e =
                assertThrows(AssertionFailedError.class, () -> GlueData.file("NO-SUCH-TASK/train.tsv"));
        String where = java.nio.file.Files.isDirectory(GlueData.ROOT)
                ? "NO-SUCH-TASK"
                : GlueData.ROOT.toAbsolutePath().toString();
        assertTrue(e.getMessage().contains(where), e.getMessage());
        assertEquals("glue", GlueData.TAG);
    }
}
