#!/usr/bin/env python3
"""mn04 embeddings of 5-s clips with EfficientAT's own PyTorch code: the peer of
`graft bench audio --filter mn04_embed_100x5s`.

    pip install torch==2.11.* torchaudio==2.11.* torchvision==0.26.* soundfile numpy
    git clone https://github.com/fschmid56/EfficientAT /tmp/EfficientAT   # @ a425fdce, MIT; not committed here
    python Tools/peers/mn04_torch.py --efficientat /tmp/EfficientAT \\
        --checkpoint ../shared/pretrained/audioset_mn04/mn04_as_mAP_432.pt \\
        --clips ../shared/datasets/cough_audio/audio/esc50 [--limit 100] [--rounds 1] [--ref ../shared/pretrained/ref]

The model and front end are EfficientAT's (`models.mn.model.get_model(width_mult=0.4)`,
`models.preprocess.AugmentMelSTFT` in eval mode), imported from the checkout given, built as
`../shared/pretrained/make_refs.py` builds them. Per clip, as Graft's benchmark does: decode
(soundfile, float32), resample to 32 kHz with torchaudio's sinc resampler (the reference's
parameters), front end, forward to the 384-d embedding; `torch.set_num_threads(2)`, `no_grad`.

With `--ref`, first checks that this pipeline reproduces the reference embeddings
(`ref/mn04/<clip>/features.npy`) from the reference clips, so the timing is of the same
computation as Graft's (which its tests check against the same files). Then times `--rounds`
passes over the first `--limit` files of `--clips` (sorted by name; the same files Graft's
benchmark reads) after one warm-up clip, and prints clips/s per round (and JSON with --json).
"""
import argparse
import contextlib
import glob
import io
import json
import os
import sys
import time

import numpy as np
import soundfile as sf
import torch
import torchaudio


def load_efficientat(checkout, checkpoint):
    cwd = os.getcwd()
    os.chdir(checkout)  # helpers.utils reads metadata/class_labels_indices.csv relative to the cwd
    sys.path.insert(0, checkout)
    from models.mn.model import get_model
    from models.preprocess import AugmentMelSTFT
    os.chdir(cwd)
    with contextlib.redirect_stdout(io.StringIO()):  # get_model prints the network
        model = get_model(num_classes=527, pretrained_name=None, width_mult=0.4, head_type="mlp",
                          strides=(2, 2, 2, 2), se_dims="c", se_agg="max", se_r=4, input_dim_f=128, input_dim_t=1000)
        front = AugmentMelSTFT(n_mels=128, sr=32000, win_length=800, hopsize=320, n_fft=1024, freqm=48, timem=192,
                               fmin=0.0, fmax=None, fmin_aug_range=10, fmax_aug_range=2000)
    model.load_state_dict(torch.load(checkpoint, map_location="cpu", weights_only=True), strict=True)
    model.eval()
    front.eval()
    return model, front


def embed(path, model, front):
    """Decode, resample to 32 kHz, front end, forward: the 384-d embedding of one file."""
    x, rate = sf.read(path, dtype="float32", always_2d=True)
    w = torch.from_numpy(x.mean(axis=1) if x.shape[1] > 1 else x[:, 0])
    if rate != 32000:
        w = torchaudio.functional.resample(w, rate, 32000, lowpass_filter_width=6, rolloff=0.99,
                                           resampling_method="sinc_interp_hann")
    mel = front(w[None]).unsqueeze(0)  # [1, 1, 128, T]
    _, features = model(mel)
    return features[0]


def check(ref, model, front):
    """Largest relative error (max |Δ| / max |ref|) of the embedding over the reference clips."""
    worst = 0.0
    for path in sorted(glob.glob(os.path.join(ref, "audio", "*"))):
        clip = os.path.splitext(os.path.basename(path))[0]
        expected = np.load(os.path.join(ref, "mn04", clip, "features.npy"))
        got = embed(path, model, front).numpy()
        worst = max(worst, float(np.abs(got - expected).max() / np.abs(expected).max()))
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--efficientat", required=True, help="a checkout of github.com/fschmid56/EfficientAT")
    ap.add_argument("--checkpoint", required=True, help="mn04_as_mAP_432.pt")
    ap.add_argument("--clips", required=True, help="folder of audio files (the first --limit, sorted by name)")
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--ref", help="../shared/pretrained/ref: check the embeddings against it first")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(2)
    model, front = load_efficientat(os.path.abspath(args.efficientat), args.checkpoint)
    files = sorted(os.path.join(args.clips, f) for f in os.listdir(args.clips))[: args.limit]
    result = {"name": "mn04_embed_100x5s", "unit": "clips/s", "clips": len(files), "threads": torch.get_num_threads(),
              "torch": torch.__version__, "torchaudio": torchaudio.__version__}
    with torch.no_grad():
        if args.ref:
            result["ref_max_rel_error"] = check(args.ref, model, front)
        embed(files[0], model, front)  # warm-up
        rates = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            for f in files:
                embed(f, model, front)
            rates.append(len(files) / (time.perf_counter() - start))
    result["rounds"] = rates
    result["value"] = float(np.median(rates))
    if args.json:
        print(json.dumps(result))
    else:
        if "ref_max_rel_error" in result:
            print(f"reference embeddings reproduced within {result['ref_max_rel_error']:.2e} relative")
        print(f"EfficientAT mn04 (PyTorch {torch.__version__}, 2 threads): "
              + ", ".join(f"{r:.1f}" for r in rates) + f" clips/s ({len(files)} clips)")


if __name__ == "__main__":
    main()
