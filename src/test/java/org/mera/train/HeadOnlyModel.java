package org.mera.train;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.mera.model.BertEncoder;
import org.mera.model.ClassificationHead;
import org.mera.model.Param;
import org.mera.model.TestEncoders;

/** minilm with a trainable head only: cheap, and every step changes the head's weights (for trainer tests). */
final class HeadOnlyModel {
    private HeadOnlyModel() {}

    static TaskModel minilm(NDManager m) throws Exception {
        BertEncoder enc = BertEncoder.load(TestEncoders.minilm(), m);
        for (Param p : enc.params().all()) {
            p.setTrainable(false);
        }
        return new TaskModel(enc, ClassificationHead.create(enc.params(), "sst", 384, List.of("0", "1"), 0.1f, 3));
    }
}
