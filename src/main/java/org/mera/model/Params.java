package org.mera.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mera.io.Tensor;

/**
 * All parameters of a model by name, owned by one long-lived NDManager. Modules (encoder blocks,
 * adapters, heads) create their parameters here, so training, saving and counting see one list.
 */
public final class Params implements AutoCloseable {
    private final NDManager manager;
    private final SharedWeights shared;
    private final Map<String, Param> byName = new LinkedHashMap<>();

    public Params(NDManager manager) {
        this(manager, null);
    }

    /** Parameters whose pretrained values, where {@code shared} has them, are its arrays until made trainable. */
    public Params(NDManager manager, SharedWeights shared) {
        this.manager = manager;
        this.shared = shared;
    }

    /** Whether {@code key} can be taken: from the shared weights or from {@code weights}. */
    public boolean has(Map<String, Tensor> weights, String key) {
        return (shared != null && shared.contains(key)) || weights.containsKey(key);
    }

    public NDManager manager() {
        return manager;
    }

    public Param create(String name, Tensor value) {
        if (byName.containsKey(name)) {
            throw new IllegalArgumentException("parameter " + name + " already exists");
        }
        NDArray array = manager.create(value.data(), shape(value.shape()));
        array.setName(name);
        Param p = new Param(name, array);
        byName.put(name, p);
        return p;
    }

    /** Takes {@code key} out of {@code weights} and makes it a parameter, with a clear error when it is missing or misshapen. */
    public Param take(Map<String, Tensor> weights, String key, int... expectedShape) {
        NDArray sharedArray = shared == null ? null : shared.get(key);
        if (sharedArray != null) {
            if (byName.containsKey(key)) {
                throw new IllegalArgumentException("parameter " + key + " already exists");
            }
            if (expectedShape.length > 0 && !sharedArray.getShape().equals(shape(expectedShape))) {
                throw new IllegalArgumentException("weight '" + key + "' has shape " + sharedArray.getShape()
                        + ", expected " + java.util.Arrays.toString(expectedShape));
            }
            Param p = new Param(key, sharedArray, manager, true);
            byName.put(key, p);
            return p;
        }
        Tensor t = weights.get(key);
        if (t == null) {
            throw new IllegalArgumentException("weight '" + key + "' is missing");
        }
        if (expectedShape.length > 0 && !java.util.Arrays.equals(t.shape(), expectedShape)) {
            throw new IllegalArgumentException("weight '" + key + "' has shape " + t.shapeString() + ", expected "
                    + java.util.Arrays.toString(expectedShape));
        }
        return create(key, t);
    }

    public Param get(String name) {
        Param p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return p;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public Collection<Param> all() {
        return byName.values();
    }

    public List<Param> trainable() {
        List<Param> out = new ArrayList<>();
        for (Param p : byName.values()) {
            if (p.trainable()) {
                out.add(p);
            }
        }
        return out;
    }

    public long count(boolean trainableOnly) {
        long n = 0;
        for (Param p : byName.values()) {
            if (!trainableOnly || p.trainable()) {
                n += p.array().size();
            }
        }
        return n;
    }

    /** A copy of the parameters whose names start with {@code prefix}, as plain tensors. */
    public Map<String, Tensor> snapshot(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Param p : byName.values()) {
            if (p.name().startsWith(prefix)) {
                out.put(p.name(), toTensor(p.array()));
            }
        }
        return out;
    }

    /** A tensor shape as the engine's. */
    static Shape shape(int[] s) {
        long[] shape = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = s[i];
        }
        return new Shape(shape);
    }

    public static Tensor toTensor(NDArray a) {
        long[] s = a.getShape().getShape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
        return new Tensor(a.toFloatArray(), shape);
    }

    @Override
    public void close() {
        manager.close();
    }
}
