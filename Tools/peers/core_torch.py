#!/usr/bin/env python3
"""PyTorch CPU peer for `graft bench core`: the same GEMM, 3x3 convolution and add.

Run by hand (see docs/BENCHMARKS.md):
    python Tools/peers/core_torch.py --threads 2 [--budget 1.0]
Prints JSON in the same shape as `graft bench core --json`.
"""
import argparse
import json
import platform
import statistics
import time

import torch


def median_seconds(fn, budget, min_iters=3):
    fn()  # warm-up
    times = []
    start = time.perf_counter()
    while len(times) < min_iters or (time.perf_counter() - start < budget and len(times) < 1000):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), len(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--budget", type=float, default=1.0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    results = []

    def add(name, value, unit, t, n):
        results.append({"name": name, "value": value, "unit": unit, "seconds": t, "iterations": n})

    for n in (512, 1024, 2048):
        a, b = torch.randn(n, n), torch.randn(n, n)
        t, k = median_seconds(lambda: torch.matmul(a, b), args.budget)
        add(f"sgemm_{n}", 2 * n**3 / t / 1e9, "GFLOP/s", t, k)

    x = torch.randn(16, 64, 56, 56)
    w = torch.randn(64, 64, 3, 3) * 0.05
    flops = 2.0 * 16 * 64 * 56 * 56 * 64 * 9
    with torch.no_grad():
        t, k = median_seconds(lambda: torch.nn.functional.conv2d(x, w, padding=1), args.budget)
    add("conv3x3_64_56_b16_fwd", flops / t / 1e9, "GFLOP/s", t, k)
    xg, wg = x.clone().requires_grad_(True), w.clone().requires_grad_(True)
    up = torch.ones(16, 64, 56, 56)

    def fwdbwd():
        xg.grad = None
        wg.grad = None
        torch.nn.functional.conv2d(xg, wg, padding=1).backward(up)

    t, k = median_seconds(fwdbwd, args.budget)
    add("conv3x3_64_56_b16_fwdbwd", 3 * flops / t / 1e9, "GFLOP/s", t, k)

    n = 16 << 20
    a, b = torch.full((n,), 1.0), torch.full((n,), 2.0)
    t, k = median_seconds(lambda: a + b, args.budget)
    add("add_16M", 12 * n / t / 1e9, "GB/s", t, k)

    print(json.dumps({"machine": {"cpu": platform.processor() or platform.machine(), "threads": args.threads,
                                  "torch": torch.__version__, "mkldnn": torch.backends.mkldnn.is_available()},
                      "benchmarks": results}, indent=2))


if __name__ == "__main__":
    main()
