package org.mera.perf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.mera.model.EncoderConfig;

/**
 * The matrix products of an encoder step alone, at the step's shapes, timed through the same engine and BLAS: the
 * time no float32 implementation of the step on this machine can beat (everything else a step does, from
 * LayerNorm to the optimizer, only adds to it). Three sets, timed separately and summed into floors:
 * <ul>
 *   <li>forward: per layer the query, key, value, attention-output and two feed-forward projections
 *       ({@code x · Wᵀ}, weights stored [out, in] as torch's linear keeps them) and the two attention products
 *       ({@code q · kᵀ}, {@code p · v});
 *   <li>input gradients, what an adapter or LoRA step adds (frozen weights): {@code dY · W} per projection and the
 *       four products of attention's backward ({@code dO · vᵀ}, {@code pᵀ · dO}, {@code dS · k}, {@code dSᵀ · q});
 *   <li>weight gradients, what full fine-tuning adds: {@code dYᵀ · X} per projection.
 * </ul>
 * Each layer has its own weight arrays, as in the model, so no product finds another's weights in cache.
 */
public final class MatmulFloor {
    /**
     * Median seconds and floating-point operations of each set.
     *
     * @param forwardSeconds     the forward's products
     * @param inputGradSeconds   the input-gradient products
     * @param weightGradSeconds  the weight-gradient products
     */
    public record Result(
            double forwardSeconds,
            double inputGradSeconds,
            double weightGradSeconds,
            double forwardFlops,
            double inputGradFlops,
            double weightGradFlops) {
        /** Floor of an inference forward pass. */
        public double forwardFloor() {
            return forwardSeconds;
        }

        /** Floor of an adapter or LoRA training step: forward plus input gradients (their own products are tiny). */
        public double adapterStepFloor() {
            return forwardSeconds + inputGradSeconds;
        }

        /** Floor of a full fine-tuning step: forward, input gradients and weight gradients. */
        public double fullStepFloor() {
            return forwardSeconds + inputGradSeconds + weightGradSeconds;
        }

        /** The floors as report rows, named after {@code label} and the batch shape. */
        public List<BenchRow> rows(String label, int batchSize, int seqLen, double peakRssMiB) {
            String shape = " " + batchSize + "x" + seqLen;
            return List.of(
                    floorRow(
                            label + " forward, matrix products alone" + shape,
                            forwardFloor(),
                            forwardFlops,
                            peakRssMiB),
                    floorRow(
                            label + " adapter/LoRA step, matrix products alone" + shape,
                            adapterStepFloor(),
                            forwardFlops + inputGradFlops,
                            peakRssMiB),
                    floorRow(
                            label + " full step, matrix products alone" + shape,
                            fullStepFloor(),
                            forwardFlops + inputGradFlops + weightGradFlops,
                            peakRssMiB));
        }

        private static BenchRow floorRow(String name, double seconds, double flops, double peakRssMiB) {
            return new BenchRow(name, seconds, Double.NaN, "", flops / seconds / 1e9, peakRssMiB);
        }
    }

    /** One product to time: {@code a · b}, each operand optionally transposed (a view, as the model's would be). */
    record Product(NDArray a, boolean transposeA, NDArray b, boolean transposeB) {
        NDArray compute() {
            NDArray x = transposeA ? swapLast(a) : a;
            NDArray y = transposeB ? swapLast(b) : b;
            return x.matMul(y);
        }

        double flops() {
            Shape sa = transposeA ? swapped(a.getShape()) : a.getShape();
            Shape sb = transposeB ? swapped(b.getShape()) : b.getShape();
            int n = sa.dimension();
            double batch = 1;
            for (int i = 0; i < n - 2; i++) {
                batch *= sa.get(i);
            }
            return 2 * batch * sa.get(n - 2) * sa.get(n - 1) * sb.get(n - 1);
        }

        private static NDArray swapLast(NDArray x) {
            int n = x.getShape().dimension();
            int[] axes = new int[n];
            for (int i = 0; i < n; i++) {
                axes[i] = i;
            }
            axes[n - 2] = n - 1;
            axes[n - 1] = n - 2;
            return x.transpose(axes);
        }

