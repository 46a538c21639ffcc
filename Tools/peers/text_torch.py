#!/usr/bin/env python3
"""Peers for `graft bench text`: Python tokenizers and the PyTorch LSTM classifier.

    python Tools/peers/text_torch.py --text-file FILE [--threads 2] [--budget 3]

- tokenize_regex: a Python regex word tokenizer (lowercase; words, numbers, punctuation), MB/s
- tokenize_hf: Hugging Face `tokenizers` pre-tokenizer (Whitespace) + lowercase normalizer, MB/s
  (skipped when the package is missing)
- lstm_train_b32 / lstm_infer_b32: frozen Embedding 20000x100 -> LSTM 100->128 -> Linear 2,
  batch 32 x 100 tokens, Adam; steps/s and sequences/s.
"""
import argparse
import json
import re
import statistics
import time

import torch
import torch.nn as nn


def timed(fn, budget, warmup=1, min_iters=3):
    for _ in range(warmup):
        fn()
    times, start = [], time.perf_counter()
    while len(times) < min_iters or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), len(times)


WORD = re.compile(r"https?://\S+|\w+(?:[-']\w+)*|[^\w\s]", re.UNICODE)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(20000, 100, padding_idx=0)
        self.embedding.weight.requires_grad_(False)
        self.lstm = nn.LSTM(100, 128, batch_first=True)
        self.head = nn.Linear(128, 2)

    def forward(self, tokens):
        _, (h, _) = self.lstm(self.embedding(tokens))
        return self.head(h[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--text-file", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--budget", type=float, default=3.0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    text = open(args.text_file, encoding="utf-8").read()
    mb = len(text.encode("utf-8")) / 1e6
    results = []

    def add(name, value, unit, t, n):
        results.append({"name": name, "value": value, "unit": unit, "seconds": t, "iterations": n})

    t, n = timed(lambda: WORD.findall(text.lower()), args.budget)
    add("tokenize_regex", mb / t, "MB/s", t, n)
    try:
        from tokenizers import normalizers, pre_tokenizers
        norm, pre = normalizers.Lowercase(), pre_tokenizers.Whitespace()
        lines = text.split("\n")

        def hf():
            for line in lines:
                pre.pre_tokenize_str(norm.normalize_str(line))

        t, n = timed(hf, args.budget)
        add("tokenize_hf", mb / t, "MB/s", t, n)
    except ImportError:
        pass

    torch.manual_seed(0)
    model = Model()
    tokens = torch.randint(1, 20000, (32, 100))
    labels = torch.arange(32) % 2
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(tokens), labels).backward()
        opt.step()

    t, n = timed(step, args.budget, warmup=2)
    add("lstm_train_b32", 1 / t, "steps/s", t, n)
    with torch.no_grad():
        t, n = timed(lambda: model(tokens), args.budget, warmup=2)
    add("lstm_infer_b32", 32 / t, "sequences/s", t, n)
    print(json.dumps({"machine": {"threads": args.threads, "torch": torch.__version__}, "benchmarks": results}, indent=2))


if __name__ == "__main__":
    main()
