"""PEFT loads a sequence-classification LoRA that `mera train --method lora` wrote on a RoBERTa / XLM-R directory
(task_type SEQ_CLS, the head in modules_to_save) and gives mera's probabilities (`mera predict`).

    PY=$(../shared/tools/python-oracle)
    $PY scripts/oracle/family_peft_check.py MODEL_DIR LORA_DIR INPUT.jsonl MERA_PREDICTIONS.jsonl
"""
import json
import sys

import torch
from peft import PeftModel
from transformers import AutoModelForSequenceClassification, AutoTokenizer

model_dir, lora_dir, input_file, predictions_file = sys.argv[1:5]
label2id = json.load(open(lora_dir + "/head_config.json"))["config"]["label2id"]
assert json.load(open(lora_dir + "/adapter_config.json"))["task_type"] == "SEQ_CLS"
base = AutoModelForSequenceClassification.from_pretrained(model_dir, num_labels=len(label2id))
model = PeftModel.from_pretrained(base, lora_dir)
model.eval()
tok = AutoTokenizer.from_pretrained(model_dir)
rows = [json.loads(line) for line in open(input_file) if line.strip()]
mera = [json.loads(line) for line in open(predictions_file) if line.strip()]
worst = 0.0
moved = 0.0
for row, m in zip(rows, mera):
    texts = [row["premise"], row["hypothesis"]] if "premise" in row else [row["text"]]
    enc = tok(*texts, return_tensors="pt")
    with torch.no_grad():
        p = torch.softmax(model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits[0], -1)
        with model.disable_adapter():  # the base model (its own random head too): how far the adapter moves them
            plain = torch.softmax(model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits[0], -1)
    for label, i in label2id.items():
        worst = max(worst, abs(float(p[i]) - m["scores"][label]))
        moved = max(moved, abs(float(p[i]) - float(plain[i])))
print(f"{base.config.model_type}: {len(rows)} rows, max |PEFT - mera| probability = {worst:.2e}"
      f" (without the adapter they differ by up to {moved:.2e})")
sys.exit(0 if worst <= 1e-5 and len(rows) == len(mera) else 1)