        private static Shape swapped(Shape s) {
            long[] d = s.getShape().clone(); // Shape hands out its own array
            long last = d[d.length - 1];
            d[d.length - 1] = d[d.length - 2];
            d[d.length - 2] = last;
            return new Shape(d);
        }
    }

    private MatmulFloor() {}

    /** The three product sets of one step of {@code config} on a {@code batchSize × seqLen} batch. */
    static List<List<Product>> products(NDManager m, EncoderConfig config, int batchSize, int seqLen) {
        long n = (long) batchSize * seqLen;
        int h = config.hiddenSize();
        int f = config.intermediateSize();
        int heads = config.numHeads();
        int d = config.headSize();
        Shape perHead = new Shape(batchSize, heads, seqLen, d);
        Shape scores = new Shape(batchSize, heads, seqLen, seqLen);
        // Activations are reused across layers (their values do not change a product's time); weights are not.
        NDArray xh = m.randomNormal(new Shape(n, h));
        NDArray xf = m.randomNormal(new Shape(n, f));
        NDArray q = m.randomNormal(perHead);
        NDArray k = m.randomNormal(perHead);
        NDArray v = m.randomNormal(perHead);
        NDArray dO = m.randomNormal(perHead);
        NDArray p = m.randomUniform(0, 1, scores);
        NDArray dS = m.randomNormal(scores);
        List<Product> forward = new ArrayList<>();
        List<Product> inputGrad = new ArrayList<>();
        List<Product> weightGrad = new ArrayList<>();
        for (int layer = 0; layer < config.numLayers(); layer++) {
            // [out, in] weights: q, k, v and attention output (h×h), intermediate (f×h), output (h×f).
            List<NDArray[]> projections = new ArrayList<>(); // {weight, input, output gradient}
            for (int i = 0; i < 4; i++) {
                projections.add(new NDArray[] {m.randomNormal(new Shape(h, h)), xh, xh});
            }
            projections.add(new NDArray[] {m.randomNormal(new Shape(f, h)), xh, xf});
            projections.add(new NDArray[] {m.randomNormal(new Shape(h, f)), xf, xh});
            for (NDArray[] pr : projections) {
                forward.add(new Product(pr[1], false, pr[0], true)); // y = x · Wᵀ
                inputGrad.add(new Product(pr[2], false, pr[0], false)); // dx = dy · W
                weightGrad.add(new Product(pr[2], true, pr[1], false)); // dW = dyᵀ · x
            }
            forward.add(new Product(q, false, k, true)); // scores = q · kᵀ
            forward.add(new Product(p, false, v, false)); // context = p · v
            inputGrad.add(new Product(dO, false, v, true)); // dp = dO · vᵀ
            inputGrad.add(new Product(p, true, dO, false)); // dv = pᵀ · dO
            inputGrad.add(new Product(dS, false, k, false)); // dq = dS · k
            inputGrad.add(new Product(dS, true, q, false)); // dk = dSᵀ · q
        }
        return List.of(forward, inputGrad, weightGrad);
    }

    /** Times each set {@code warmup + runs} times (each product's result freed at once) and keeps medians. */
    public static Result run(EncoderConfig config, int batchSize, int seqLen, int warmup, int runs) {
        try (NDManager m = NDManager.newBaseManager()) {
            List<List<Product>> sets = products(m, config, batchSize, seqLen);
            double[] seconds = new double[3];
            double[] flops = new double[3];
            for (int s = 0; s < 3; s++) {
                List<Product> set = sets.get(s);
                seconds[s] = Medians.of(warmup, runs, () -> {
                    for (Product pr : set) {
                        pr.compute().close();
                    }
                });
                flops[s] = set.stream().mapToDouble(Product::flops).sum();
            }
            return new Result(seconds[0], seconds[1], seconds[2], flops[0], flops[1], flops[2]);
        }
    }
}
