package org.mera.adapter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.mera.adapter.fusion.AdapterFusionDirectory;
import org.mera.adapter.lora.AdapterHubLoraDirectory;
import org.mera.adapter.lora.PeftLoraDirectory;

/**
 * The adapter kinds mera knows, each a folder of this package ({@code bottleneck/}, {@code lora/}, {@code fusion/})
 * with its config, weights, layer and file format together (PEFT's {@code tuners/<method>/}). This list is the one
 * place that tells a directory's kind from its files; a new kind is a new folder plus one constant here.
 */
// trainingMethods are List.of (unmodifiable) and detectors stateless method references, which the check cannot see.
@SuppressWarnings("ImmutableEnumChecker")
public enum AdapterKind {
    /** Pfeiffer / Houlsby bottleneck adapters in AdapterHub directories. */
    BOTTLENECK(
            "bottleneck",
            true,
            List.of("pfeiffer", "houlsby"),
            dir -> AdapterHubFormat.isAdapterHub(dir) && !AdapterHubLoraDirectory.isLora(dir)),
    /** LoRA, in PEFT directories or as AdapterHub's LoRAConfig. */
    LORA(
            "lora",
            true,
            List.of("lora"),
            dir -> PeftLoraDirectory.isPeftLora(dir)
                    || (AdapterHubFormat.isAdapterHub(dir) && AdapterHubLoraDirectory.isLora(dir))),
    /** AdapterFusion weights: attention over bottleneck adapters, useless without them. */
    FUSION("fusion", false, List.of("fusion"), AdapterFusionDirectory::isAdapterFusion);

    /** Whether a directory holds this kind; may read its config file. */
    @FunctionalInterface
    interface Detector {
        boolean holds(Path dir) throws IOException;
    }

    private final String id;
    private final boolean standalone;
    private final List<String> trainingMethods;
    private final Detector detector;

    AdapterKind(String id, boolean standalone, List<String> trainingMethods, Detector detector) {
        this.id = id;
        this.standalone = standalone;
        this.trainingMethods = trainingMethods;
        this.detector = detector;
    }

    public String id() {
        return id;
    }

    /** Whether an adapter of this kind works on its own (a source adapter); fusion needs the adapters it fuses. */
    public boolean standalone() {
        return standalone;
    }

    /** The {@code mera train --method} values that produce this kind. */
    public List<String> trainingMethods() {
        return trainingMethods;
    }

    /** The kind of adapter in {@code dir}, or empty when its files are none of the kinds (checked in list order). */
    public static Optional<AdapterKind> of(Path dir) throws IOException {
        for (AdapterKind k : values()) {
            if (k.detector.holds(dir)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** The kinds' ids, for messages. */
    public static String knownIds() {
        return String.join(", ", Arrays.stream(values()).map(AdapterKind::id).toList());
    }

    @Override
    public String toString() {
        return id;
    }
}
