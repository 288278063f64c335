"""The Python oracle: mera's numbers and files against transformers, PEFT and POT on real weights.

Run through scripts/oracle/run (which makes the venvs). Each check prints one line with its measured maximum
difference and its tolerance, and the script exits 1 if any check fails. `hf-outputs` is the part run under a
second Python (transformers 4.57): it loads a model directory and writes its outputs for the main process.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np

TEXTS = [
    "Hello world, it's me.",
    "A gripping, beautifully acted film that never lets go!",
    "Ünïcödé façade: naïve café — 3.5% of résumés in 2024 (e.g. ÅNGSTRÖM).",
    "unaffable antidisestablishmentarianism supercalifragilistic",
]
PAIR = ("The cat sat on the mat.", "Is a cat on the mat?")
TOL_HIDDEN = 1e-4
TOL_PROB = 1e-4

results = []  # (check, measured, tolerance, ok)


def record(check, measured, tol, ok=None):
    ok = (measured <= tol) if ok is None else ok
    results.append((check, measured, tol, ok))
    print(f"{'PASS' if ok else 'FAIL'}  {check}: max |diff| = {measured:.3g} (tolerance {tol:g})", flush=True)


def mera(args, mera_cmd, **kw):
    p = subprocess.run([mera_cmd] + args, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise RuntimeError(f"mera {' '.join(args)} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    return p.stdout


def model_dir(name):
    home = os.environ.get("MERA_HOME", os.path.expanduser("~/.cache/mera"))
    return os.path.join(home, "models", name)


def hf_outputs(directory, texts, pair):
    """tokens and last hidden states from AutoModel and from AutoModelForSequenceClassification's encoder."""
    import torch
    from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer
    import transformers
    tok = AutoTokenizer.from_pretrained(directory)
    out = {"version": transformers.__version__, "model_max_length": int(min(tok.model_max_length, 2**31 - 1)), "items": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = AutoModel.from_pretrained(directory).eval()
        cls_model = AutoModelForSequenceClassification.from_pretrained(directory, num_labels=2).eval()
    encoder = getattr(cls_model, cls_model.base_model_prefix)
    inputs = [(t, None) for t in texts] + [pair]
    for a, b in inputs:
        enc = tok(a, b, return_tensors="pt") if b is not None else tok(a, return_tensors="pt")
        with torch.no_grad():
            h1 = base(**enc).last_hidden_state[0].numpy()
            h2 = encoder(**enc).last_hidden_state[0].numpy()
        out["items"].append({"tokens": tok.convert_ids_to_tokens(enc["input_ids"][0]),
                             "auto_model": h1.tolist(), "seq_cls": h2.tolist()})
    return out


def check_models(args):
    for name in args.models:
        d = model_dir(name)
        if not os.path.isdir(d):
            mera(["models", "--fetch", name], args.mera)
        lines = mera(["encode", "--json", "--model", name] + TEXTS, args.mera).strip().splitlines()
        lines += mera(["encode", "--json", "--pair", "--model", name, PAIR[0], PAIR[1]], args.mera).strip().splitlines()
        ours = [json.loads(line) for line in lines]
        versions = [("5", None)] + ([("4.57", args.tf4_python)] if args.tf4_python else [])
        for label, py in versions:
            if py is None:
                theirs = hf_outputs(d, TEXTS, PAIR)
            else:
                with tempfile.NamedTemporaryFile("r", suffix=".json") as f:
                    subprocess.run([py, __file__, "hf-outputs", "--dir", d, "--out", f.name], check=True,
                                   stderr=subprocess.DEVNULL)
                    theirs = json.load(open(f.name))
            v = theirs["version"]
            token_mismatch = 0
            cls_diff = mean_diff = seqcls_diff = 0.0
            for o, t in zip(ours, theirs["items"]):
                if o["tokens"] != t["tokens"]:
                    token_mismatch += 1
                    print(f"  tokens differ for {o.get('text', o.get('text_a'))!r}:\n  mera {o['tokens']}\n  hf   {t['tokens']}")
                h = np.array(t["auto_model"])
                cls_diff = max(cls_diff, float(np.abs(np.array(o["cls"]) - h[0]).max()))
                mean_diff = max(mean_diff, float(np.abs(np.array(o["mean"]) - h.mean(axis=0)).max()))
                seqcls_diff = max(seqcls_diff, float(np.abs(np.array(t["seq_cls"]) - h).max()))
            record(f"{name}: tokenization, mera vs AutoTokenizer (transformers {v}), {len(ours)} inputs (mismatches)",
                   token_mismatch, 0)
            record(f"{name}: first-token state, mera vs AutoModel (transformers {v})", cls_diff, TOL_HIDDEN)
            record(f"{name}: mean-pooled state, mera vs AutoModel (transformers {v})", mean_diff, TOL_HIDDEN)
            record(f"{name}: encoder of AutoModelForSequenceClassification vs AutoModel (transformers {v})",
                   seqcls_diff, TOL_HIDDEN)
            record(f"{name}: tokenizer model_max_length (transformers {v}) is 512", abs(theirs["model_max_length"] - 512), 0)


def sst2_texts(glue, n):
    path = os.path.join(glue, "SST-2", "test.tsv")
    with open(path) as f:
        next(f)
        return [line.split("\t")[0] for _, line in zip(range(n), f)]


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def mera_predict(args, adapter, texts, work, task="SST-2"):
    inp = os.path.join(work, "predict-input.txt")
    with open(inp, "w") as f:
        f.write("\n".join(texts) + "\n")
    out = os.path.join(work, "predictions-" + os.path.basename(adapter) + ".jsonl")
    mera(["predict", "--model", "minilm", "--adapter", adapter, "--task", task, "--input", inp, "--out", out,
          "--no-progress"], args.mera)
    rows = [json.loads(line) for line in open(out)]
    return rows


def check_mera_to_peft(args, work):
    import torch
    from peft import AutoPeftModelForSequenceClassification, PeftModel
    from transformers import AutoModel, AutoTokenizer
    texts = sst2_texts(args.glue, 24)
    tok = AutoTokenizer.from_pretrained(model_dir("minilm"))
    enc = tok(texts, return_tensors="pt", padding=True, truncation=True, max_length=128)
    # first-token head: written for AutoModelForSequenceClassification (SEQ_CLS, pooler + classifier)
    out = os.path.join(work, "mera-lora-sst2")
    mera(["train", "--model", "minilm", "--task", "SST-2", "--data", os.path.join(args.glue, "SST-2"), "--k", "16",
          "--seed", "13", "--method", "lora", "--lora-r", "4", "--lora-alpha", "16", "--max-steps", "20",
          "--no-progress", "--out", out], args.mera)
    rows = mera_predict(args, out, texts, work)
    labels = list(rows[0]["scores"].keys())
    ours = np.array([[r["scores"][l] for l in labels] for r in rows])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = AutoPeftModelForSequenceClassification.from_pretrained(out).eval()
    with torch.no_grad():
        theirs = softmax(model(**enc).logits.numpy())
    record("mera LoRA (SST-2) → AutoPeftModelForSequenceClassification: probabilities vs mera predict",
           float(np.abs(ours - theirs).max()), TOL_PROB)
    # mean-pooled head: written for PEFT on AutoModel (FEATURE_EXTRACTION); the head is in the AdapterHub files
    out_mean = os.path.join(work, "mera-lora-sst2-mean")
    mera(["train", "--model", "minilm", "--task", "SST-2", "--data", os.path.join(args.glue, "SST-2"), "--k", "16",
          "--seed", "13", "--method", "lora", "--lora-r", "4", "--max-steps", "20", "--pooling", "mean",
          "--no-progress", "--out", out_mean], args.mera)
    rows = mera_predict(args, out_mean, texts, work)
    ours = np.array([[r["scores"][l] for l in labels] for r in rows])
    from safetensors.torch import load_file
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        enc_model = PeftModel.from_pretrained(AutoModel.from_pretrained(model_dir("minilm")), out_mean).eval()
    head = load_file(os.path.join(out_mean, "model_head.safetensors"))
    name = json.load(open(os.path.join(out_mean, "head_config.json")))["name"]
    with torch.no_grad():
        h = enc_model(**enc).last_hidden_state
        m = enc["attention_mask"].unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1)
        x = torch.tanh(pooled @ head[f"heads.{name}.1.weight"].T + head[f"heads.{name}.1.bias"])
        theirs = softmax((x @ head[f"heads.{name}.4.weight"].T + head[f"heads.{name}.4.bias"]).numpy())
    record("mera LoRA, mean-pooled head → PeftModel on AutoModel + AdapterHub head: probabilities vs mera predict",
           float(np.abs(ours - theirs).max()), TOL_PROB)
    return labels


