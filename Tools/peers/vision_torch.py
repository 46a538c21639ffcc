#!/usr/bin/env python3
"""Peers for `graft bench vision`: Pillow PNG decoding and torchvision ResNet-18 / MobileNetV2.

    python Tools/peers/vision_torch.py --png-dir DIR [--threads 2] [--budget 3]

Decodes every PNG of DIR (Image.open + load + convert("RGB"), as a torchvision loader
does) on one thread and, for the folder figure, with a pool of `--threads` processes;
then times torchvision networks at batch 16, 3x224x224. Prints JSON like graft's.
"""
import argparse
import json
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import torch
import torchvision
from PIL import Image


def timed(fn, budget, warmup=1, min_iters=3):
    for _ in range(warmup):
        fn()
    times, start = [], time.perf_counter()
    while len(times) < min_iters or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), len(times)


def decode(path):
    with Image.open(path) as im:
        im.load()
        return im.convert("RGB").size


def decode_all(paths):
    for p in paths:
        decode(p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--png-dir", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--budget", type=float, default=3.0)
    ap.add_argument("--skip-networks", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    files = sorted(os.path.join(args.png_dir, f) for f in os.listdir(args.png_dir) if f.endswith(".png"))
    results = []

    def add(name, value, unit, t, n):
        results.append({"name": name, "value": value, "unit": unit, "seconds": t, "iterations": n})

    t, n = timed(lambda: decode_all(files), args.budget)
    add("png_decode_224_1thread", len(files) / t, "images/s", t, n)
    chunks = [files[i::args.threads] for i in range(args.threads)]
    with ProcessPoolExecutor(args.threads) as pool:
        t, n = timed(lambda: list(pool.map(decode_all, chunks)), args.budget)
    add("png_decode_224", len(files) / t, "images/s", t, n)

    if not args.skip_networks:
        x = torch.randn(16, 3, 224, 224)
        labels = torch.randint(0, 1000, (16,))
        for name, ctor in (("resnet18", torchvision.models.resnet18), ("mobilenetv2", torchvision.models.mobilenet_v2)):
            model = ctor(weights=None).eval()
            with torch.no_grad():
                t, n = timed(lambda: model(x), args.budget)
            add(f"{name}_infer_b16", 16 / t, "images/s", t, n)
            # One full fine-tuning step (SGD with momentum): resnet18_finetune_b16, mobilenetv2_finetune_b16.
            model.train()
            opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)

            def step():
                opt.zero_grad(set_to_none=True)
                torch.nn.functional.cross_entropy(model(x), labels).backward()
                opt.step()

            t, n = timed(step, args.budget)
            add(f"{name}_finetune_b16", 16 / t, "images/s", t, n)
    print(json.dumps({"machine": {"threads": args.threads, "torch": torch.__version__,
                                  "torchvision": torchvision.__version__, "pillow": Image.__version__},
                      "benchmarks": results}, indent=2))


if __name__ == "__main__":
    main()
