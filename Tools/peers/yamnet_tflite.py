#!/usr/bin/env python3
"""YAMNet per-patch scores with the TFLite interpreter, the peer of Tools/bench/audioset_bases.

    pip install ai-edge-litert soundfile numpy     (measured with ai-edge-litert 2.3.0)
    python Tools/peers/yamnet_tflite.py [ROUNDS]   (from the repository root)

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


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    files = sorted(f for f in glob.glob(os.path.join(SHARED, "ref", "audio", "*.flac")) if "esc50" in f)
    interpreter = Interpreter(model_path=os.path.join(SHARED, "audioset_yamnet", "yamnet.tflite"), num_threads=2)
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]["index"]
    out = interpreter.get_output_details()[0]["index"]

    def clip(path):
        x, _ = sf.read(path, dtype="float32")
        n = len(x)
        pad = max(0, 15600 - n)
        after = max(n, 15600) - 15600
        pad += -(-after // 7680) * 7680 - after
        x = np.pad(x, (0, pad))
        count = 0
        for start in range(0, len(x) - 15600 + 1, 7680):
            interpreter.set_tensor(inp, x[start:start + 15600])
            interpreter.invoke()
            interpreter.get_tensor(out)
            count += 1
        return count

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
