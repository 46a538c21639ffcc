#!/usr/bin/env bash
# Real-data efficacy of a real pretrained base (issue 13 §6): CIFAR-10 (all 10 classes,
# ../shared/datasets/cifar10_small) on the ImageNet MobileNetV2 .tflite, read natively, with
# `graft vision train`'s default options (the base's own 224×224 input and (u8 − 128)/128
# normalization; 32×32 images upscaled bilinearly; 20 % of the labels held out for validation;
# head only: since issue 15 the exact L-BFGS fit, --head-solver auto; before it, 10 epochs of
# Adam at 1e-3). 10, 50 and 400 training images per class (the first N
# of each class folder by file name), scored with `graft evaluate` on the 1,000 test images.
# Data is linked into a temporary folder (never copied into the repository).
#
#   bash Tools/benchmarks/cifar_imagenet_mobilenet.sh [cifar10_small] [graft binary] [variant...]
#
# Variants (default: default): default (since issue 15 §3 the default policy decides fine-tuning:
# the top 2 blocks for 3 epochs at a swept rate, kept only if validation improves); headonly
# (--fine-tune-blocks 0, the head alone); lbfgs (--head-solver lbfgs); lbfgs-all (--head-solver
# lbfgs --validation 0: every label trains, the L2 strength by 3-fold cross-validation); cv0
# (--head-cv-below 0: λ always on the validation split, however small); cv20 (--head-cv-below 20:
# λ by cross-validation over training and validation images below 20 validation images per
# class); adam (--head-solver adam: Adam at 1e-3 with early stopping, cap 50); imagenet (--normalize
# imagenet, torchvision's statistics instead of the base's); epochs50 (--epochs 50 --lr 3e-3);
# finetune (--fine-tune-blocks 2, at 400 per class only: always kept; the rate swept since issue
# 15, before it base --lr/100); finetune-lr (the same at a given rate, --fine-tune-lr 1e-4: base
# 1e-4, head 1e-3 — what --lr 1e-2 gave before issue 15); norefit (--no-head-refit: at 10 per
# class, the head stays fitted on the 8 training images per class instead of being refitted on all
# 10 once the 2-per-class validation split has chosen λ). SIZES="10 50" limits the label counts;
# SEED=N passes --seed N (which images validate); KEEP=DIR keeps the train and evaluate JSON there.
# Prints a Markdown table: test accuracy / macro-F1, and the wall seconds of train and evaluate.
set -euo pipefail
DATA=${1:-../shared/datasets/cifar10_small}
GRAFT=${2:-.build/release/graft}
shift $(( $# < 2 ? $# : 2 ))
VARIANTS=("$@")
[ ${#VARIANTS[@]} -gt 0 ] || VARIANTS=(default)
BASE=${BASE:-$(dirname "$DATA")/../pretrained/imagenet_mobilenet_v2/mobilenet_v2_1.0_224_quant.tflite}
SIZES=${SIZES:-"10 50 400"}
DATA=$(cd "$DATA" && pwd)
BASE=$(cd "$(dirname "$BASE")" && pwd)/$(basename "$BASE")
WORK=$(mktemp -d /tmp/graft-cifar-mnv2-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
CLASSES=$(ls "$DATA/train" | sort)
link() {  # link SPLIT N DIR: the first N files (by name) of every class
  local split=$1 n=$2 dir=$3
  for c in $CLASSES; do
    mkdir -p "$dir/$c"
    ls "$DATA/$split/$c" | sort | head -n "$n" | while read -r f; do ln -s "$DATA/$split/$c/$f" "$dir/$c/$f"; done
  done
}
options() {  # options VARIANT
  case $1 in
    default) ;;
    headonly) echo --fine-tune-blocks 0 ;;
    lbfgs) echo --head-solver lbfgs ;;
    lbfgs-all) echo --head-solver lbfgs --validation 0 ;;
    cv0) echo --head-cv-below 0 ;;
    cv20) echo --head-cv-below 20 ;;
    adam) echo --head-solver adam ;;
    imagenet) echo --normalize imagenet ;;
    epochs50) echo --epochs 50 --lr 3e-3 ;;
    finetune) echo --fine-tune-blocks 2 ;;
    finetune-lr) echo --fine-tune-blocks 2 --fine-tune-lr 1e-4 ;;
    norefit) echo --no-head-refit ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}
metric() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(f\"{d['accuracy']:.3f} / {d['macro_f1']:.3f}\")" "$1"; }
now() { date +%s.%N; }
link test 100 "$WORK/test"
echo "base: $BASE" >&2
echo "| per class | variant | test accuracy / macro-F1 | validation accuracy | train s | evaluate s |"
echo "|---:|---|---:|---:|---:|---:|"
for n in $SIZES; do
  link train "$n" "$WORK/train$n"
  for v in "${VARIANTS[@]}"; do
    case $v in finetune*) [ "$n" = 400 ] || continue ;; esac
    out="$WORK/$v$n.graft"
    t0=$(now)
    # shellcheck disable=SC2046
    "$GRAFT" vision train --data "$WORK/train$n" --base "$BASE" --out "$out" --json --quiet $(options "$v") \
      ${SEED:+--seed "$SEED"} > "$WORK/$v$n.train.json"
    t1=$(now)
    "$GRAFT" evaluate "$out" --data "$WORK/test" --json > "$WORK/$v$n.eval.json"
    t2=$(now)
    val=$(python3 -c "import json,sys; a=json.load(open(sys.argv[1]))['accuracy']; print('-' if a is None else f'{a:.3f}')" "$WORK/$v$n.train.json")
    printf '| %s | %s | %s | %s | %s | %s |\n' "$n" "$v" "$(metric "$WORK/$v$n.eval.json")" "$val" \
      "$(awk "BEGIN { printf \"%.0f\", $t1 - $t0 }")" "$(awk "BEGIN { printf \"%.0f\", $t2 - $t1 }")"
    if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$WORK/$v$n.train.json" "$WORK/$v$n.eval.json" "$KEEP"/; fi
  done
done
