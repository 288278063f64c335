package org.mera.merge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mera.adapter.MergeProvenance;
import org.mera.adapter.lora.LoraConfig;
import org.mera.adapter.lora.LoraModule;
import org.mera.adapter.lora.LoraWeights;
import org.mera.io.Tensor;
import org.mera.model.ModelFamily;

/**
 * Merging PEFT LoRA adapters, following PEFT's {@code add_weighted_adapter} (s_k = each source's scaling,
 * w_k its weight). The result has lora_alpha = r, so its own scaling is 1.
 * <ul>
 * <li>{@code svd}: ΔW = Σ w_k s_k B_k A_k, factored back to rank r (default: the largest source rank) by a
 * truncated SVD. ΔW = B_cat · A_cat has rank ≤ Σ r_k, so the SVD is taken of the small core R_B · R_Aᵀ of the
 * QR factors of B_cat and A_catᵀ (one-sided Jacobi), never of the full [out × in] matrix;</li>
 * <li>{@code linear}: A = Σ √(w_k s_k) A_k, B = Σ √(w_k s_k) B_k (equal ranks needed; not ΔW-exact);</li>
 * <li>{@code cat}: A = [w_k s_k A_k] stacked, B = [B_k] side by side: rank Σ r_k, exactly ΔW.</li>
 * </ul>
 * Weights default to equal and are normalised to sum 1 unless {@code normalize=false}. Tensors that are not
 * LoRA factors (e.g. a classifier in modules_to_save) are task-specific and are not carried over.
 */
public final class LoraMerge {
    public static final Set<String> METHODS = Set.of("svd", "linear", "cat");

    private LoraMerge() {}

