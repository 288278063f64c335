package org.mera.adapter;

/**
 * The encoder an adapter was trained for, as adapter_config.json records it: {@code model_name}
 * (e.g. bert-base-uncased), {@code model_type} (bert, roberta), {@code model_class} and {@code hidden_size}.
 */
public record EncoderInfo(String modelName, String modelType, String modelClass, int hiddenSize) {
    public EncoderInfo {
        if (hiddenSize <= 0) {
            throw new IllegalArgumentException("hidden_size must be positive, got " + hiddenSize);
        }
    }

    public static EncoderInfo bertBase() {
        return new EncoderInfo("bert-base-uncased", "bert", "BertAdapterModel", 768);
    }
}
