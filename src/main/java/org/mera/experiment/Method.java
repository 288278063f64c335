package org.mera.experiment;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.mera.adapter.AdapterKind;
import org.mera.merge.MergeMethods;

/** The ways of learning a target task that an experiment grid compares; {@link #id()} is the config spelling. */
public enum Method {
    /** Full fine-tuning of the encoder on the few-shot data. */
    FULL("full", false, null),
    /** A fresh bottleneck adapter trained on the few-shot data. */
    ADAPTER("adapter", false, null),
    /** Each pretrained source adapter fine-tuned few-shot on its own; one cell per source. */
    SINGLE("single", true, null),
    /** AdapterFusion over all source adapters. */
    FUSION("fusion", true, null),
    /** MerA: source adapters merged by summing their weights (the paper's "sum"), then fine-tuned. */
    MERA_SUM("mera-sum", true, "sum"),
    /** MerA: source adapters merged by plain weight averaging, then fine-tuned. */
    MERA_AVERAGE("mera-average", true, "average"),
    /** MerA: source adapters aligned by optimal transport, then averaged and fine-tuned. */
    MERA_OT("mera-ot", true, "ot"),
    /** MerA over only the sources in the target task's track. */
    MERA_SAME_TRACK("mera-same-track", true, "ot"),
    /** MerA where the runner picks the sources/merge (e.g. on the dev split) from all candidates. */
    MERA_AUTO("mera-auto", true, "ot");

    private final String id;
    private final boolean usesSources;
    private final String mergeMethod;

    /** @param mergeMethod the {@link MergeMethods} entry a mera-* method merges its sources with; null for the others */
    Method(String id, boolean usesSources, String mergeMethod) {
        this.id = id;
        this.usesSources = usesSources;
        // looked up now, so that a grid method naming an unregistered merge fails on first use of the enum
        this.mergeMethod = mergeMethod == null
                ? null
                : MergeMethods.get(mergeMethod, AdapterKind.BOTTLENECK).name();
    }

    /** The registered merge method (name in {@link MergeMethods}) of a mera-* method; an error for the others. */
    public String mergeMethod() {
        if (mergeMethod == null) {
            throw new IllegalStateException(id + " merges no adapters");
        }
        return mergeMethod;
    }

    public String id() {
        return id;
    }

    /** Whether the method starts from pretrained source adapters. */
    public boolean usesSources() {
        return usesSources;
    }

    /** Merges (and fusion) need at least two adapters to combine. */
    public int minimumSources() {
        return switch (this) {
            case FULL, ADAPTER -> 0;
            case SINGLE, MERA_SAME_TRACK -> 1;
            case FUSION, MERA_SUM, MERA_AVERAGE, MERA_OT, MERA_AUTO -> 2;
        };
    }

    public static Optional<Method> fromId(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.id.equals(wanted)).findFirst();
    }

    public static String knownIds() {
        return Arrays.stream(values()).map(Method::id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }
}
