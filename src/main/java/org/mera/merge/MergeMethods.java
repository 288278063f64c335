package org.mera.merge;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The bottleneck-adapter merge methods by name. */
public final class MergeMethods {
    private static final Map<String, MergeMethod> METHODS;

    static {
        Map<String, MergeMethod> m = new LinkedHashMap<>();
        m.put("ot", new OtMerge());
        m.put("average", LinearMerge.average());
        m.put("sum", LinearMerge.sum());
        m.put("task-arithmetic", new TaskVectorMerge(TaskVectorMerge.Kind.TASK_ARITHMETIC));
        m.put("magnitude-prune", new TaskVectorMerge(TaskVectorMerge.Kind.MAGNITUDE_PRUNE));
        m.put("ties", new TaskVectorMerge(TaskVectorMerge.Kind.TIES));
        m.put("dare", new TaskVectorMerge(TaskVectorMerge.Kind.DARE_LINEAR));
        m.put("dare-linear", new TaskVectorMerge(TaskVectorMerge.Kind.DARE_LINEAR));
        m.put("dare-ties", new TaskVectorMerge(TaskVectorMerge.Kind.DARE_TIES));
        METHODS = java.util.Collections.unmodifiableMap(m);
    }

    private MergeMethods() {
    }

    public static MergeMethod get(String name) {
        MergeMethod m = METHODS.get(name.toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        if (m == null) {
            throw new IllegalArgumentException("unknown merge method '" + name + "' for bottleneck adapters (known: "
                    + String.join(", ", METHODS.keySet()) + ")");
        }
        return m;
    }

    public static Set<String> names() {
        return METHODS.keySet();
    }

    /** Methods whose result depends on {@code density}. */
    public static boolean usesDensity(String name) {
        return Set.of("magnitude-prune", "ties", "dare", "dare-linear", "dare-ties").contains(name);
    }
}
