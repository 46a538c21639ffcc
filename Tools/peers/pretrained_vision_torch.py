#!/usr/bin/env python3
"""PyTorch peers of `graft bench vision`'s pretrained-base figures (issue 13 §7).

  features DIR [--limit N]   MobileNetV2 pooled features of the PNG files under DIR (recursively,
                             sorted, first N): Pillow decode + torchvision Resize(224, bilinear) +
                             ToTensor + Normalize(ImageNet) in a DataLoader (batch 32, 2 workers),
                             torchvision mobilenet_v2 .features + global average pool under
                             torch.no_grad(), torch.set_num_threads(2). One timed pass after a warm-up
                             batch; prints images/s and peak RSS (this process + its workers).
  load FILE                  torch.load(FILE, weights_only=True): median of 5 reads, MB/s, and the
                             RSS the load adds.
  make-resnet18 OUT          torch.save(torchvision resnet18(weights=None).state_dict(), OUT): a 45 MB
                             .pth with random weights for the load benchmark.

Run by hand from the repository root with the venv: /work/venv/bin/python Tools/peers/pretrained_vision_torch.py …
(torch 2.11, torchvision 0.26, Pillow). Prints one JSON line.
"""
import json
import os
import resource
import statistics
import sys
import time

import torch
import torchvision
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


def rss_mb(who=resource.RUSAGE_SELF):
    return resource.getrusage(who).ru_maxrss / 1024


class PNGFiles(Dataset):
    def __init__(self, files):
        self.files = files
        self.transform = transforms.Compose([
            transforms.Resize((224, 224), interpolation=transforms.InterpolationMode.BILINEAR),
            transforms.ToTensor(),
            transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        ])

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        with Image.open(self.files[i]) as im:
            return self.transform(im.convert("RGB"))


def features(folder, limit):
    files = sorted(os.path.join(r, f) for r, _, names in os.walk(folder) for f in names if f.lower().endswith(".png"))[:limit]
    torch.set_num_threads(2)
    model = torchvision.models.mobilenet_v2(weights=None).eval()
    loader = DataLoader(PNGFiles(files), batch_size=32, num_workers=2)
    with torch.no_grad():
        model.features(PNGFiles(files)[0].unsqueeze(0))  # warm-up
        t0 = time.perf_counter()
        rows = 0
        for x in loader:
            f = torch.nn.functional.adaptive_avg_pool2d(model.features(x), 1).flatten(1)
            rows += f.shape[0]
        t = time.perf_counter() - t0
    assert rows == len(files)
    print(json.dumps({"name": "mobilenetv2_features_folder", "images": rows, "seconds": t, "images_per_s": rows / t,
                      "peak_rss_mb": rss_mb(), "peak_rss_workers_mb": rss_mb(resource.RUSAGE_CHILDREN),
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


def load(path):
    before = rss_mb()
    times = []
    for _ in range(6):
        t0 = time.perf_counter()
        state = torch.load(path, weights_only=True)
        times.append(time.perf_counter() - t0)
        del state
    t = statistics.median(times[1:])
    size = os.path.getsize(path)
    print(json.dumps({"name": "load_" + os.path.splitext(os.path.basename(path))[0], "seconds": t, "mb_per_s": size / 1e6 / t,
                      "bytes": size, "rss_added_mb": rss_mb() - before, "torch": torch.__version__}))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "features":
        limit = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else 1000
        features(sys.argv[2], limit)
    elif command == "load":
        load(sys.argv[2])
    elif command == "make-resnet18":
        torch.save(torchvision.models.resnet18(weights=None).state_dict(), sys.argv[2])
    else:
        sys.exit(__doc__)
