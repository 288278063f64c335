"""Makes the AdapterHub test fixtures in src/test/resources/adapterhub/ with AdapterHub's own `adapters` library.

Run through scripts/oracle/adapterhub-fixtures.sh (which builds the interpreter from an `adapters` checkout).
What it writes, per directory, is exactly what `model.save_adapter(dir, name)` writes by default:
adapter_config.json, pytorch_adapter.bin, head_config.json, pytorch_model_head.bin -- torch pickles, not
safetensors -- and a head added without id2label, which `adapters` labels LABEL_0, LABEL_1. Beside it,
expected.json holds sentence pairs and the probabilities `adapters` computes for them, which mera must reproduce.

To keep the files small (a few hundred KB) the adapter has a narrow bottleneck and every adapter/head weight is
rounded to float16 and saved as float16 (HalfStorage); the probabilities are computed in float32 from those
rounded values, so the files hold exactly the weights the probabilities came from.
"""
import json
import os
import sys

import torch
from adapters import BertAdapterModel, DoubleSeqBnConfig, SeqBnConfig
from tokenizers import Tokenizer

PAIRS = [
    ("A cat sat on the mat.", "An animal is sitting."),
    ("The company reported record profits this year.", "The company lost money."),
    ("She moved to Paris in 2010 and still lives there.", "She lives in France."),
    ("Heavy rain flooded the streets of the old town overnight.", "The weather was dry."),
    ("He plays the violin in the city orchestra.", "He is a musician."),
]


def probabilities(model, tok, pairs):
    out = []
    with torch.no_grad():
        for a, b in pairs:
            enc = tok.encode(a, b)
            ids = torch.tensor([enc.ids])
            logits = model(input_ids=ids, token_type_ids=torch.tensor([enc.type_ids]),
                           attention_mask=torch.tensor([enc.attention_mask])).logits
            out.append(torch.softmax(logits.double(), dim=-1)[0].tolist())
    return out


def make(minilm, out_dir, name, config, seed):
    torch.manual_seed(seed)
    model = BertAdapterModel.from_pretrained(minilm)
    model.add_adapter(name, config=config)
    model.add_classification_head(name, num_labels=2)  # no id2label: adapters names the labels LABEL_0, LABEL_1
    model.set_active_adapters(name)
    with torch.no_grad():
        for key, p in model.named_parameters():
            if f"adapters.{name}." in key or f"heads.{name}." in key:
                # larger than the library's init so that the adapter visibly changes the probabilities
                p.copy_((torch.randn_like(p) * (0.5 if "heads" in key else 0.1)).half().float())
    model.eval()
    tok = Tokenizer.from_file(os.path.join(minilm, "tokenizer.json"))
    probs = probabilities(model, tok, PAIRS)
    model.half()
    model.save_adapter(out_dir, name)  # the library's default: pytorch_adapter.bin + pytorch_model_head.bin
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump({"made_by": "scripts/oracle/adapterhub_fixtures.py", "model": "minilm", "task": "RTE",
                   "pairs": [list(p) for p in PAIRS], "probabilities": probs}, f, indent=1)
    print(out_dir, sorted(os.listdir(out_dir)))


def make_lora(minilm, out_dir, head_dir, seed):
    """An AdapterHub LoRA (q, v; r 2, alpha 4) without a head of its own: the probabilities use the head of
    head_dir (the Pfeiffer fixture's), which the Java test puts beside it, so the head's 300 KB are stored once."""
    from adapters import LoRAConfig
    torch.manual_seed(seed)
    model = BertAdapterModel.from_pretrained(minilm)
    model.add_adapter("rte", config=LoRAConfig(r=2, alpha=4))
    model.load_head(head_dir)
    model.set_active_adapters("rte")
    model.active_head = "rte"
    with torch.no_grad():
        for key, p in model.named_parameters():
            if ".loras.rte." in key:
                p.copy_((torch.randn_like(p) * 0.1).half().float())
            elif "heads.rte." in key:
                p.copy_(p.half().float())
    model.eval()
    tok = Tokenizer.from_file(os.path.join(minilm, "tokenizer.json"))
    probs = probabilities(model, tok, PAIRS)
    model.half()
    model.save_adapter(out_dir, "rte", with_head=False)
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump({"made_by": "scripts/oracle/adapterhub_fixtures.py", "model": "minilm", "task": "RTE",
                   "head": "../pfeiffer-minilm", "pairs": [list(p) for p in PAIRS], "probabilities": probs}, f, indent=1)
    print(out_dir, sorted(os.listdir(out_dir)))


def make_fusion(out_dir):
    """A tiny AdapterFusion (random 2-layer BERT, hidden 8) saved both ways: the default torch pickle and safetensors."""
    from adapters import AdapterFusionConfig
    from adapters.composition import Fuse
    from transformers import BertConfig
    torch.manual_seed(21)
    model = BertAdapterModel(BertConfig(vocab_size=30, hidden_size=8, num_hidden_layers=2, num_attention_heads=2,
                                        intermediate_size=16))
    model.add_adapter("a", config="seq_bn")
    model.add_adapter("b", config="seq_bn")
    model.add_adapter_fusion(Fuse("a", "b"), AdapterFusionConfig.load("dynamic"))
    with torch.no_grad():
        for key, p in model.named_parameters():
            if "adapter_fusion_layer" in key:
                p.copy_(torch.randn_like(p))
    os.makedirs(out_dir, exist_ok=True)
    model.save_adapter_fusion(os.path.join(out_dir, "bin"), "a,b")
    model.save_adapter_fusion(os.path.join(out_dir, "safetensors"), "a,b", use_safetensors=True)
    print(out_dir, sorted(os.listdir(os.path.join(out_dir, "bin"))))


if __name__ == "__main__":
    minilm, root = sys.argv[1], sys.argv[2]
    make(minilm, os.path.join(root, "pfeiffer-minilm"), "rte", SeqBnConfig(reduction_factor=48), 19)
    make(minilm, os.path.join(root, "houlsby-minilm"), "rte", DoubleSeqBnConfig(reduction_factor=96), 20)
    make_lora(minilm, os.path.join(root, "lora-minilm"), os.path.join(root, "pfeiffer-minilm"), 22)
    make_fusion(os.path.join(root, "fusion-tiny"))
