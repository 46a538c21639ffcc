#!/usr/bin/env python3
"""Convert a torchvision (or timm) image-classification checkpoint to the safetensors file
Graft's vision bases load (`graft vision train --base FILE --arch NAME`).

Every tensor is written as contiguous F32; integer buffers (`num_batches_tracked`) become F32
scalars too. Keys are kept as PyTorch names them (`conv1.weight`, `layer1.0.bn1.running_mean`,
`features.1.conv.0.0.weight`, `fc.weight`, `classifier.1.weight`), which are the keys of
GraftVision's `ResNet` and `MobileNetV2`. The metadata records the architecture, the source and
the torch/torchvision versions.

Examples:
  # ImageNet weights shipped with torchvision (downloads once into the torch hub cache):
  python Tools/convert_torchvision.py --arch resnet18 --weights DEFAULT --out resnet18.safetensors
  # A checkpoint file (a state_dict, or a dict holding one under "state_dict"/"model"):
  python Tools/convert_torchvision.py --arch resnet50 --checkpoint resnet50-timm.pth --out r50.safetensors
  # Random weights (torchvision.models.X(weights=None)), for tests:
  python Tools/convert_torchvision.py --arch mobilenet_v2 --random --seed 0 --out mnv2.safetensors

Needs torch, torchvision and safetensors (pip install torch torchvision safetensors).
"""
import argparse
import sys

import torch
from safetensors.torch import save_file

ARCHS = ("resnet18", "resnet34", "resnet50", "mobilenet_v2")


def load_state_dict(args):
    import torchvision
    if args.checkpoint:
        obj = torch.load(args.checkpoint, map_location="cpu", weights_only=True)
        if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
            obj = obj["state_dict"]
        elif isinstance(obj, dict) and "model" in obj and isinstance(obj["model"], dict):
            obj = obj["model"]
        if not isinstance(obj, dict):
            sys.exit(f"{args.checkpoint}: not a state_dict")
        # DataParallel / DistributedDataParallel checkpoints prefix every key with "module.".
        return {k[len("module."):] if k.startswith("module.") else k: v for k, v in obj.items()}, args.checkpoint
    if args.random:
        torch.manual_seed(args.seed)
        model = getattr(torchvision.models, args.arch)(weights=None)
        return model.state_dict(), f"torchvision.models.{args.arch}(weights=None), torch.manual_seed({args.seed})"
    model = getattr(torchvision.models, args.arch)(weights=args.weights)
    return model.state_dict(), f"torchvision.models.{args.arch}(weights={args.weights!r})"


def check_keys(arch, state):
    """Fail early when the checkpoint is not the torchvision architecture it claims to be."""
    import torchvision
    expected = getattr(torchvision.models, arch)(weights=None).state_dict()
    classifier = "fc." if arch.startswith("resnet") else "classifier."
    missing = [k for k in expected if k not in state and not k.startswith(classifier)]
    unexpected = [k for k in state if k not in expected]
    wrong = [k for k in expected if k in state and tuple(state[k].shape) != tuple(expected[k].shape)
             and not k.startswith(classifier)]
    if missing or unexpected or wrong:
        sys.exit(f"checkpoint does not match torchvision {arch}: missing {missing[:5]}, "
                 f"unexpected {unexpected[:5]}, wrong shapes {wrong[:5]}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", required=True, choices=ARCHS)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", help="a .pth/.pt file holding a state_dict")
    src.add_argument("--weights", help="a torchvision weights enum name, e.g. DEFAULT or IMAGENET1K_V1")
    src.add_argument("--random", action="store_true", help="random weights (weights=None)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True)
    args = p.parse_args()

    import torchvision
    state, source = load_state_dict(args)
    check_keys(args.arch, state)
    tensors = {k: v.detach().to(torch.float32).contiguous() for k, v in state.items()}
    metadata = {"format": "pt", "arch": args.arch, "source": source,
                "torch_version": torch.__version__, "torchvision_version": torchvision.__version__}
    save_file(tensors, args.out, metadata=metadata)
    count = sum(t.numel() for t in tensors.values())
    print(f"{args.out}: {len(tensors)} tensors, {count} values, arch {args.arch}")


if __name__ == "__main__":
    main()