def make_peft_adapter(path, seed, r, alpha, modules_to_save=None, rank_pattern=None, alpha_pattern=None, num_labels=2,
                      seq_cls=True):
    """A LoRA made and saved by PEFT: SEQ_CLS on AutoModelForSequenceClassification, or on AutoModel."""
    import torch
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import AutoModel, AutoModelForSequenceClassification
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = (AutoModelForSequenceClassification.from_pretrained(model_dir("minilm"), num_labels=num_labels) if seq_cls
                else AutoModel.from_pretrained(model_dir("minilm")))
    cfg = LoraConfig(task_type=TaskType.SEQ_CLS if seq_cls else TaskType.FEATURE_EXTRACTION, r=r, lora_alpha=alpha,
                     target_modules=["query", "value"],
                     modules_to_save=modules_to_save, rank_pattern=rank_pattern or {}, alpha_pattern=alpha_pattern or {},
                     init_lora_weights=False)  # random B: an adapter that changes something
    model = get_peft_model(base, cfg)
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "modules_to_save" in n:
                p.add_(torch.randn_like(p) * 0.05)
    model.save_pretrained(path)
    return model.eval()


def check_peft_to_mera(args, work, labels):
    import torch
    from transformers import AutoTokenizer
    texts = sst2_texts(args.glue, 24)
    tok = AutoTokenizer.from_pretrained(model_dir("minilm"))
    enc = tok(texts, return_tensors="pt", padding=True, truncation=True, max_length=128)
    path = os.path.join(work, "peft-patterned")
    model = make_peft_adapter(path, 1, 8, 16, modules_to_save=["pooler"],
                              rank_pattern={"layer.1.attention.self.query": 2, "layer.4.attention.self.value": 4},
                              alpha_pattern={"value": 64, "layer.0.attention.self.query": 2})
    with torch.no_grad():
        theirs = softmax(model(**enc).logits.numpy())
    rows = mera_predict(args, path, texts, work)
    ours = np.array([[r["scores"][l] for l in labels] for r in rows])
    record("PEFT LoRA (SEQ_CLS, rank_pattern, alpha_pattern, modules_to_save pooler+classifier) → mera predict: probabilities",
           float(np.abs(ours - theirs).max()), TOL_PROB)
    # the same adapter with alpha_pattern dropped differs by much more: the check above can fail
    cfg_path = os.path.join(path, "adapter_config.json")
    cfg = json.load(open(cfg_path))
    no_alpha = os.path.join(work, "peft-no-alpha-pattern")
    os.makedirs(no_alpha, exist_ok=True)
    cfg["alpha_pattern"] = {}
    json.dump(cfg, open(os.path.join(no_alpha, "adapter_config.json"), "w"))
    import shutil
    shutil.copy(os.path.join(path, "adapter_model.safetensors"), no_alpha)
    rows = mera_predict(args, no_alpha, texts, work)
    ignored = np.array([[r["scores"][l] for l in labels] for r in rows])
    d = float(np.abs(ignored - theirs).max())
    record("(control, must differ) the same adapter with its alpha_pattern removed: probabilities vs PEFT; passes when "
           "above the tolerance", d, 1e-3, ok=d > 1e-3)


