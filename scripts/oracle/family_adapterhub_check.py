"""AdapterHub's `adapters` loads a bottleneck adapter + head that mera trained on a RoBERTa / XLM-R / DistilBERT
directory and gives mera's probabilities (`mera predict`), which checks the family's AdapterHub key names.

    RUN=$(../shared/tools/adapterhub-oracle ADAPTERS_CHECKOUT)
    $RUN scripts/oracle/family_adapterhub_check.py MODEL_DIR ADAPTER_DIR INPUT.jsonl MERA_PREDICTIONS.jsonl
"""
import json
import sys

import torch
import adapters
from transformers import AutoConfig, AutoTokenizer

model_dir, adapter_dir, input_file, predictions_file = sys.argv[1:5]
model_type = AutoConfig.from_pretrained(model_dir).model_type
model_class = {"roberta": adapters.RobertaAdapterModel, "xlm-roberta": adapters.XLMRobertaAdapterModel,
               "distilbert": adapters.DistilBertAdapterModel, "bert": adapters.BertAdapterModel}[model_type]
model = model_class.from_pretrained(model_dir)
name = model.load_adapter(adapter_dir, set_active=True, use_safetensors=True)
model.set_active_adapters(name)
model.eval()
tok = AutoTokenizer.from_pretrained(model_dir)
rows = [json.loads(line) for line in open(input_file) if line.strip()]
mera = [json.loads(line) for line in open(predictions_file) if line.strip()]
label2id = json.load(open(adapter_dir + "/head_config.json"))["config"]["label2id"]
worst = 0.0
moved = 0.0
for row, m in zip(rows, mera):
    texts = [row["premise"], row["hypothesis"]] if "premise" in row else [row["text"]]
    enc = tok(*texts, return_tensors="pt")
    with torch.no_grad():
        logits = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits[0]
    p = torch.softmax(logits, -1)
    # the same head without the adapter: how much the adapter moves the output, so a match means something
    with torch.no_grad():
        model.active_adapters = None
        plain = torch.softmax(model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                                    head=name).logits[0], -1)
        model.set_active_adapters(name)
    for label, i in label2id.items():
        worst = max(worst, abs(float(p[i]) - m["scores"][label]))
        moved = max(moved, abs(float(p[i]) - float(plain[i])))
print(f"{model_type}: adapter {name}, {len(rows)} rows, max |AdapterHub - mera| probability = {worst:.2e}"
      f" (the adapter moves them by up to {moved:.2e})")
sys.exit(0 if worst <= 1e-5 and moved > 10 * max(worst, 1e-7) and len(rows) == len(mera) else 1)
