#!/usr/bin/env python3
"""Peers for `graft bench audio`: librosa and torchaudio log-mel, soundfile decoding.

    python Tools/peers/audio_python.py --write-files DIR      # 10-min 44.1 kHz stereo WAV + FLAC, and a folder of 8 clips
    python Tools/peers/audio_python.py --files DIR [--budget 3] [--threads 2]

Log-mel parameters as graft's: 16 kHz, n_fft 512, hop 160, Hann, center, 64 mels, power_to_db.
Needs: librosa, soundfile, numpy; torchaudio==2.11.* with torch==2.11.* (optional).
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import soundfile as sf


def timed(fn, budget, warmup=1, min_iters=3):
    for _ in range(warmup):
        fn()
    times, start = [], time.perf_counter()
    while len(times) < min_iters or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), len(times)


def ten_minutes(rate=16000, seconds=600, channels=1, seed=9):
    rng = np.random.default_rng(seed)
    t = (np.arange(rate * seconds) % rate) / rate
    y = 0.5 * np.sin(2 * np.pi * (100 * t + 0.5 * 3900 * t * t)) + 0.05 * rng.uniform(-1, 1, t.shape)
    y = y.astype(np.float32)
    return np.stack([y] * channels, axis=1) if channels > 1 else y


def write_files(d):
    os.makedirs(os.path.join(d, "folder"), exist_ok=True)
    stereo = ten_minutes(rate=44100, channels=2)
    sf.write(os.path.join(d, "ten_minutes.wav"), stereo, 44100, subtype="PCM_16")
    sf.write(os.path.join(d, "ten_minutes.flac"), stereo, 44100, subtype="PCM_16")
    for i in range(8):
        sf.write(os.path.join(d, "folder", f"clip{i}.flac"), stereo[i * 44100 * 30:(i + 1) * 44100 * 30], 44100,
                 subtype="PCM_16")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--write-files")
    ap.add_argument("--files")
    ap.add_argument("--budget", type=float, default=3.0)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    if args.write_files:
        write_files(args.write_files)
        return
    import librosa
    results = []

    def add(name, t, n):
        results.append({"name": name, "value": t, "unit": "s", "seconds": t, "iterations": n})

    y = ten_minutes()
    t, n = timed(lambda: np.abs(librosa.stft(y, n_fft=512, hop_length=160, window="hann", center=True)) ** 2, args.budget)
    add("stft_power_10min", t, n)

    def librosa_logmel():
        m = librosa.feature.melspectrogram(y=y, sr=16000, n_fft=512, hop_length=160, n_mels=64, power=2.0)
        return librosa.power_to_db(m)

    t, n = timed(librosa_logmel, args.budget)
    add("logmel_10min", t, n)
    try:
        import torch
        import torchaudio
        torch.set_num_threads(args.threads)
        mel = torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=512, hop_length=160, n_mels=64, power=2.0)
        db = torchaudio.transforms.AmplitudeToDB(stype="power")
        yt = torch.from_numpy(y)
        t, n = timed(lambda: db(mel(yt)), args.budget)
        add("logmel_10min_torchaudio", t, n)
    except (ImportError, OSError) as e:  # torchaudio's C++ library must match torch's version
        print(f"torchaudio skipped: {e}", file=__import__("sys").stderr)
    if args.files:
        t, n = timed(lambda: sf.read(os.path.join(args.files, "ten_minutes.wav"), dtype="float32"), args.budget)
        add("decode_wav", t, n)
        t, n = timed(lambda: sf.read(os.path.join(args.files, "ten_minutes.flac"), dtype="float32"), args.budget)
        add("decode_flac", t, n)
        folder = os.path.join(args.files, "folder")
        files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
        t, n = timed(lambda: [sf.read(f, dtype="float32") for f in files], args.budget)
        add("decode_folder", t, n)
    print(json.dumps({"machine": {"librosa": librosa.__version__, "soundfile": sf.__version__},
                      "benchmarks": results}, indent=2))


if __name__ == "__main__":
    main()