    public static LoraWeights merge(String method, List<LoraWeights> sources, MergeOptions o) {
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException(
                    "unknown merge method '" + method + "' for LoRA adapters (known: svd, linear, cat)");
        }
        Compatibility.requireMergeableLora(sources, method.equals("linear"));
        double[] w = o.resolveWeights(sources.size(), true);
        int newRank = switch (method) {
            case "linear" -> sources.get(0).config().r();
            case "cat" -> sources.stream().mapToInt(s -> s.config().r()).sum();
            default ->
                o.svdRank() > 0
                        ? o.svdRank()
                        : sources.stream().mapToInt(s -> s.config().r()).max().orElseThrow();
        };
        List<LoraModule> merged = new ArrayList<>();
        LoraWeights first = sources.get(0);
        for (int p = 0; p < first.modules().size(); p++) {
            List<LoraModule> mods = new ArrayList<>();
            double[] ws = new double[sources.size()];
            for (int k = 0; k < sources.size(); k++) {
                mods.add(sources.get(k).modules().get(p));
                ws[k] = w[k] * sources.get(k).scaling(mods.get(k)); // per-module: alpha_pattern, rank_pattern
            }
            merged.add(
                    switch (method) {
                        case "linear" -> linear(mods, ws);
                        case "cat" -> cat(mods, ws);
                        default -> svd(mods, ws, newRank);
                    });
        }
        Set<String> targets = new LinkedHashSet<>();
        sources.forEach(s -> targets.addAll(s.config().targetModules()));
        // A merge has no head: the sources' classifiers are task-specific and are not carried over, so the config
        // says so too (PEFT then loads the result on AutoModel, keys without the model prefix).
        LoraConfig config = first.config()
                .withRank(newRank, newRank)
                .withTargetModules(new ArrayList<>(targets))
                .withTask(LoraConfig.FEATURE_EXTRACTION, List.of());
        // cat of sources with per-module ranks (rank_pattern) gives per-module ranks: name them, each with alpha = rank
        Map<String, Integer> rankPattern = new LinkedHashMap<>();
        Map<String, Double> alphaPattern = new LinkedHashMap<>();
        for (LoraModule m : merged) {
            if (m.rank() != newRank) {
                String key = encoderModuleName(m.path()).replace(".", "\\.");
                rankPattern.put(key, m.rank());
                alphaPattern.put(key, (double) m.rank());
            }
        }
        config = config.withPatterns(rankPattern, alphaPattern);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("rank", Integer.toString(newRank));
        params.put("normalize", String.valueOf(o.normalize() == null || o.normalize()));
        MergeProvenance prov = new MergeProvenance(
                method,
                sources.stream().map(LoraWeights::name).toList(),
                Arrays.stream(w).boxed().toList(),
                params);
        return new LoraWeights(o.outputName(), config, merged, Map.of(), prov);
    }

    /** A module's name in PEFT's AutoModel: without {@code base_model.model.} and the family's prefix ({@code bert.}, ...). */
    private static String encoderModuleName(String path) {
        String name = LoraWeights.moduleName(path);
        for (ModelFamily family : ModelFamily.ALL) {
            String prefix = family.keyPrefix();
            if (name.startsWith(prefix)) {
                return name.substring(prefix.length());
            }
        }
        return name;
    }

    static LoraModule linear(List<LoraModule> mods, double[] ws) {
        LoraModule ref = mods.get(0);
        float[] a = new float[ref.a().numel()];
        float[] b = new float[ref.b().numel()];
        for (int i = 0; i < a.length; i++) {
            double s = 0;
            for (int k = 0; k < mods.size(); k++) {
                s += Math.sqrt(ws[k]) * mods.get(k).a().data()[i];
            }
            a[i] = (float) s;
        }
        for (int i = 0; i < b.length; i++) {
            double s = 0;
            for (int k = 0; k < mods.size(); k++) {
                s += Math.sqrt(ws[k]) * mods.get(k).b().data()[i];
            }
            b[i] = (float) s;
        }
        for (double x : ws) {
            if (x < 0) {
                throw new IllegalArgumentException(
                        "linear LoRA merge takes √(weight·scaling), so weights must be ≥ 0, got "
                                + Arrays.toString(ws));
            }
        }
        return new LoraModule(
                ref.path(),
                new Tensor(a, ref.a().shape()),
                new Tensor(b, ref.b().shape()));
    }

    static LoraModule cat(List<LoraModule> mods, double[] ws) {
        double[][] aCat = stackedA(mods, ws);
        double[][] bCat = concatenatedB(mods);
        return new LoraModule(mods.get(0).path(), toTensor(aCat), toTensor(bCat));
    }

    static LoraModule svd(List<LoraModule> mods, double[] ws, int rank) {
        double[][] aCat = stackedA(mods, ws); // [R × in]
        double[][] bCat = concatenatedB(mods); // [out × R]
        int total = aCat.length;
        int in = aCat[0].length;
        int out = bCat.length;
        double[][] newB = new double[out][rank];
        double[][] newA = new double[rank][in];
        int keep = Math.min(rank, Math.min(total, Math.min(in, out)));
        if (total <= Math.min(in, out)) {
            Linalg.QR qb = Linalg.qr(bCat);
            Linalg.QR qa = Linalg.qr(Linalg.transpose(aCat));
            double[][] core = Linalg.multiply(qb.r(), Linalg.transpose(qa.r()));
            Linalg.JacobiSvd svd = Linalg.jacobi(core); // core·V = U·S
            double[][] left = Linalg.multiply(qb.q(), svd.av()); // [out × R] = U_full·S
            double[][] right = Linalg.multiply(qa.q(), svd.v()); // [in × R] = V_full
            for (int j = 0; j < keep; j++) {
                for (int i = 0; i < out; i++) {
                    newB[i][j] = left[i][j];
                }
                for (int i = 0; i < in; i++) {
                    newA[j][i] = right[i][j];
                }
            }
        } else {
            // More stacked ranks than the matrix is wide: the dense update is the smaller problem.
            Linalg.JacobiSvd svd = Linalg.jacobi(Linalg.multiply(bCat, aCat));
            for (int j = 0; j < keep; j++) {
                for (int i = 0; i < out; i++) {
                    newB[i][j] = svd.av()[i][j];
                }
                for (int i = 0; i < in; i++) {
                    newA[j][i] = svd.v()[i][j];
                }
            }
        }
        return new LoraModule(mods.get(0).path(), toTensor(newA), toTensor(newB));
    }

    private static double[][] stackedA(List<LoraModule> mods, double[] ws) {
        int total = mods.stream().mapToInt(LoraModule::rank).sum();
        int in = mods.get(0).inFeatures();
        double[][] a = new double[total][in];
        int row = 0;
        for (int k = 0; k < mods.size(); k++) {
            LoraModule m = mods.get(k);
            for (int r = 0; r < m.rank(); r++, row++) {
                for (int i = 0; i < in; i++) {
                    a[row][i] = ws[k] * m.a().data()[r * in + i];
                }
            }
        }
        return a;
    }

    private static double[][] concatenatedB(List<LoraModule> mods) {
        int total = mods.stream().mapToInt(LoraModule::rank).sum();
        int out = mods.get(0).outFeatures();
        double[][] b = new double[out][total];
        int col = 0;
        for (LoraModule m : mods) {
            int r = m.rank();
            for (int c = 0; c < r; c++, col++) {
                for (int i = 0; i < out; i++) {
                    b[i][col] = m.b().data()[i * r + c];
                }
            }
        }
        return b;
    }

    /** scaling · B · A of one module, for checks: [out × in]. */
    public static double[][] deltaWeight(LoraModule m, double scaling) {
        int r = m.rank();
        int in = m.inFeatures();
        int out = m.outFeatures();
        double[][] d = new double[out][in];
        for (int i = 0; i < out; i++) {
            for (int p = 0; p < r; p++) {
                double bv = scaling * m.b().data()[i * r + p];
                for (int j = 0; j < in; j++) {
                    d[i][j] += bv * m.a().data()[p * in + j];
                }
            }
        }
        return d;
    }

    private static Tensor toTensor(double[][] m) {
        int rows = m.length;
        int cols = m[0].length;
        float[] d = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                d[i * cols + j] = (float) m[i][j];
            }
        }
        return new Tensor(d, rows, cols);
    }
}
