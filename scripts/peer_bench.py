#!/usr/bin/env python3
"""The peer of `mera bench`: the same encoder rows timed with Hugging Face transformers + PEFT.

Rows (batch B x T random token ids, no padding, the same as `mera bench`):
  forward        BertModel.forward under torch.no_grad(), eval mode
  adapter step   a bottleneck adapter (AdapterHub's Pfeiffer: after the feed-forward block, reduction 16, ReLU,
                 LN(h + up(relu(down(LN(h + x)))) + x)) in every layer, written as a wrapper of
                 BertOutput because PEFT has no bottleneck adapter; the encoder frozen
  lora step      PEFT LoRA (r 8, alpha 16, dropout 0.1, query and value), task type SEQ_CLS
  full step      every parameter trained
Each training row is BertForSequenceClassification (2 labels; dropout 0.1 while training), cross-entropy,
backward, global gradient-norm clipping at 1.0 and one AdamW step, with a fresh optimizer per timed step as
`mera bench` times one-step training runs. Statistic: `--warmup` untimed then the median of `--runs` timed.
Each row runs in its own child process so that its peak resident set (ru_maxrss of that process, model
included) is its own.

Run by `mera bench --peer PYTHON` (PYTHON from ../shared/tools/python-oracle or any environment with torch,
transformers, peft), or alone:
    $PY scripts/peer_bench.py ~/.cache/mera/models/minilm --threads 2 --label minilm
It prints one JSON object per row on stdout.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

ROWS = ["forward", "adapter", "lora", "full"]


class PfeifferOutput:
    """Factory for a BertOutput replacement with an AdapterHub Pfeiffer adapter (defined lazily: torch import)."""

    @staticmethod
    def wrap(output, reduction):
        import torch.nn as nn
        import torch.nn.functional as F

        class Wrapped(nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner
                h = inner.dense.out_features
                self.down = nn.Linear(h, h // reduction)
                self.up = nn.Linear(h // reduction, h)

            def forward(self, hidden_states, input_tensor):
                h = self.inner.dropout(self.inner.dense(hidden_states))
                a = self.inner.LayerNorm(h + input_tensor)
                return self.inner.LayerNorm(self.up(F.relu(self.down(a))) + h + input_tensor)

        return Wrapped(output)


def run_row(args):
    import torch
    import transformers
    from transformers import BertForSequenceClassification, BertModel

    torch.set_num_threads(args.threads)
    torch.manual_seed(7)
    transformers.logging.set_verbosity_error()
    cfg = transformers.AutoConfig.from_pretrained(args.model_dir)
    ids = torch.randint(1000, cfg.vocab_size, (args.batch, args.seq), generator=torch.Generator().manual_seed(7))
    mask = torch.ones_like(ids)
    labels = torch.arange(args.batch) % 2

    if args.row == "forward":
        model = BertModel.from_pretrained(args.model_dir, attn_implementation=args.attention, add_pooling_layer=False).eval()

        def body():
            with torch.no_grad():
                model(input_ids=ids, attention_mask=mask).last_hidden_state.sum().item()
    else:
        model = BertForSequenceClassification.from_pretrained(args.model_dir, num_labels=2, attn_implementation=args.attention)
        if args.row == "adapter":
            for p in model.parameters():
                p.requires_grad_(False)
            for layer in model.bert.encoder.layer:
                layer.output = PfeifferOutput.wrap(layer.output, 16)
            for p in model.classifier.parameters():
                p.requires_grad_(True)
        elif args.row == "lora":
            from peft import LoraConfig, get_peft_model
            model = get_peft_model(model, LoraConfig(task_type="SEQ_CLS", r=8, lora_alpha=16, lora_dropout=0.1,
                                                     target_modules=["query", "value"]))
        model.train()
        params = [p for p in model.parameters() if p.requires_grad]

        def body():
            optimizer = torch.optim.AdamW(params, lr=1e-5)
            loss = torch.nn.functional.cross_entropy(model(input_ids=ids, attention_mask=mask).logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)

    for _ in range(args.warmup):
        body()
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        body()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"row": args.row, "label": args.label, "median_s": statistics.median(times), "times_s": times,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                      "torch": torch.__version__, "transformers": transformers.__version__,
                      "peft": __import__("peft").__version__, "threads": torch.get_num_threads(),
                      "attention": args.attention}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("--label", default=None, help="name printed with the rows (default: the directory's name)")
    ap.add_argument("--rows", default=",".join(ROWS), help="comma-separated subset of " + ",".join(ROWS))
    ap.add_argument("--row", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--attention", default="sdpa", choices=["sdpa", "eager"],
                    help="transformers' attention implementation (sdpa is its default)")
    args = ap.parse_args()
    args.label = args.label or os.path.basename(os.path.normpath(args.model_dir))
    if args.row:
        run_row(args)
        return
    for row in args.rows.split(","):
        if row not in ROWS:
            sys.exit("unknown row '%s' (rows: %s)" % (row, ", ".join(ROWS)))
        cmd = [sys.executable, os.path.abspath(__file__), args.model_dir, "--row", row, "--label", args.label,
               "--batch", str(args.batch), "--seq", str(args.seq), "--threads", str(args.threads),
               "--warmup", str(args.warmup), "--runs", str(args.runs), "--attention", args.attention]
        done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        if done.returncode != 0:
            sys.exit("peer row %s failed (exit %d)" % (row, done.returncode))
        sys.stdout.write(done.stdout)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
