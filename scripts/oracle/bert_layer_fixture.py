"""Fixture for BertLayerTest: transformers' BertLayer on small pseudo-random weights, printed as a Java literal.

Run once with the oracle venv (PY=$(../shared/tools/python-oracle); $PY scripts/oracle/bert_layer_fixture.py) and
paste the output into src/test/java/org/mera/model/BertLayerTest.java. The weights and inputs come from a formula
(value(k, i) = scale * sin(1.3 i + 0.7 k + 0.1), k the tensor's number below) that the test computes the same way,
so only the expected output needs embedding. Hidden 8, 2 heads, intermediate 16, exact GELU, eval mode; batch 2 of
3 tokens with the second sequence's last token padded (additive mask of finfo.min, as BertModel builds it).
"""
import math

import numpy as np
import torch
from transformers import BertConfig
from transformers.models.bert.modeling_bert import BertLayer

H, HEADS, F, B, T = 8, 2, 16, 2, 3
# (name, shape, scale) in the order the test numbers them
TENSORS = [
    ("attention.self.query.weight", (H, H), 0.5), ("attention.self.query.bias", (H,), 0.1),
    ("attention.self.key.weight", (H, H), 0.5), ("attention.self.key.bias", (H,), 0.1),
    ("attention.self.value.weight", (H, H), 0.5), ("attention.self.value.bias", (H,), 0.1),
    ("attention.output.dense.weight", (H, H), 0.5), ("attention.output.dense.bias", (H,), 0.1),
    ("attention.output.LayerNorm.weight", (H,), 0.2), ("attention.output.LayerNorm.bias", (H,), 0.1),
    ("intermediate.dense.weight", (F, H), 0.5), ("intermediate.dense.bias", (F,), 0.1),
    ("output.dense.weight", (H, F), 0.5), ("output.dense.bias", (H,), 0.1),
    ("output.LayerNorm.weight", (H,), 0.2), ("output.LayerNorm.bias", (H,), 0.1),
]
INPUT_K = len(TENSORS)


def values(k, shape, scale):
    n = int(np.prod(shape))
    return np.array([scale * math.sin(1.3 * i + 0.7 * k + 0.1) for i in range(n)], dtype=np.float32).reshape(shape)


def main():
    cfg = BertConfig(hidden_size=H, num_attention_heads=HEADS, intermediate_size=F, hidden_act="gelu",
                     hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, layer_norm_eps=1e-12)
    cfg._attn_implementation = "eager"
    layer = BertLayer(cfg).eval()
    state = {}
    for k, (name, shape, scale) in enumerate(TENSORS):
        # LayerNorm scales around 1, as trained ones are
        v = values(k, shape, scale) + (1.0 if name.endswith("LayerNorm.weight") else 0.0)
        state[name] = torch.from_numpy(v.astype(np.float32))
    missing, unexpected = layer.load_state_dict(state, strict=False)
    assert not unexpected and all("LayerNorm" not in m and "dense" not in m and "self." not in m for m in missing), (missing, unexpected)
    x = torch.from_numpy(values(INPUT_K, (B, T, H), 1.0))
    mask = torch.tensor([[1, 1, 1], [1, 1, 0]], dtype=torch.float32)
    ext = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min
    with torch.no_grad():
        out = layer(x, attention_mask=ext)
    out = out[0] if isinstance(out, tuple) else out
    import transformers
    print(f"// transformers {transformers.__version__}, torch {torch.__version__}; scripts/oracle/bert_layer_fixture.py")
    flat = out.flatten().tolist()
    print("private static final float[] EXPECTED = {")
    for i in range(0, len(flat), 6):
        print("        " + ", ".join(f"{v:.8g}f" for v in flat[i:i + 6]) + ",")
    print("};")


if __name__ == "__main__":
    main()
