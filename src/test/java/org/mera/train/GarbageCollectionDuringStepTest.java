package org.mera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mera.data.Batch;
import org.mera.model.BertEncoder;
import org.mera.model.ClassificationHead;
import org.mera.model.Dropout;
import org.mera.model.Param;
import org.mera.model.TestEncoders;

/**
 * A garbage collection between a training step's forward and its backward leaves the gradients bit for bit as they
 * were. DJL's number overloads ({@code muli(Number)}, {@code Activation.swish}) wrap the constant in a Java direct
 * buffer that the collector may free while autograd still holds a tensor over it for the backward; before the model
 * used {@code EngineConstants} (attention scaling, dropout, LoRA and adapter scaling; Houlsby adapters' swish is
 * x · sigmoid(x)), this test saw gradient norms of 1e16, Infinity and NaN, and a minilm run's result depended on when
 * the JVM happened to collect.
 */
class GarbageCollectionDuringStepTest {
    private static Batch batch;

    @BeforeAll
    static void setUp() throws Exception {
        batch = TestEncoders.sentences(
                new int[] {1, 0, 1},
                "A gripping, beautifully acted film.",
                "Dull and far too long.",
                "The cast is wonderful and the script sparkles.");
    }

    /** The trainable parameters' gradients after one dropout-on forward and backward; optionally collect in between. */
    private static List<float[]> gradients(Method method, boolean collectBeforeBackward) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            BertEncoder enc = BertEncoder.load(TestEncoders.minilm(), m);
            TrainingRun.installMethod(enc, method, null, 11);
            TaskModel model =
                    new TaskModel(enc, ClassificationHead.create(enc.params(), "sst", 384, List.of("0", "1"), 0.1f, 3));
            List<float[]> out = new ArrayList<>();
            Dropout.seed(7);
            try (NDScope scope = new NDScope();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = model.loss(model.forward(batch, true), batch);
                if (collectBeforeBackward) {
                    collectAndReuseFreedMemory(m);
                }
                collector.backward(loss);
            }
            for (Param p : model.trainable()) {
                try (NDArray g = p.array().getGradient()) {
                    out.add(g.toFloatArray());
                }
                JniUtils.zeroGrad((PtNDArray) p.array());
            }
            return out;
        }
    }

    /**
     * Frees every unreachable direct buffer (the JDK frees them on the reference-handler thread after a collection),
     * then allocates small engine arrays from Java memory so that freed blocks are handed out again and overwritten.
     */
    private static void collectAndReuseFreedMemory(NDManager m) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        try (NDManager churn = m.newSubManager()) {
            for (int i = 0; i < 2000; i++) {
                churn.create(12345.5f);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"adapter", "houlsby", "lora", "full"})
    void aCollectionBetweenForwardAndBackwardChangesNoGradient(String name) throws Exception {
        Method method = Method.parse(name);
        List<float[]> quiet = gradients(method, false);
        List<float[]> collected = gradients(method, true);
        assertEquals(quiet.size(), collected.size());
        for (int i = 0; i < quiet.size(); i++) {
            assertArrayEquals(quiet.get(i), collected.get(i), 0f, name + ": gradient of trainable parameter " + i);
        }
    }
}
