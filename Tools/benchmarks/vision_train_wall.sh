#!/usr/bin/env bash
# End-to-end wall time of `graft vision train` on 1,000 synthetic 64×64 RGB PNGs (4 classes ×
# 250: disc, square, horizontal and vertical stripes; random colours, positions and noise),
# with the SampleData smallcnn base: the head on cached features vs `--augment flip,crop`
# (features recomputed every batch), and cached features with `--report` (the validation split
# predicted again, 48 thumbnails). Needs hyperfine and a release build.
#   bash Tools/benchmarks/vision_train_wall.sh [graft binary] [runs]
set -euo pipefail
GRAFT=${1:-.build/release/graft}
RUNS=${2:-5}
BASE=$(pwd)/SampleData/vision/base.safetensors
WORK=$(mktemp -d /tmp/graft-vision-wall-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
python3 - "$WORK/data" <<'PY'
import os, random, struct, sys, zlib
root, size, per_class = sys.argv[1], 64, 250
rng = random.Random(42)
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
def write_png(path, rows):
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
for cls in ["disc", "hstripes", "square", "vstripes"]:
    os.makedirs(f"{root}/{cls}", exist_ok=True)
    for i in range(per_class):
        bg = [rng.randrange(0, 120) for _ in range(3)]
        fg = [rng.randrange(135, 256) for _ in range(3)]
        cx, cy, r = rng.randrange(20, 44), rng.randrange(20, 44), rng.randrange(8, 18)
        period = rng.randrange(4, 10)
        rows = []
        for y in range(size):
            row = []
            for x in range(size):
                if cls == "disc": on = (x - cx) ** 2 + (y - cy) ** 2 <= r * r
                elif cls == "square": on = abs(x - cx) <= r and abs(y - cy) <= r
                elif cls == "hstripes": on = (y // period) % 2 == 0
                else: on = (x // period) % 2 == 0
                c = fg if on else bg
                row += [min(255, max(0, v + rng.randrange(-20, 21))) for v in c]
            rows.append(row)
        write_png(f"{root}/{cls}/{i:03d}.png", rows)
PY
COMMON="--data $WORK/data --base $BASE --arch smallcnn --widths 16,32,64 --size 64 --epochs 10 --seed 1 --quiet --out $WORK/out.graft"
hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$WORK/table.md" \
  -n "cached features" "$GRAFT vision train $COMMON" \
  -n "augment flip,crop" "$GRAFT vision train $COMMON --augment flip,crop" \
  -n "cached features + report" "$GRAFT vision train $COMMON --report $WORK/report"
cat "$WORK/table.md"
"$GRAFT" vision train $COMMON | grep -E "validation:|head trained|recomputed"
"$GRAFT" vision train $COMMON --augment flip,crop | grep -E "validation:|head trained|recomputed"
