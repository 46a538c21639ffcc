#!/usr/bin/env bash
# Real-data transfer benchmark (issue 4 §7) on ../shared/datasets/cifar10_small.
# Pretrains a SmallCNN base on 5 CIFAR-10 classes, then transfers to the other 5 with 10, 50
# and 400 labels per class: head only, head + fine-tune, and the same architecture from
# scratch. Prints a Markdown table of test accuracy / macro-F1 (500 test images). From scratch
# (`--base none`) every block trains with the head from the first epoch (issue 15; the figures in
# docs/BENCHMARKS.md came from the earlier form: 1 head epoch, then every block for 15 or 25).
# Data is linked into a temporary folder (never copied into the repository).
#   bash Tools/benchmarks/cifar_transfer.sh [path/to/cifar10_small] [graft binary]
set -euo pipefail
DATA=${1:-../shared/datasets/cifar10_small}
GRAFT=${2:-.build/release/graft}
DATA=$(cd "$DATA" && pwd)
WORK=$(mktemp -d /tmp/graft-cifar-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
SOURCE="airplane automobile bird cat deer"
TARGET="dog frog horse ship truck"
link() {  # link SPLIT N CLASSES... -> DIR
  local split=$1 n=$2 dir=$3; shift 3
  for c in "$@"; do
    mkdir -p "$dir/$c"
    ls "$DATA/$split/$c" | sort | head -n "$n" | while read -r f; do ln -s "$DATA/$split/$c/$f" "$dir/$c/$f"; done
  done
}
link train 400 "$WORK/source" $SOURCE
link test 100 "$WORK/target_test" $TARGET
COMMON=(--arch smallcnn --size 32 --widths 32,64,128 --validation 0.1 --batch-size 32 --seed 1 --json --quiet)
echo "pretraining on: $SOURCE" >&2
"$GRAFT" vision train --data "$WORK/source" --base none "${COMMON[@]}" --out "$WORK/base.graft" \
  --epochs 16 --lr 0.1 > "$WORK/base.json"
metric() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(f\"{d['accuracy']:.3f} / {d['macro_f1']:.3f}\")" "$1"; }
echo "| labels per class | head only | head + fine-tune (top block) | from scratch |"
echo "|---:|---:|---:|---:|"
for n in 10 50 400; do
  link train "$n" "$WORK/t$n" $TARGET
  "$GRAFT" vision train --data "$WORK/t$n" --base "$WORK/base.graft" --out "$WORK/head$n.graft" \
    --size 32 --validation 0.1 --seed 1 --json --quiet --epochs 30 --lr 0.003 > /dev/null
  "$GRAFT" vision train --data "$WORK/t$n" --base "$WORK/base.graft" --out "$WORK/ft$n.graft" \
    --size 32 --validation 0.1 --seed 1 --json --quiet --epochs 30 --lr 0.003 --fine-tune-blocks 1 --fine-tune-epochs 10 > /dev/null
  "$GRAFT" vision train --data "$WORK/t$n" --base none "${COMMON[@]}" --out "$WORK/scratch$n.graft" \
    --epochs 26 --lr 0.1 > /dev/null
  for m in head ft scratch; do "$GRAFT" evaluate "$WORK/$m$n.graft" --data "$WORK/target_test" --json > "$WORK/$m$n.eval.json"; done
  echo "| $n | $(metric "$WORK/head$n.eval.json") | $(metric "$WORK/ft$n.eval.json") | $(metric "$WORK/scratch$n.eval.json") |"
done
echo "pretrained base (held-out source validation): $(metric "$WORK/base.json")" >&2
