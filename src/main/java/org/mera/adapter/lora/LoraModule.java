package org.mera.adapter.lora;

import org.mera.io.Tensor;

/**
 * The LoRA factors of one target module (e.g. {@code base_model.model.bert.encoder.layer.0.attention.self.query}):
 * A [r, in] and B [out, r]; the module's weight update is scaling · B · A.
 */
public record LoraModule(String path, Tensor a, Tensor b) {
    public LoraModule {
        if (a.rank() != 2 || b.rank() != 2 || b.dim(1) != a.dim(0)) {
            throw new IllegalArgumentException(path + ": lora_A " + a.shapeString() + " and lora_B " + b.shapeString()
                    + " do not form B·A (expected A [r,in], B [out,r])");
        }
    }

    public int rank() {
        return a.dim(0);
    }

    public int inFeatures() {
        return a.dim(1);
    }

    public int outFeatures() {
        return b.dim(0);
    }

    public String keyA() {
        return path + ".lora_A.weight";
    }

    public String keyB() {
        return path + ".lora_B.weight";
    }
}
