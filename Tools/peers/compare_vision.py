#!/usr/bin/env python3
"""Side-by-side `graft bench vision` vs Tools/peers/vision_torch.py (A B A B ...; medians).

Writes 64 photo-like 224x224 RGB PNGs with Pillow into --png-dir first (both sides decode
the same files), then alternates the two `--rounds` times and prints Markdown rows.

    python Tools/peers/compare_vision.py --graft .build/release/graft --png-dir /tmp/graft-pngs
"""
import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def write_pngs(directory, count=64):
    os.makedirs(directory, exist_ok=True)
    rng = random.Random(3)
    for i in range(count):
        phase = rng.uniform(0, 6.28)
        img = Image.new("RGB", (224, 224))
        px = img.load()
        for y in range(224):
            for x in range(224):
                px[x, y] = tuple(max(0, min(255, int(127.5 + 100 * math.sin(x * 0.03 + y * 0.02 * (c + 1) + phase)
                                                      + rng.uniform(-12, 12)))) for c in range(3))
        img.save(os.path.join(directory, f"img{i}.png"))


def run_json(cmd):
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--graft", default=".build/release/graft")
    ap.add_argument("--png-dir", default="/tmp/graft-bench-pngs")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--budget", type=float, default=3.0)
    args = ap.parse_args()
    if not os.path.isdir(args.png_dir) or not os.listdir(args.png_dir):
        write_pngs(args.png_dir)
    g_side, t_side, units = {}, {}, {}
    for r in range(args.rounds):
        for b in run_json([args.graft, "bench", "vision", "--json", "--budget", str(args.budget),
                           "--png-dir", args.png_dir])["benchmarks"]:
            g_side.setdefault(b["name"], []).append(b["value"])
            units[b["name"]] = b["unit"]
        for b in run_json([sys.executable, os.path.join(HERE, "vision_torch.py"), "--png-dir", args.png_dir,
                           "--budget", str(args.budget)])["benchmarks"]:
            t_side.setdefault(b["name"], []).append(b["value"])
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print("| benchmark | unit | Graft (median) | peer (median) | Graft / peer |")
    print("|---|---|---:|---:|---:|")
    for name, values in g_side.items():
        gm, tm = statistics.median(values), statistics.median(t_side.get(name, [float("nan")]))
        print(f"| {name} | {units[name]} | {gm:.4g} | {tm:.4g} | {gm / tm:.2f}× |")


if __name__ == "__main__":
    main()
