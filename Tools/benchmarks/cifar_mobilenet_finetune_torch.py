#!/usr/bin/env python3
"""Why does fine-tuning lag on CIFAR-10 + the ImageNet MobileNetV2? A PyTorch comparison
(issue 15 §3), run by hand with /work/venv (torch, torchvision, Pillow, safetensors).

The same weights as Graft: the base of a Graft bundle trained on the .tflite
(`graft vision train --data SMALL --base mobilenet_v2_1.0_224_quant.tflite --fine-tune-blocks 0
--out base.graft`: its model.safetensors holds `base.features.*` in torchvision's keys, dequantized,
BatchNorm folded into the convolutions, so every BatchNorm is the identity), in torchvision's
mobilenet_v2 with TensorFlow SAME padding on the stride-2 3×3 convolutions, as Graft reads it.
Input as Graft's default: 32×32 PNG upscaled bilinearly (Pillow) to 224, (u8 − 128)/128.

The frozen trunk (features.0–13) runs once per image; its output [96, 14, 14] is cached, so each
fine-tune configuration (Graft's top 1–3 blocks: features.18; 17–18; 14–18) costs seconds. The
head is first fitted on the frozen pooled features (L-BFGS, L2 1e-3, as a converged head stage),
then fine-tuned with the blocks: 3 epochs, batch 32, Adam or SGD, the head at 10× the blocks'
rate, BatchNorm in eval mode (running statistics) or train mode. 400 training images per class
(the first by file name), 20 % of them held out (stratified, seed 0) for validation; test: the
first 100 per class. Prints a Markdown table of validation and test accuracy per configuration.

    /work/venv/bin/python Tools/benchmarks/cifar_mobilenet_finetune_torch.py \
        ../shared/datasets/cifar10_small /tmp/base.graft/model.safetensors [--quick]
"""
import sys, os, time, random
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
import torchvision
from PIL import Image
from safetensors.torch import load_file

torch.set_num_threads(2)
data, weights = sys.argv[1], sys.argv[2]
quick = "--quick" in sys.argv
classes = sorted(os.listdir(f"{data}/train"))


def files(split, n):
    return [(f"{data}/{split}/{c}/{f}", i) for i, c in enumerate(classes) for f in sorted(os.listdir(f"{data}/{split}/{c}"))[:n]]


def model():
    m = torchvision.models.mobilenet_v2(weights=None)
    state = {k[len("base."):]: v for k, v in load_file(weights).items() if k.startswith("base.")}
    missing, unexpected = m.load_state_dict(state, strict=False)
    assert all(k.startswith("classifier") for k in missing) and not unexpected, (missing, unexpected)
    # TF SAME on even inputs: stride-2 3×3 convolutions pad 0 above/left and 1 below/right.
    for name, mod in list(m.features.named_modules()):
        for cname, child in list(mod.named_children()):
            if isinstance(child, nn.Conv2d) and child.stride == (2, 2) and child.kernel_size == (3, 3):
                child.padding = (0, 0)
                setattr(mod, cname, nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), child))
    return m.eval()


def load(path):
    im = Image.open(path).convert("RGB").resize((224, 224), Image.BILINEAR)
    return (torch.from_numpy(np.asarray(im, dtype=np.float32)).permute(2, 0, 1) - 128) / 128


net = model()
trunk, top = net.features[:14], net.features[14:]  # Graft blocks: 14–16 | 17 | 18


@torch.no_grad()
def cache(items):
    out = []
    for s in range(0, len(items), 64):
        out.append(trunk(torch.stack([load(p) for p, _ in items[s:s + 64]])))
    return torch.cat(out), torch.tensor([y for _, y in items])


t0 = time.time()
train_items, test_items = files("train", 40 if quick else 400), files("test", 20 if quick else 100)
rng = random.Random(0)
val_idx = set()
for c in range(len(classes)):
    idx = [i for i, (_, y) in enumerate(train_items) if y == c]
    val_idx.update(rng.sample(idx, len(idx) // 5))
xtr, ytr = cache([it for i, it in enumerate(train_items) if i not in val_idx])
xva, yva = cache([it for i, it in enumerate(train_items) if i in val_idx])
xte, yte = cache(test_items)
print(f"cached trunk outputs {tuple(xtr.shape)} + {len(yva)} + {len(yte)} in {time.time() - t0:.0f} s", file=sys.stderr)


def pooled(x, blocks):
    with torch.no_grad():
        return F.adaptive_avg_pool2d(blocks(x), 1).flatten(1)


def fit_head(f, y, l2=1e-3):
    head = nn.Linear(f.shape[1], len(classes))
    opt = torch.optim.LBFGS(head.parameters(), lr=1, max_iter=500, history_size=20, line_search_fn="strong_wolfe")
    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(head(f), y) + l2 / 2 * head.weight.pow(2).sum()
        loss.backward()
        return loss
    opt.step(closure)
    return head


def accuracy(blocks, head, x, y):
    blocks.eval()
    with torch.no_grad():
        return (head(F.adaptive_avg_pool2d(blocks(x), 1).flatten(1)).argmax(1) == y).float().mean().item()


def run(n_blocks, lr, opt_name="adam", bn_train=False, epochs=3, seed=0):
    torch.manual_seed(seed)
    blocks = model().features[14:]
    head = fit_head(pooled(xtr, blocks), ytr)
    head_val, head_test = accuracy(blocks, head, xva, yva), accuracy(blocks, head, xte, yte)
    tuned = {1: blocks[4:], 2: blocks[3:], 3: blocks}[n_blocks]  # features.18 | 17–18 | 14–18
    for p in blocks.parameters():
        p.requires_grad_(False)
    for p in tuned.parameters():
        p.requires_grad_(True)
    groups = [{"params": head.parameters(), "lr": lr * 10}, {"params": [p for p in tuned.parameters()], "lr": lr}]
    opt = torch.optim.Adam(groups) if opt_name == "adam" else torch.optim.SGD(groups, momentum=0.9)
    for _ in range(epochs):
        blocks.eval()
        if bn_train:
            for m in tuned.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.train()
        perm = torch.randperm(len(ytr))
        for s in range(0, len(ytr), 32):
            i = perm[s:s + 32]
            loss = F.cross_entropy(head(F.adaptive_avg_pool2d(blocks(xtr[i]), 1).flatten(1)), ytr[i])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return head_val, head_test, accuracy(blocks, head, xva, yva), accuracy(blocks, head, xte, yte)


configs = [(2, 1e-5, "adam", False), (2, 1e-4, "adam", False), (2, 1e-3, "adam", False), (3, 1e-4, "adam", False),
           (3, 1e-3, "adam", False), (1, 1e-4, "adam", False), (2, 1e-3, "sgd", False), (2, 1e-2, "sgd", False),
           (2, 1e-4, "adam", True)]
if quick:
    configs = configs[:2]
print("| blocks (Graft) | optimizer | blocks' lr (head 10×) | BatchNorm | head val / test | fine-tuned val / test | s |")
print("|---:|---|---:|---|---:|---:|---:|")
for n, lr, o, bn in configs:
    t0 = time.time()
    hv, ht, fv, ft = run(n, lr, o, bn)
    print(f"| {n} | {o} | {lr:g} | {'train' if bn else 'eval'} | {hv:.3f} / {ht:.3f} | {fv:.3f} / {ft:.3f} | {time.time() - t0:.0f} |", flush=True)
