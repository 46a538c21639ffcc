#!/usr/bin/env python3
"""YAMNet per-patch scores with the TFLite interpreter, the peer of Tools/bench/audioset_bases.

    pip install ai-edge-litert soundfile numpy     (measured with ai-edge-litert 2.3.0)
    python Tools/peers/yamnet_tflite.py [ROUNDS]   (from the repository root)
    python Tools/peers/yamnet_tflite.py --write LONG.wav --from DIR [--minutes 10]
    python Tools/peers/yamnet_tflite.py --file LONG.wav [--rounds 1] [--json]

`--write` makes a long 16 kHz mono PCM-16 WAV by concatenating the files of DIR (16 kHz mono,
sorted by name, repeated as needed) up to `--minutes` (the inputs of `graft bench audio
--filter yamnet_scores_10min --long-audio LONG.wav` and of the 1-hour streaming check).
`--file` times every patch of one file (decode, then the interpreter window by window), the
peer of `yamnet_scores_10min`: seconds per pass, per round.

Decodes the three 5-s ESC-50 reference clips of ../shared/pretrained/ref/audio, pads each as
YAMNet's pad_waveform does (15600 + k*7680 samples) and runs `yamnet.tflite` (int8 weights, float
activations: the hybrid kernels) on every 15600-sample window, 7680 apart, with the default
interpreter (XNNPACK delegate) on 2 threads. Prints clips/s and patches/s. The .tflite graph
holds its own front end, so this is the same work as Graft's decode + front end + network.
"""
import glob
import os
import sys
import time

import numpy as np
import soundfile as sf
from ai_edge_litert.interpreter import Interpreter

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "pretrained")


def padded(x):
    """YAMNet's pad_waveform: at least one 15600-sample window, then whole 7680-sample hops."""
    n = len(x)
    pad = max(0, 15600 - n)
    after = max(n, 15600) - 15600
    pad += -(-after // 7680) * 7680 - after
    return np.pad(x, (0, pad))


def write_long(path, folder, minutes):
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
    need, parts, i = int(minutes * 60 * 16000), [], 0
    while sum(len(p) for p in parts) < need:
        x, rate = sf.read(files[i % len(files)], dtype="int16", always_2d=True)
        if rate != 16000 or x.shape[1] != 1:
            sys.exit(f"{files[i % len(files)]}: expected 16 kHz mono, got {rate} Hz, {x.shape[1]} channels")
        parts.append(x[:, 0])
        i += 1
    sf.write(path, np.concatenate(parts)[:need], 16000, subtype="PCM_16")


def time_file(path, rounds, as_json):
    import json
    score = scorer()

    def run():
        x, rate = sf.read(path, dtype="float32")
        assert rate == 16000 and x.ndim == 1, "a 16 kHz mono file"
        return score(x)

    run()  # warm-up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        patches = run()
        times.append(time.perf_counter() - start)
    median = float(np.median(times))
    if as_json:
        print(json.dumps({"name": "yamnet_scores_10min", "unit": "s", "value": median, "rounds": times,
                          "patches": patches, "threads": 2}))
    else:
        print(f"tflite yamnet (XNNPACK, 2 threads): {', '.join(f'{t:.3f}' for t in times)} s for {patches} patches")


def scorer():
    """The interpreter (XNNPACK, 2 threads) as a function: a 16 kHz signal → the number of
    0.96 s windows (hop 0.48 s) it scored, every window through the network."""
    interpreter = Interpreter(model_path=os.path.join(SHARED, "audioset_yamnet", "yamnet.tflite"), num_threads=2)
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]["index"]
    out = interpreter.get_output_details()[0]["index"]

    def score(x):
        x = padded(x)
        count = 0
        for start in range(0, len(x) - 15600 + 1, 7680):
            interpreter.set_tensor(inp, x[start:start + 15600])
            interpreter.invoke()
            interpreter.get_tensor(out)
            count += 1
        return count

    return score


def main():
    if "--write" in sys.argv or "--file" in sys.argv:
        import argparse
        ap = argparse.ArgumentParser()
        ap.add_argument("--write")
        ap.add_argument("--from", dest="folder")
        ap.add_argument("--minutes", type=float, default=10)
        ap.add_argument("--file")
        ap.add_argument("--rounds", type=int, default=1)
        ap.add_argument("--json", action="store_true")
        args = ap.parse_args()
        if args.write:
            write_long(args.write, args.folder, args.minutes)
        else:
            time_file(args.file, args.rounds, args.json)
        return
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    files = sorted(f for f in glob.glob(os.path.join(SHARED, "ref", "audio", "*.flac")) if "esc50" in f)
    score = scorer()

    def clip(path):
        x, _ = sf.read(path, dtype="float32")
        return score(x)

    clip(files[0])  # warm-up
    start = time.perf_counter()
    clips = patches = 0
    for _ in range(rounds):
        for f in files:
            patches += clip(f)
            clips += 1
    elapsed = time.perf_counter() - start
    print(f"tflite yamnet (XNNPACK, 2 threads): {clips / elapsed:.1f} clips/s, {patches / elapsed:.1f} patches/s "
          f"({clips} clips of 5 s)")


if __name__ == "__main__":
    main()
