#!/usr/bin/env python3
"""PyTorch CPU peer for `graft bench core`'s small-CNN figures.

The network: 3 blocks of conv3x3 (no bias) -> BatchNorm -> ReLU -> MaxPool2d(2), widths
32/64/128, global average pool, Linear(128, 10); input 3x32x32, batch 64; SGD momentum 0.9.
Same as GraftCore's SmallCNN + Linear head.

    python Tools/peers/smallcnn_torch.py --threads 2 [--seconds 5]

Prints JSON: smallcnn_train_b64 and smallcnn_infer_b64 in images/s, and the peak RSS.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                         nn.MaxPool2d(2))


def timed(fn, seconds, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(times) < 5:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), len(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = nn.Sequential(block(3, 32), block(32, 64), block(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                          nn.Linear(128, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(args.batch, 3, 32, 32)
    y = torch.randint(0, 10, (args.batch,))
    loss_fn = nn.CrossEntropyLoss()

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()

    model.train()
    t_train, n_train = timed(train_step, args.seconds)
    model.eval()

    def infer():
        with torch.no_grad():
            model(x)

    t_infer, n_infer = timed(infer, args.seconds)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "machine": {"threads": args.threads, "torch": torch.__version__},
        "benchmarks": [
            {"name": "smallcnn_train_b64", "value": args.batch / t_train, "unit": "images/s", "seconds": t_train,
             "iterations": n_train},
            {"name": "smallcnn_infer_b64", "value": args.batch / t_infer, "unit": "images/s", "seconds": t_infer,
             "iterations": n_infer},
        ],
        "peak_rss_mb": round(rss_mb, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
