package org.mera.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mera.io.Tensor;

/**
 * A pretrained model's weights as engine arrays, created once per process and shared read-only by every encoder
 * built from it: a frozen parameter is the shared array itself, and only a parameter that training updates gets
 * its own copy ({@link Param#setTrainable}). The weights then sit in memory once, not once on the Java heap and
 * again in each encoder: for bert-base that is 420 MB less per process and per concurrent encoder.
 * The arrays belong to a manager that is never closed; nothing may write to them.
 */
public final class SharedWeights {
    private final NDManager manager;
    private final Map<String, NDArray> arrays;

    private SharedWeights(NDManager manager, Map<String, NDArray> arrays) {
        this.manager = manager;
        this.arrays = Collections.unmodifiableMap(arrays);
    }

    /**
     * How many arrays the shared manager holds: the weights only, always. An operation's result belongs to its first
     * operand's manager (the input's, never a weight's), so nothing computed should ever land here.
     */
    int managedArrays() {
        return manager.getManagedArrays().size();
    }

    /** Engine copies of {@code weights}, each Java array released as soon as it is copied (the map is emptied). */
    static SharedWeights take(Map<String, Tensor> weights) {
        NDManager manager = NDManager.newBaseManager();
        Map<String, NDArray> out = new LinkedHashMap<>();
        var it = weights.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Tensor> e = it.next();
            NDArray a = manager.create(
                    e.getValue().data(), Params.shape(e.getValue().shape()));
            a.setName(e.getKey());
            out.put(e.getKey(), a);
            it.remove();
        }
        return new SharedWeights(manager, out);
    }

    public boolean contains(String name) {
        return arrays.containsKey(name);
    }

    /** The shared array, or null. */
    NDArray get(String name) {
        return arrays.get(name);
    }

    public java.util.Set<String> names() {
        return arrays.keySet();
    }

    /** Java copies of the weights whose names start with {@code prefix}. */
    public Map<String, Tensor> tensors(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        arrays.forEach((name, a) -> {
            if (name.startsWith(prefix)) {
                out.put(name, Params.toTensor(a));
            }
        });
        return out;
    }
}
