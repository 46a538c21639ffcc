#!/usr/bin/env python3
"""Side-by-side run of `graft bench core --json` and the PyTorch peers on this machine.

Alternates Graft and PyTorch (A B A B ...) `--rounds` times and prints, per benchmark,
the median of each side and the ratio, as Markdown rows for docs/BENCHMARKS.md.

    python Tools/peers/compare_core.py --graft .build/release/graft --rounds 3
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--graft", default=".build/release/graft")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--budget", type=float, default=1.5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    graft, torch_side = {}, {}
    units = {}
    for r in range(args.rounds):
        g = run_json([args.graft, "bench", "core", "--json", "--budget", str(args.budget)])
        for b in g["benchmarks"]:
            graft.setdefault(b["name"], []).append(b["value"])
            units[b["name"]] = b["unit"]
        for script, extra in (("core_torch.py", ["--budget", str(args.budget)]),
                              ("smallcnn_torch.py", ["--seconds", str(args.budget * 2)])):
            t = run_json([sys.executable, os.path.join(HERE, script), "--threads", str(args.threads)] + extra)
            for b in t["benchmarks"]:
                torch_side.setdefault(b["name"], []).append(b["value"])
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print("| benchmark | unit | Graft (median) | PyTorch (median) | Graft / PyTorch |")
    print("|---|---|---:|---:|---:|")
    for name, values in graft.items():
        gm = statistics.median(values)
        tm = statistics.median(torch_side[name]) if name in torch_side else None
        unit = units[name]
        if tm is None:
            print(f"| {name} | {unit} | {gm:.4g} | – | – |")
        else:
            ratio = gm / tm if unit != "s/epoch" else tm / gm
            print(f"| {name} | {unit} | {gm:.4g} | {tm:.4g} | {ratio:.2f}× |")


if __name__ == "__main__":
    main()
