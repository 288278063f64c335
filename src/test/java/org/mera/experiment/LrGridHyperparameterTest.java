package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LrGridHyperparameterTest {
    private static Hyperparameters resolve(Object grid, List<String> problems) {
        return Hyperparameters.resolve(
                Method.FULL, Map.of("full", Map.of("lrGrid", grid)), Hyperparameters.KNOWN, problems);
    }

    @Test
    void aGridIsCheckedAndKeptAscending() {
        List<String> problems = new ArrayList<>();
        Hyperparameters h = resolve(List.of(5e-5, 1e-5, 2e-5), problems);
        assertTrue(problems.isEmpty(), problems.toString());
        assertEquals(List.of(1e-5, 2e-5, 5e-5), h.getDoubleList("lrGrid"));
        assertEquals(resolve(List.of(1e-5, 2e-5, 5e-5), problems), h, "the order written does not change the cell key");

        for (Object bad : List.<Object>of(List.of(), List.of(1e-5, -1.0), List.of(1e-5, 1e-5), "1e-5", List.of("x"))) {
            List<String> p = new ArrayList<>();
            resolve(bad, p);
            assertEquals(1, p.size(), bad + ": " + p);
            assertTrue(p.get(0).startsWith("hyperparameters.full.lrGrid: "), p.get(0));
        }
        List<String> none = new ArrayList<>();
        assertFalse(
                Hyperparameters.resolve(Method.FULL, Map.of(), Hyperparameters.KNOWN, none)
                        .asMap()
                        .containsKey("lrGrid"),
                "unset unless a config sets it, so existing cell keys do not change");
    }
}
