"""Makes the tiny RoBERTa, XLM-R and DistilBERT fixtures under src/test/resources/families (run once, committed):
a random checkpoint per family (hidden 32, 2 layers, a vocabulary of a few hundred tokens) saved by
save_pretrained with its tokenizer, plus transformers' own token ids and last_hidden_state for a few
single sentences and sentence pairs (expected.json), which FamilyParityTest compares mera against.
Then a PEFT LoRA (r 4, random non-zero B) on each saved checkpoint, as PEFT saves it for AutoModel, with the
LoRA model's last_hidden_state for one pair (<family>-lora/expected.json), which FamilyPeftLoraTest reads.

    PY=$(../shared/tools/python-oracle) && $PY scripts/oracle/make_family_fixtures.py [OUT_DIR] [--lora-only]
"""
import json
import os
import sys
import tempfile

import torch
from tokenizers import ByteLevelBPETokenizer, SentencePieceUnigramTokenizer
from transformers import (DistilBertConfig, DistilBertModel, DistilBertTokenizerFast, RobertaConfig, RobertaModel,
                          RobertaTokenizerFast, XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizer)

HERE = os.path.dirname(os.path.abspath(__file__))
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
OUT = ARGS[0] if ARGS else os.path.join(HERE, "..", "..", "src", "test", "resources", "families")

# Training text for the tiny tokenizers and the inputs whose outputs are stored.
CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "A man is playing a guitar on the stage.",
    "Two dogs are running through a field of grass.",
    "The weather was cold and the river froze overnight.",
    "Is the capital of France Paris or Lyon?",
    "She said that the meeting would start at noon.",
    "Children were reading books in the quiet library.",
    "The company reported higher profits this year.",
]
SINGLES = ["The quick brown fox jumps over the lazy dog.", "A man is playing a guitar!", "unseenword zebra"]
PAIRS = [["A man is playing a guitar.", "Someone plays music."],
         ["The river froze overnight.", "It was warm and sunny, wasn't it?"]]


def roberta_tokenizer(work):
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS, vocab_size=300, min_frequency=1,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    bpe.save_model(work)
    # transformers 5 takes the vocabulary and merges as paths in vocab=/merges= (4.x's vocab_file= is ignored)
    return RobertaTokenizerFast(vocab=os.path.join(work, "vocab.json"), merges=os.path.join(work, "merges.txt"),
                                model_max_length=64)


def unigram_tokenizer():
    """XLM-R's kind: a SentencePiece Unigram vocabulary (pieces with scores), <s> A </s></s> B </s>."""
    spm = SentencePieceUnigramTokenizer()
    spm.train_from_iterator(CORPUS, vocab_size=300, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
                            unk_token="<unk>")
    vocab = [tuple(p) for p in json.loads(spm.to_str())["model"]["vocab"]]
    return XLMRobertaTokenizer(vocab=vocab, model_max_length=64)


def wordpiece_tokenizer(work):
    words = sorted({w.strip(".,?!").lower() for s in CORPUS for w in s.split()} - {""})
    chars = sorted({c for s in CORPUS for c in s.lower() if not c.isspace()})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars + ["##" + c for c in chars if c.isalnum()] + words
    path = os.path.join(work, "vocab.txt")
    with open(path, "w") as f:
        f.write("\n".join(dict.fromkeys(vocab)) + "\n")
    return DistilBertTokenizerFast(vocab=path, do_lower_case=True, model_max_length=64)


def expected(model, tok):
    out = {"cases": []}
    model.eval()
    for inputs in [[s] for s in SINGLES] + PAIRS:
        enc = tok(*inputs, return_tensors="pt")
        with torch.no_grad():
            hidden = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state[0]
        out["cases"].append({"texts": inputs, "ids": enc["input_ids"][0].tolist(),
                             "last_hidden_state": [[round(float(v), 7) for v in row] for row in hidden]})
    # one padded batch: positions of RoBERTa and the attention mask must ignore the padding
    batch = tok([SINGLES[0], SINGLES[1]], padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    out["padded_batch"] = {"ids": batch["input_ids"].tolist(), "mask": batch["attention_mask"].tolist(),
                           "last_hidden_state": [[[round(float(v), 7) for v in row] for row in s] for s in hidden]}
    return out


def save(name, model, tok):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    model.save_pretrained(d, safe_serialization=True)
    tok.save_pretrained(d)
    for f in ("vocab.json", "merges.txt", "vocab.txt"):  # tokenizer.json holds everything mera reads
        if os.path.exists(os.path.join(d, f)):
            os.remove(os.path.join(d, f))
    assert len(tok) > 60 and model.config.vocab_size == len(tok), (len(tok), model.config.vocab_size)
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected(model, tok), f)
    print(name, sorted(os.listdir(d)), sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)), "bytes")


def save_lora(name, model_class, targets):
    """A PEFT LoRA on the saved checkpoint `name`, and the LoRA model's last_hidden_state for the first pair."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoTokenizer
    base = os.path.join(OUT, name)
    tok = AutoTokenizer.from_pretrained(base)
    torch.manual_seed(2)
    # init_lora_weights=False: B random too, so the adapter changes the output
    model = get_peft_model(model_class.from_pretrained(base), LoraConfig(r=4, lora_alpha=8, target_modules=targets,
                                                                         init_lora_weights=False))
    d = os.path.join(OUT, name + "-lora")
    model.save_pretrained(d)
    os.remove(os.path.join(d, "README.md"))
    cfg_file = os.path.join(d, "adapter_config.json")
    with open(cfg_file) as f:
        cfg = json.load(f)
    cfg["base_model_name_or_path"] = name  # not this machine's absolute path
    with open(cfg_file, "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
    model.eval()
    enc = tok(*PAIRS[0], return_tensors="pt")
    with torch.no_grad():
        hidden = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state[0]
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump({"texts": PAIRS[0], "ids": enc["input_ids"][0].tolist(),
                   "last_hidden_state": [[round(float(v), 7) for v in row] for row in hidden]}, f)
    print(name + "-lora", sorted(os.listdir(d)), sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)), "bytes")


def main():
    if "--lora-only" not in sys.argv:
        make_checkpoints()
    save_lora("roberta-tiny", RobertaModel, ["query", "value"])
    save_lora("distilbert-tiny", DistilBertModel, ["q_lin", "v_lin"])


def make_checkpoints():
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as work:
        tok = roberta_tokenizer(work)
        config = RobertaConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                               intermediate_size=64, max_position_embeddings=66, type_vocab_size=1, pad_token_id=1,
                               bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5)
        save("roberta-tiny", RobertaModel(config, add_pooling_layer=False), tok)
    torch.manual_seed(3)
    tok = unigram_tokenizer()
    config = XLMRobertaConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                              intermediate_size=64, max_position_embeddings=66, type_vocab_size=1, pad_token_id=1,
                              bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5)
    save("xlm-roberta-tiny", XLMRobertaModel(config, add_pooling_layer=False), tok)
    torch.manual_seed(1)
    with tempfile.TemporaryDirectory() as work:
        tok = wordpiece_tokenizer(work)
        for sinusoidal in (False, True):
            config = DistilBertConfig(vocab_size=len(tok), dim=32, n_layers=2, n_heads=4, hidden_dim=64,
                                      max_position_embeddings=64, sinusoidal_pos_embds=sinusoidal, pad_token_id=0)
            save("distilbert-tiny-sinusoidal" if sinusoidal else "distilbert-tiny", DistilBertModel(config), tok)


if __name__ == "__main__":
    main()
