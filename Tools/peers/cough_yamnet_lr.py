#!/usr/bin/env python3
"""The peer of Tools/benchmarks/cough_audioset.sh: logistic regression on YAMNet embeddings.

    pip install ai-edge-litert soundfile numpy scikit-learn   (measured with ai-edge-litert 2.3.0,
                                                               scikit-learn 1.9.1)
    python Tools/peers/cough_yamnet_lr.py [SHARED]             (SHARED defaults to ../shared)

Runs `yamnet.tflite` (the TFLite interpreter, 2 threads, intermediate tensors kept) on every clip of
cough_audio's target group, padded as YAMNet's pad_waveform does, and takes the 1,024-d
embedding of every 0.96 s patch (0.48 s apart). Then two recipes, scored on the test split (153
clips) and on its clips from origins other than Cough-Etiquette (75):
  clip   — the issue's reference recipe: the mean embedding of each clip, standardised, logistic
           regression with C chosen by 5-fold cross-validation (LogisticRegressionCV, ROC-AUC).
  patch  — Graft's recipe: every patch of a training clip an example with its clip's label, the
           same regression, clip score the mean (and the max) of its patches' probabilities.
Accuracy is at 0.5 here (Graft's is at its validation-chosen threshold).
"""
import csv
import os
import sys

import numpy as np
import soundfile as sf
from ai_edge_litert.interpreter import Interpreter
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.getcwd(), "..", "shared")
    data = os.path.join(shared, "datasets", "cough_audio")
    interpreter = Interpreter(model_path=os.path.join(shared, "pretrained", "audioset_yamnet", "yamnet.tflite"),
                              num_threads=2, experimental_preserve_all_tensors=True)
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]["index"]
    # This file's only output is the 521 scores; the embedding is the intermediate
    # global_average_pooling2d/Mean [1, 1024] (readable with experimental_preserve_all_tensors).
    emb = next(d["index"] for d in interpreter.get_tensor_details()
               if "global_average_pooling2d/Mean" in d["name"] and tuple(d["shape"]) == (1, 1024))

    def patches(path):
        x, sr = sf.read(path, dtype="float32")
        assert sr == 16000 and x.ndim == 1, path
        n = len(x)
        pad = max(0, 15600 - n)
        after = max(n, 15600) - 15600
        pad += -(-after // 7680) * 7680 - after
        x = np.pad(x, (0, pad))
        out = []
        for start in range(0, len(x) - 15600 + 1, 7680):
            interpreter.set_tensor(inp, x[start:start + 15600])
            interpreter.invoke()
            out.append(interpreter.get_tensor(emb).reshape(-1).copy())
        return np.stack(out)

    rows = [r for r in csv.DictReader(open(os.path.join(data, "labels.csv"))) if r["group"] == "target"]
    split = {s: [r for r in rows if r["split"] == s] for s in ("train", "test")}
    feats = {s: [patches(os.path.join(data, r["file"])) for r in split[s]] for s in split}
    y = {s: np.array([r["label"] == "cough" for r in split[s]], dtype=int) for s in split}
    other = np.array([r["origin"] != "Cough-Etiquette" for r in split["test"]])

    def model():
        return make_pipeline(StandardScaler(), LogisticRegressionCV(Cs=10, cv=5, scoring="roc_auc", max_iter=5000))

    def report(name, score):
        for subset, mask in (("test", np.ones_like(other)), ("other", other)):
            s, t = score[mask], y["test"][mask]
            print(f"{name:14s} {subset:5s}: accuracy {accuracy_score(t, s >= 0.5):.3f} "
                  f"macro-F1 {f1_score(t, s >= 0.5, average='macro'):.3f} ROC-AUC {roc_auc_score(t, s):.3f}")

    clip = model().fit(np.stack([f.mean(0) for f in feats["train"]]), y["train"])
    report("clip mean-emb", clip.predict_proba(np.stack([f.mean(0) for f in feats["test"]]))[:, 1])

    xs = np.concatenate(feats["train"])
    ys = np.concatenate([np.full(len(f), l) for f, l in zip(feats["train"], y["train"])])
    patch = model().fit(xs, ys)
    probs = [patch.predict_proba(f)[:, 1] for f in feats["test"]]
    report("patch, mean", np.array([p.mean() for p in probs]))
    report("patch, max", np.array([p.max() for p in probs]))


if __name__ == "__main__":
    main()
