#!/usr/bin/env python3
"""The encoder rows of `mera bench`, measured with PyTorch from Python, for a side-by-side comparison.

The same encoder weights (a catalog model directory: config.json + model.safetensors, e.g.
~/.cache/mera/models/minilm), the same batch (32 x 128 random token ids, no padding), the same model (BERT
post-LayerNorm layers with exact-erf GELU; for adapter tuning AdapterHub's Pfeiffer adapter after the
feed-forward block, reduction 16, ReLU; AdapterHub's classification head on the first token; dropout 0.1 in
training) and the same measurement (1 warm-up, median of 3; a training step is forward, cross-entropy,
backward, global gradient-norm clipping at 1.0, AdamW with a fresh optimizer as in `mera bench`, which
times one-step training runs). Written as plain torch.nn modules, the way Hugging Face's BertModel computes;
--attention sdpa uses torch's fused scaled_dot_product_attention instead of the eager softmax(QK^T)V.

Setup (no network needed here: the torch wheel is on disk):
    python3 -m venv /tmp/pyt && /tmp/pyt/bin/pip install torch numpy safetensors
    /tmp/pyt/bin/python scripts/pytorch_reference_bench.py ~/.cache/mera/models/minilm --threads 2
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file


class Layer(nn.Module):
    def __init__(self, h, heads, inter, eps, drop, attention, adapter_size):
        super().__init__()
        self.heads, self.attention, self.drop = heads, attention, drop
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_out, self.attn_norm = nn.Linear(h, h), nn.LayerNorm(h, eps=eps)
        self.inter, self.out, self.out_norm = nn.Linear(h, inter), nn.Linear(inter, h), nn.LayerNorm(h, eps=eps)
        self.down = nn.Linear(h, adapter_size) if adapter_size else None
        self.up = nn.Linear(adapter_size, h) if adapter_size else None

    def forward(self, x):
        b, t, h = x.shape
        d = h // self.heads
        q, k, v = (p(x).view(b, t, self.heads, d).transpose(1, 2) for p in (self.query, self.key, self.value))
        p = self.drop if self.training else 0.0
        if self.attention == "sdpa":
            ctx = F.scaled_dot_product_attention(q, k, v, dropout_p=p)
        else:
            probs = F.dropout(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1), p, self.training)
            ctx = probs @ v
        ctx = ctx.transpose(1, 2).reshape(b, t, h)
        x1 = self.attn_norm(F.dropout(self.attn_out(ctx), self.drop, self.training) + x)
        hid = F.dropout(self.out(F.gelu(self.inter(x1))), self.drop, self.training)
        if self.down is None:
            return self.out_norm(hid + x1)
        a = self.out_norm(hid + x1)  # AdapterHub Pfeiffer: LN(h + up(relu(down(LN(h + x)))) + x)
        return self.out_norm(self.up(F.relu(self.down(a))) + hid + x1)


class Encoder(nn.Module):
    def __init__(self, cfg, attention, adapter_size=0):
        super().__init__()
        h, eps, self.drop = cfg["hidden_size"], cfg.get("layer_norm_eps", 1e-12), cfg.get("hidden_dropout_prob", 0.1)
        self.word = nn.Embedding(cfg["vocab_size"], h)
        self.pos = nn.Embedding(cfg["max_position_embeddings"], h)
        self.token_type = nn.Embedding(cfg.get("type_vocab_size", 2), h)
        self.norm = nn.LayerNorm(h, eps=eps)
        self.layers = nn.ModuleList(Layer(h, cfg["num_attention_heads"], cfg["intermediate_size"], eps, self.drop, attention,
                                          adapter_size) for _ in range(cfg["num_hidden_layers"]))

    def load(self, weights):
        own = {"word.weight": "embeddings.word_embeddings.weight", "pos.weight": "embeddings.position_embeddings.weight",
               "token_type.weight": "embeddings.token_type_embeddings.weight", "norm.weight": "embeddings.LayerNorm.weight",
               "norm.bias": "embeddings.LayerNorm.bias"}
        names = {"query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
                 "attn_out": "attention.output.dense", "attn_norm": "attention.output.LayerNorm",
                 "inter": "intermediate.dense", "out": "output.dense", "out_norm": "output.LayerNorm"}
        for i in range(len(self.layers)):
            for mine, theirs in names.items():
                for p in ("weight", "bias"):
                    own[f"layers.{i}.{mine}.{p}"] = f"encoder.layer.{i}.{theirs}.{p}"
        prefix = "bert." if any(k.startswith("bert.") for k in weights) else ""
        state = self.state_dict()
        for mine, theirs in own.items():
            state[mine].copy_(weights[prefix + theirs].float())

    def forward(self, ids, types):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        x = F.dropout(self.norm(self.word(ids) + self.pos(pos) + self.token_type(types)), self.drop, self.training)
        for layer in self.layers:
            x = layer(x)
        return x


class Classifier(nn.Module):
    def __init__(self, encoder, h, drop):
        super().__init__()
        self.encoder, self.drop = encoder, drop
        self.dense, self.out = nn.Linear(h, h), nn.Linear(h, 2)

    def forward(self, ids, types):
        x = self.encoder(ids, types)[:, 0]
        x = torch.tanh(self.dense(F.dropout(x, self.drop, self.training)))
        return self.out(F.dropout(x, self.drop, self.training))


def median_seconds(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def forward_flops(cfg, tokens, seq):
    # As mera's EncoderConfig.forwardFlops: 2 x multiply-adds of the linear layers and attention.
    h, f, layers = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    return 2.0 * layers * tokens * (4 * h * h + 2 * h * f + 2 * seq * h)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model_dir")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--attention", choices=["eager", "sdpa"], default="eager")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(7)
    cfg = json.load(open(f"{a.model_dir}/config.json"))
    weights = load_file(f"{a.model_dir}/model.safetensors")
    g = torch.Generator().manual_seed(7)
    ids = torch.randint(1000, cfg["vocab_size"], (a.batch, a.seq), generator=g)
    types = torch.zeros_like(ids)
    labels = torch.arange(a.batch) % 2
    tokens = a.batch * a.seq
    flops = forward_flops(cfg, tokens, a.seq)
    name = a.model_dir.rstrip("/").split("/")[-1]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, attention {a.attention}, "
          f"{a.batch}x{a.seq}, {a.warmup} warm-up + median of {a.runs}")

    enc = Encoder(cfg, a.attention)
    enc.load(weights)
    enc.eval()

    def fwd():
        with torch.inference_mode():
            enc(ids, types).sum().item()

    rows = [("forward", median_seconds(fwd, a.warmup, a.runs), flops)]
    for kind in ("adapter-tuning", "full fine-tuning"):
        adapter = cfg["hidden_size"] // 16 if kind == "adapter-tuning" else 0
        e = Encoder(cfg, a.attention, adapter)
        e.load(weights)
        model = Classifier(e, cfg["hidden_size"], cfg.get("hidden_dropout_prob", 0.1))
        for n, p in model.named_parameters():
            p.requires_grad = kind == "full fine-tuning" or n.startswith(("dense", "out.")) or ".down." in n or ".up." in n
        model.train()
        params = [p for p in model.parameters() if p.requires_grad]

        def step():
            opt = torch.optim.AdamW(params, lr=1e-5, weight_decay=0.0)
            loss = F.cross_entropy(model(ids, types), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)

        rows.append((kind + " step", median_seconds(step, a.warmup, a.runs), flops * (2 if adapter else 3)))
    for what, sec, fl in rows:
        print(f"{name} {what} {a.batch}x{a.seq}: {sec:.3f} s, {tokens / sec:.0f} tokens/s, {fl / sec / 1e9:.1f} GFLOP/s")


if __name__ == "__main__":
    main()
