package org.mera.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KShotSamplerTest {
    private static List<Example> pool(Task task, int perClass) {
        List<Example> xs = new ArrayList<>();
        for (int i = 0; i < perClass; i++) {
            for (String label : task.labels()) {
                xs.add(new Example(label + " sentence " + i, task.pair() ? "other " + i : null, label));
            }
        }
        return xs;
    }

    private static Map<String, Long> counts(List<Example> xs) {
        return xs.stream().collect(Collectors.groupingBy(Example::label, TreeMap::new, Collectors.counting()));
    }

    @Test
    void balancedDeterministicAndSeedDependent() {
        List<Example> pool = pool(GlueTasks.MNLI, 40);
        List<Example> a = KShotSampler.sample(pool, GlueTasks.MNLI, 16, 13);
        assertEquals(Map.of("contradiction", 16L, "entailment", 16L, "neutral", 16L), counts(a));
        assertEquals(a, KShotSampler.sample(pool, GlueTasks.MNLI, 16, 13));
        assertNotEquals(a, KShotSampler.sample(pool, GlueTasks.MNLI, 16, 21));
        assertEquals(48, new HashSet<>(a).size(), "drawn without replacement");
        // Not grouped by class: the final shuffle mixes them.
        assertNotEquals(a.subList(0, 16).stream().map(Example::label).distinct().count(), 1L);
    }

    @Test
    void devIsDisjointAndTrainMatchesSample() {
        List<Example> pool = pool(GlueTasks.RTE, 40);
        KShotSampler.Split split = KShotSampler.sampleTrainAndDev(pool, GlueTasks.RTE, 16, 42);
        assertEquals(split.train(), KShotSampler.sample(pool, GlueTasks.RTE, 16, 42));
        assertEquals(Map.of("entailment", 16L, "not_entailment", 16L), counts(split.dev()));
        Set<Example> overlap = new HashSet<>(split.train());
        overlap.retainAll(split.dev());
        assertTrue(overlap.isEmpty());
    }

    @Test
    void tooFewExamplesNamesTheClass() {
        List<Example> pool = new ArrayList<>(pool(GlueTasks.SST2, 20));
        pool.removeIf(x -> x.label().equals("1") && !x.textA().endsWith(" 3"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> KShotSampler.sample(pool, GlueTasks.SST2, 16, 13));
        assertTrue(e.getMessage().contains("class '1' has only 1 examples"), e.getMessage());
        assertTrue(e.getMessage().contains("the largest k these examples allow is 1"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> KShotSampler.sampleTrainAndDev(pool(GlueTasks.SST2, 20), GlueTasks.SST2, 16, 13));
        assertThrows(
                IllegalArgumentException.class,
                () -> KShotSampler.sample(List.of(new Example("x", null, null)), GlueTasks.SST2, 1, 1));
    }

    @Test
    void regressionIsBinnedAtTheThreshold() {
        List<Example> pool = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            pool.add(new Example("a" + i, "b" + i, String.valueOf(i * 0.05)));
        }
        assertEquals(2.5, KShotSampler.defaultThreshold(GlueTasks.STSB, pool));
        List<Example> s = KShotSampler.sample(pool, GlueTasks.STSB, 8, 1);
        assertEquals(
                8, s.stream().filter(x -> Double.parseDouble(x.label()) < 2.5).count());
        assertEquals(16, s.size());
        Task other = new Task("Sim", true, List.of(), "spearman", "x");
        assertEquals((49 * 0.05 + 50 * 0.05) / 2, KShotSampler.defaultThreshold(other, pool), 1e-12);
        List<Example> t = KShotSampler.sample(pool, other, 50, 1);
        assertEquals(100, t.size());
        assertThrows(IllegalArgumentException.class, () -> KShotSampler.sample(pool, other, 51, 1));
        List<Example> u = KShotSampler.sample(pool, other, 10, 1, 4.0);
        assertEquals(
                10, u.stream().filter(x -> Double.parseDouble(x.label()) >= 4.0).count());
    }
}