def delta_weights_from_dir(path):
    """ΔW = scaling · B · A per module of a PEFT directory, with rank_pattern/alpha_pattern as PEFT applies them."""
    import re
    from safetensors.numpy import load_file
    cfg = json.load(open(os.path.join(path, "adapter_config.json")))
    t = load_file(os.path.join(path, "adapter_model.safetensors"))

    def pattern(patterns, name, default):
        for k, v in patterns.items():
            if re.match(rf"(.*\.)?({k})$", name):
                return v
        return default
    out = {}
    for k in t:
        if k.endswith(".lora_A.weight"):
            mod = k[: -len(".lora_A.weight")]
            name = mod[len("base_model.model."):]
            r = pattern(cfg.get("rank_pattern") or {}, name, cfg["r"])
            alpha = pattern(cfg.get("alpha_pattern") or {}, name, cfg["lora_alpha"])
            key = name.replace("bert.", "", 1) if name.startswith("bert.") else name
            out[key] = (alpha / r) * (t[mod + ".lora_B.weight"].astype(np.float64) @ t[k].astype(np.float64))
    return out


def check_merges(args, work):
    import torch
    from peft import PeftModel
    from transformers import AutoModel
    a = os.path.join(work, "peft-a")
    b = os.path.join(work, "peft-b")
    c = os.path.join(work, "peft-c")
    # PEFT merges only adapters without modules_to_save, so these are AutoModel adapters (keys without bert.)
    make_peft_adapter(a, 2, 4, 8, seq_cls=False)
    make_peft_adapter(b, 3, 2, 8, alpha_pattern={"value": 4}, seq_cls=False)
    make_peft_adapter(c, 4, 4, 16, seq_cls=False)
    weights = [0.6, 0.4]
    for method, pair in [("svd", (a, b)), ("cat", (a, b)), ("linear", (a, c))]:
        out = os.path.join(work, f"mera-merged-{method}")
        mera(["merge", "--method", method, "--weights", ",".join(map(str, weights)), "--out", out, *pair], args.mera)
        ours = delta_weights_from_dir(out)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            base = AutoModel.from_pretrained(model_dir("minilm"))
            model = PeftModel.from_pretrained(base, pair[0], adapter_name="a")
            model.load_adapter(pair[1], adapter_name="b")
            kw = {"svd_rank": 4} if method == "svd" else {}
            model.add_weighted_adapter(["a", "b"], weights, "m", combination_type=method, **kw)
        theirs = {}
        for name, module in model.named_modules():
            if hasattr(module, "get_delta_weight") and "m" in getattr(module, "lora_A", {}):
                key = name.split("base_model.model.", 1)[1] if "base_model.model." in name else name
                key = key.replace("bert.", "", 1) if key.startswith("bert.") else key
                with torch.no_grad():
                    theirs[key] = module.get_delta_weight("m").double().numpy()
        assert set(ours) == set(theirs), (sorted(ours)[:3], sorted(theirs)[:3])
        diff = max(float(np.abs(ours[k] - theirs[k]).max()) for k in ours)
        scale = max(float(np.abs(theirs[k]).max()) for k in ours)
        record(f"mera merge --method {method} vs PEFT add_weighted_adapter(combination_type={method!r}): ΔW "
               f"(largest abs ΔW {scale:.3g})", diff, 1e-5)


