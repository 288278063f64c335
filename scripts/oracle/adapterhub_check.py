"""mera <-> AdapterHub `adapters`, both directions, on real encoder weights (issue 19, Build item 2).

Run through scripts/oracle/adapterhub-check.sh, which builds the interpreter (../shared/tools/adapterhub-oracle)
and mera's side (org.mera.train.AdapterHubOracle in the test classes). For each model directory:

  adapters -> mera  `adapters` builds a Pfeiffer (seq_bn) adapter with a head added without labels (LABEL_0/1),
                    a Houlsby (double_seq_bn) adapter with named labels, a Pfeiffer adapter with a regression head
                    (num_labels 1), a LoRA (q, v; r 8, alpha 16) and an AdapterFusion of two Pfeiffer adapters,
                    each with a head; random weights well
                    away from the library's initialisation; saved with the library's defaults (torch .bin files).
                    mera reads the directories and must give the same probabilities (regression: the same value).
  mera -> adapters  mera writes the same five kinds (safetensors); `adapters` loads them with
                    use_safetensors=True and must give the probabilities mera computes from them.

Prints one line per case with the maximum absolute difference; exits 1 if any exceeds the tolerance (1e-4).
"""
import argparse
import json
import os
import subprocess
import sys

import torch
from adapters import BertAdapterModel, DoubleSeqBnConfig, LoRAConfig, SeqBnConfig
from adapters.composition import Fuse
from tokenizers import Tokenizer

TOL = 1e-4
PAIRS = [
    ["A cat sat on the mat.", "An animal is sitting."],
    ["The company reported record profits this year.", "The company lost money."],
    ["She moved to Paris in 2010 and still lives there.", "She lives in France."],
    ["Heavy rain flooded the streets of the old town overnight.", "The weather was dry."],
    ["He plays the violin in the city orchestra.", "He is a musician."],
    ["The committee postponed its decision until next spring because two members were ill.",
     "The decision was delayed."],
]
RTE_LABELS = {0: "entailment", 1: "not_entailment"}


def outputs(model, tok, regression):
    rows = []
    with torch.no_grad():
        for a, b in PAIRS:
            enc = tok.encode(a, b)
            logits = model(input_ids=torch.tensor([enc.ids]), token_type_ids=torch.tensor([enc.type_ids]),
                           attention_mask=torch.tensor([enc.attention_mask])).logits.double()[0]
            rows.append(logits.tolist() if regression else torch.softmax(logits, -1).tolist())
    return rows


def max_diff(a, b):
    assert len(a) == len(b) and all(len(x) == len(y) for x, y in zip(a, b)), (a, b)
    return max(abs(x - y) for ra, rb in zip(a, b) for x, y in zip(ra, rb))


def randomise(model, parts, seed):
    torch.manual_seed(seed)
    with torch.no_grad():
        for key, p in model.named_parameters():
            if not any(part in key for part in parts):
                continue
            if "adapter_fusion_layer" in key and key.endswith("value.weight"):
                p.copy_(torch.eye(p.shape[0]) + 0.05 * torch.randn_like(p))
            elif "adapter_fusion_layer" in key:
                p.copy_((0.2 if key.endswith("weight") else 0.1) * torch.randn_like(p))
            elif "heads." in key:
                p.copy_((0.5 if ".4." in key else 0.1) * torch.randn_like(p))
            else:  # bottleneck projections and LoRA factors (lora_B starts at zero in the library)
                p.copy_(0.1 * torch.randn_like(p))


