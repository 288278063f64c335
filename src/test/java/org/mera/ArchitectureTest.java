package org.mera;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package structure the brief asks for, checked on the compiled main classes: no cycle between the top-level
 * packages, and each package of the pipeline uses only the packages before it
 * (io → model → adapter → data → train → merge → experiment → cli; perf, the benchmarks, may use all but cli).
 */
class ArchitectureTest {
    /** The pipeline order; a package may depend on the ones before it only. */
    static final List<String> PIPELINE =
            List.of("io", "model", "adapter", "data", "train", "merge", "experiment", "cli");

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.mera");
    }

    @Test
    void topLevelPackagesAreFreeOfCycles() {
        slices().matching("org.mera.(*)..").should().beFreeOfCycles().check(classes);
    }

    /**
     * The forward pass multiplies by constants through EngineConstants only: DJL's number overloads put the constant
     * in Java memory that a garbage collection may free before the backward reads it (GarbageCollectionDuringStepTest).
     */
    @Test
    void theModelMultipliesByConstantsInEngineMemoryOnly() {
        String[] forward = {"org.mera.model..", "org.mera.adapter.."};
        Class<?> nd = ai.djl.ndarray.NDArray.class;
        noClasses()
                .that()
                .resideInAnyPackage(forward)
                .should()
                .callMethod(nd, "mul", Number.class)
                .orShould()
                .callMethod(nd, "muli", Number.class)
                .orShould()
                .callMethod(nd, "div", Number.class)
                .orShould()
                .callMethod(nd, "divi", Number.class)
                .orShould()
                .callMethod(nd, "pow", Number.class)
                .orShould()
                .callMethod(ai.djl.nn.Activation.class, "swish", ai.djl.ndarray.NDArray.class, float.class)
                .because("autograd keeps the constant's tensor for the backward; use org.mera.model.EngineConstants")
                .check(classes);
    }

    @Test
    void eachPackageUsesOnlyThePackagesBeforeItInThePipeline() {
        List<ArchRule> rules = new java.util.ArrayList<>();
        for (int i = 0; i < PIPELINE.size(); i++) {
            List<String> later = PIPELINE.subList(i + 1, PIPELINE.size()).stream()
                    .map(p -> "org.mera." + p + "..")
                    .toList();
            List<String> forbidden = new java.util.ArrayList<>(later);
            if (!PIPELINE.get(i).equals("cli")) {
                forbidden.add("org.mera.perf..");
            }
            rules.add(noClasses()
                    .that()
                    .resideInAPackage("org.mera." + PIPELINE.get(i) + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(forbidden.toArray(String[]::new))
                    .because("the pipeline order is " + String.join(" → ", PIPELINE)));
        }
        rules.add(noClasses()
                .that()
                .resideInAPackage("org.mera.perf..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.mera.cli..")
                .because("perf measures the pipeline; the CLI calls it, not the other way round"));
        // one report with every violation, not just the first broken layer's
        CompositeArchRule.of(rules).check(classes);
    }

    @Test
    void experimentSubpackagesKeepTheirOrder() {
        // experiment itself (config, grid, runner, results store) knows none of its subpackages: cell (how mera runs
        // one cell: the strategy per method and the source adapters) plugs in as a CellRunner, stats judges results
        // and report renders them. A report reads results files only, so it needs no cell code, and the statistics
        // know nothing of rendering.
        noClasses()
                .that()
                .resideInAPackage("org.mera.experiment")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.mera.experiment.cell..", "org.mera.experiment.stats..", "org.mera.experiment.report..")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage("org.mera.experiment.cell..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.mera.experiment.stats..", "org.mera.experiment.report..")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage("org.mera.experiment.stats..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.mera.experiment.report..", "org.mera.experiment.cell..")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage("org.mera.experiment.report..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.mera.experiment.cell..")
                .check(classes);
    }

    @Test
    void adapterKindsDoNotDependOnEachOther() {
        // PEFT's tuners/<method>/ rule: adding or changing one kind never touches another kind's folder
        // (fusion combines bottleneck adapters, so it alone may use bottleneck).
        for (String kind : List.of("bottleneck", "lora")) {
            List<String> others = java.util.stream.Stream.of("bottleneck", "lora", "fusion")
                    .filter(k -> !k.equals(kind))
                    .map(k -> "org.mera.adapter." + k + "..")
                    .toList();
            noClasses()
                    .that()
                    .resideInAPackage("org.mera.adapter." + kind + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(others.toArray(String[]::new))
                    .check(classes);
        }
    }
}
