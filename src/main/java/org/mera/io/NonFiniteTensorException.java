package org.mera.io;

import java.nio.file.Path;

/**
 * A tensor read from a file holds NaN or ±Inf. Every tensor reader in {@code org.mera.io} (safetensors, ONNX,
 * TensorFlow checkpoints) calls {@link #requireFinite} on what it decodes, so no weight file can bring a
 * non-finite value into training, evaluation or a merge; the message names the file, the tensor, how many
 * values are bad and the first one's index.
 */
public final class NonFiniteTensorException extends MalformedFileException {
    private final String tensor;

    private NonFiniteTensorException(Path file, String tensor, String fault) {
        super(file, fault);
        this.tensor = tensor;
    }

    public String tensor() {
        return tensor;
    }

    /** Throws when {@code data} holds a NaN or an infinity; the check is one pass over the array. */
    public static void requireFinite(Path file, String tensor, float[] data) throws NonFiniteTensorException {
        int bad = 0;
        int first = -1;
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                if (first < 0) {
                    first = i;
                }
                bad++;
            }
        }
        if (bad > 0) {
            throw new NonFiniteTensorException(
                    file,
                    tensor,
                    "tensor " + tensor + " holds " + bad + " non-finite value"
                            + (bad == 1 ? "" : "s") + " (first " + data[first] + " at flat index " + first
                            + "); the file is damaged or was saved from a diverged run, re-create or re-download it");
        }
    }
}