class Check:
    def __init__(self, java, model_dir, work):
        self.java, self.model_dir, self.work = java, model_dir, work
        self.tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
        self.pairs = os.path.join(work, "pairs.json")
        with open(self.pairs, "w") as f:
            json.dump(PAIRS, f)
        self.results = []

    def fresh(self):
        return BertAdapterModel.from_pretrained(self.model_dir)

    def mera_read(self, task, *dirs):
        out = os.path.join(self.work, "mera-out.json")
        subprocess.run(self.java + ["read", self.model_dir, task, self.pairs, out, *dirs], check=True)
        with open(out) as f:
            return json.load(f)

    def record(self, case, diff):
        ok = diff <= TOL
        self.results.append((case, diff, ok))
        print(f"{'ok  ' if ok else 'FAIL'} {os.path.basename(self.model_dir):<18} {case:<44} max |diff| = {diff:.3g}",
              flush=True)

    def adapters_to_mera(self):
        root = os.path.join(self.work, "from-adapters")
        cases = [("pfeiffer", SeqBnConfig(), 2, None, "RTE"),           # LABEL_0/1: mera maps them by index
                 ("houlsby", DoubleSeqBnConfig(), 2, RTE_LABELS, "RTE"),
                 ("regression", SeqBnConfig(), 1, None, "STS-B"),
                 ("lora", LoRAConfig(r=8, alpha=16), 2, RTE_LABELS, "RTE")]
        for i, (kind, config, num_labels, id2label, task) in enumerate(cases):
            model = self.fresh()
            model.add_adapter(kind, config=config)
            model.add_classification_head(kind, num_labels=num_labels, id2label=id2label)
            model.set_active_adapters(kind)
            randomise(model, [f"adapters.{kind}.", f"loras.{kind}.", f"heads.{kind}."], 100 + i)
            model.eval()
            expected = outputs(model, self.tok, num_labels == 1)
            d = os.path.join(root, kind)
            os.makedirs(root, exist_ok=True)
            model.save_adapter(d, kind)  # library defaults: pytorch_adapter.bin, pytorch_model_head.bin
            self.record(f"adapters -> mera  {kind} (.bin)", max_diff(expected, self.mera_read(task, d)))
        model = self.fresh()
        model.add_adapter("a", config="seq_bn")
        model.add_adapter("b", config="seq_bn")
        model.add_adapter_fusion(Fuse("a", "b"))
        model.add_classification_head("rte", num_labels=2, id2label=RTE_LABELS)
        model.set_active_adapters(Fuse("a", "b"))
        randomise(model, ["adapters.a.", "adapters.b.", "adapter_fusion_layer.a,b.", "heads.rte."], 110)
        model.eval()
        expected = outputs(model, self.tok, False)
        d = os.path.join(root, "fusion")
        os.makedirs(d, exist_ok=True)
        model.save_adapter(os.path.join(d, "a"), "a")
        model.save_adapter(os.path.join(d, "b"), "b")
        model.save_adapter_fusion(os.path.join(d, "a,b"), "a,b")
        model.save_head(os.path.join(d, "head"), "rte")
        got = self.mera_read("RTE", os.path.join(d, "a,b"), os.path.join(d, "head"), os.path.join(d, "a"), os.path.join(d, "b"))
        self.record("adapters -> mera  fusion of 2 Pfeiffer (.bin)", max_diff(expected, got))

    def mera_to_adapters(self):
        root = os.path.join(self.work, "from-mera")
        subprocess.run(self.java + ["write", self.model_dir, self.pairs, root], check=True)
        for kind in ["pfeiffer", "houlsby", "regression", "lora"]:
            d = os.path.join(root, kind)
            model = self.fresh()
            name = model.load_adapter(d, use_safetensors=True)
            model.set_active_adapters(name)
            with open(os.path.join(d, "head_config.json")) as f:
                model.active_head = json.load(f)["name"]
            model.eval()
            with open(os.path.join(d, "expected.json")) as f:
                expected = json.load(f)["probabilities"]
            self.record(f"mera -> adapters  {kind} (safetensors)", max_diff(expected, outputs(model, self.tok, kind == "regression")))
        d = os.path.join(root, "fusion")
        model = self.fresh()
        model.load_adapter(os.path.join(d, "a"), use_safetensors=True)  # brings the head "rte"
        model.load_adapter(os.path.join(d, "b"), use_safetensors=True)
        model.load_adapter_fusion(os.path.join(d, "a,b"), use_safetensors=True)
        model.set_active_adapters(Fuse("a", "b"))
        model.active_head = "rte"
        model.eval()
        with open(os.path.join(d, "expected.json")) as f:
            expected = json.load(f)["probabilities"]
        self.record("mera -> adapters  fusion of 2 Pfeiffer (safetensors)", max_diff(expected, outputs(model, self.tok, False)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--java", required=True, help="command prefix that runs org.mera.train.AdapterHubOracle")
    ap.add_argument("--work", required=True)
    ap.add_argument("models", nargs="+", help="converted model directories (mera models --fetch)")
    args = ap.parse_args()
    import adapters
    import transformers
    print(f"adapters {adapters.__version__}, transformers {transformers.__version__}, torch {torch.__version__}", flush=True)
    failed = False
    for m in args.models:
        work = os.path.join(args.work, os.path.basename(os.path.normpath(m)))
        os.makedirs(work, exist_ok=True)
        check = Check(args.java.split(), m, work)
        check.adapters_to_mera()
        check.mera_to_adapters()
        failed |= not all(ok for _, _, ok in check.results)
        print(f"{os.path.basename(m)}: overall max |diff| = {max(d for _, d, _ in check.results):.3g} (tolerance {TOL})", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
