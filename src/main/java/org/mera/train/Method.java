package org.mera.train;

import java.util.List;
import java.util.Locale;
import org.mera.model.ClassificationHead;

/**
 * What a training run trains: a bottleneck adapter (Pfeiffer or Houlsby), LoRA, or the whole encoder,
 * always with a task head reading {@code headPooling}. Fusion runs train AdapterFusion layers over frozen
 * adapters.
 */
public record Method(
        Kind kind,
        int reductionFactor,
        String nonLinearity,
        int loraRank,
        float loraAlpha,
        float loraDropout,
        List<String> loraTargets,
        ClassificationHead.Pooling headPooling) {
    public enum Kind {
        PFEIFFER,
        HOULSBY,
        LORA,
        FULL,
        FUSION
    }

    public static Method parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "pfeiffer", "seq_bn", "adapter" -> of(Kind.PFEIFFER);
            case "houlsby", "double_seq_bn" -> of(Kind.HOULSBY);
            case "lora" -> of(Kind.LORA);
            case "full" -> of(Kind.FULL);
            case "fusion" -> of(Kind.FUSION);
            default ->
                throw new IllegalArgumentException(
                        "unknown method '" + name + "' (pfeiffer, houlsby, lora, full, fusion)");
        };
    }

    public static Method of(Kind kind) {
        return new Method(
                kind,
                16,
                kind == Kind.HOULSBY ? "swish" : "relu",
                8,
                16f,
                0.1f,
                List.of("query", "value"),
                ClassificationHead.Pooling.FIRST_TOKEN);
    }

    public Method withReductionFactor(int rf) {
        return new Method(kind, rf, nonLinearity, loraRank, loraAlpha, loraDropout, loraTargets, headPooling);
    }

    public Method withLora(int r, float alpha) {
        return new Method(kind, reductionFactor, nonLinearity, r, alpha, loraDropout, loraTargets, headPooling);
    }

    public Method withHeadPooling(ClassificationHead.Pooling pooling) {
        return new Method(kind, reductionFactor, nonLinearity, loraRank, loraAlpha, loraDropout, loraTargets, pooling);
    }

    public boolean isBottleneck() {
        return kind == Kind.PFEIFFER || kind == Kind.HOULSBY;
    }

    /** AdapterHub's architecture name. */
    public String adapterArchitecture() {
        return kind == Kind.HOULSBY ? "double_seq_bn" : "seq_bn";
    }

    /** The learning rate that suits the method when none is given: small for the whole encoder, larger for adapters. */
    public float defaultLearningRate() {
        return switch (kind) {
            case FULL -> 2e-5f;
            case LORA -> 5e-4f;
            default -> 1e-3f;
        };
    }
}