def check_ot(args, work):
    """mera's OT merge against POT: the same transport plans (ot.emd, ot.sinkhorn_log), hence the same merged adapter."""
    import shutil
    import ot
    import torch
    from safetensors.numpy import load_file
    fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "test", "resources",
                           "adapterhub", "pfeiffer-minilm")
    a_dir, b_dir = os.path.join(work, "ot-a"), os.path.join(work, "ot-b")
    for d in (a_dir, b_dir):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        shutil.copy(os.path.join(fixture, "adapter_config.json"), d)
    sd = {k: v.float() for k, v in torch.load(os.path.join(fixture, "pytorch_adapter.bin")).items()}
    torch.save(sd, os.path.join(a_dir, "pytorch_adapter.bin"))
    # B: A's bottleneck neurons shuffled per layer, plus noise: OT should find the shuffle, averaging without it would not
    g = torch.Generator().manual_seed(5)
    sd_b = {}
    for k in sd:
        if k.endswith("adapter_down.0.weight"):
            stem = k[: -len("adapter_down.0.weight")]
            perm = torch.randperm(sd[k].shape[0], generator=g)
            noise = lambda t: t + 0.3 * t.std() * torch.randn(t.shape, generator=g)
            sd_b[stem + "adapter_down.0.weight"] = noise(sd[k][perm])
            sd_b[stem + "adapter_down.0.bias"] = noise(sd[stem + "adapter_down.0.bias"][perm])
            sd_b[stem + "adapter_up.weight"] = noise(sd[stem + "adapter_up.weight"][:, perm])
            sd_b[stem + "adapter_up.bias"] = noise(sd[stem + "adapter_up.bias"])
    # a second name (mera refuses two sources of one name: the anchor and the report name them)
    torch.save({k.replace(".adapters.rte.", ".adapters.rte_b."): v for k, v in sd_b.items()},
               os.path.join(b_dir, "pytorch_adapter.bin"))
    cfg_b = json.load(open(os.path.join(b_dir, "adapter_config.json")))
    cfg_b["name"] = "rte_b"
    json.dump(cfg_b, open(os.path.join(b_dir, "adapter_config.json"), "w"), indent=2)
    A = {k: v.double().numpy() for k, v in sd.items()}
    B = {k: v.double().numpy() for k, v in sd_b.items()}

    def features(w, stem):
        return np.concatenate([w[stem + "adapter_down.0.weight"], w[stem + "adapter_down.0.bias"][:, None],
                               w[stem + "adapter_up.weight"].T], axis=1)

    for label, extra, solve in [
        ("exact (ot.emd)", [], lambda M: ot.emd(np.full(M.shape[0], 1 / M.shape[0]), np.full(M.shape[1], 1 / M.shape[1]), M)),
        ("Sinkhorn, reg 0.05 of the largest cost (ot.sinkhorn, log domain)", ["--sinkhorn-reg", "0.05"],
         lambda M: ot.sinkhorn(np.full(M.shape[0], 1 / M.shape[0]), np.full(M.shape[1], 1 / M.shape[1]), M,
                               0.05 * M.max(), method="sinkhorn_log", numItermax=100000, stopThr=1e-9)),  # mera stops at a marginal error of 1e-9 (or 10,000 iterations); POT warns that one layer does not reach it within 100,000, and the merged weights still agree
    ]:
        out = os.path.join(work, "ot-merged-" + ("exact" if not extra else "sinkhorn"))
        shutil.rmtree(out, ignore_errors=True)
        mera(["merge", "--method", "ot", *extra, "--out", out, a_dir, b_dir], args.mera)
        merged_file = [f for f in os.listdir(out) if f.endswith(".safetensors")]
        ours = load_file(os.path.join(out, merged_file[0]))
        ours = {k.replace(".adapters.merged.", ".adapters.rte."): v.astype(np.float64) for k, v in ours.items()}
        diff, moved = 0.0, 0.0
        for k in A:
            if not k.endswith("adapter_down.0.weight"):
                continue
            stem = k[: -len("adapter_down.0.weight")]
            fa, fb = features(A, stem), features(B, stem)
            M = ot.dist(fb, fa)  # squared Euclidean, source x anchor, as mera's default ground metric
            mix = fb.shape[0] * solve(M).T  # anchor x source: row j mixes the source neurons sent to anchor neuron j
            theirs = {
                "adapter_down.0.weight": 0.5 * A[stem + "adapter_down.0.weight"] + 0.5 * mix @ B[stem + "adapter_down.0.weight"],
                "adapter_down.0.bias": 0.5 * A[stem + "adapter_down.0.bias"] + 0.5 * mix @ B[stem + "adapter_down.0.bias"],
                "adapter_up.weight": 0.5 * A[stem + "adapter_up.weight"] + 0.5 * B[stem + "adapter_up.weight"] @ mix.T,
                "adapter_up.bias": 0.5 * A[stem + "adapter_up.bias"] + 0.5 * B[stem + "adapter_up.bias"],
            }
            for name, t in theirs.items():
                diff = max(diff, float(np.abs(ours[stem + name] - t).max()))
            plain = 0.5 * A[stem + "adapter_down.0.weight"] + 0.5 * B[stem + "adapter_down.0.weight"]
            moved = max(moved, float(np.abs(plain - theirs["adapter_down.0.weight"]).max()))
        record(f"mera merge --method ot, {label}, vs POT {ot.__version__}: merged weights (the alignment moves "
               f"weights by up to {moved:.3g} against plain averaging)", diff, 1e-5)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "hf-outputs":
        p = argparse.ArgumentParser()
        p.add_argument("cmd")
        p.add_argument("--dir", required=True)
        p.add_argument("--out", required=True)
        a = p.parse_args()
        json.dump(hf_outputs(a.dir, TEXTS, PAIR), open(a.out, "w"))
        return 0
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--mera", required=True)
    p.add_argument("--glue", required=True)
    p.add_argument("--tf4-python", default="")
    p.add_argument("--models", default="minilm,bge-small,e5-small,bert-base-uncased")
    p.add_argument("--work", default=None, help="folder for the adapters written (default: a temporary one)")
    p.add_argument("--only", default="models,mera-to-peft,peft-to-mera,merges,ot")
    args = p.parse_args()
    args.models = [m for m in args.models.split(",") if m]
    only = set(args.only.split(","))
    import peft
    import transformers
    print(f"oracle: transformers {transformers.__version__}, peft {peft.__version__}, numpy {np.__version__}", flush=True)
    work = args.work or tempfile.mkdtemp(prefix="mera-oracle-")
    os.makedirs(work, exist_ok=True)
    if "models" in only:
        check_models(args)
    labels = ["0", "1"]
    if "mera-to-peft" in only:
        labels = check_mera_to_peft(args, work)
    if "peft-to-mera" in only:
        check_peft_to_mera(args, work, labels)
    if "merges" in only:
        check_merges(args, work)
    if "ot" in only:
        check_ot(args, work)
    failed = [r for r in results if not r[3]]
    print(f"\noracle: {len(results) - len(failed)} of {len(results)} checks passed; files in {work}")
    print("\n| check | max abs diff | tolerance | result |\n|---|---|---|---|")
    for check, measured, tol, ok in results:
        print(f"| {check} | {measured:.3g} | {tol:g} | {'pass' if ok else 'FAIL'} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
