#!/usr/bin/env bash
# Cough detection with an AudioSet base — YAMNet (default) or EfficientAT mn04 — frozen (issue 14 §4)
# on ../shared/datasets/cough_audio:
# a head trained with the CLI's defaults on group=target split=train, evaluated on
# group=target split=test, on all 153 test clips and on the 75 test clips that do not come
# from Cough-Etiquette (the set's shortcut: most test coughs come from that one source).
# Also --head-solver adam (Adam with early stopping instead of the exact fit, the default since
# issue 15), --aggregation max, the top 2 blocks fine-tuned for 5 epochs and "zero-shot" (no
# training: the network's own Cough output at 0.5, `graft audio predict BASE --class Cough`); ONLY=N runs the first
# N of these rows. Prints a Markdown table (accuracy /
# macro-F1 / ROC-AUC at the stored, validation-chosen threshold; the accuracy the same clip
# scores would give at 0.5) and the wall time of each training (docs/BENCHMARKS.md, docs/audio.md).
#
#   make release && bash Tools/benchmarks/cough_audioset.sh [SHARED] [graft binary] [yamnet|mn04|scratch] [variant…]
#
# Variants (each one training, flags after the base) default to the five above; pass e.g.
# "defaults" "--fine-tune-blocks 2 --fine-tune-epochs 5" to run fewer.
#
# SHARED defaults to ../shared (the checkout's sibling). Nothing is copied into the repository;
# the filtered CSV of the other-source test clips is written to a temporary folder.
set -euo pipefail
SHARED=${1:-../shared}
GRAFT=${2:-.build/release/graft}
KIND=${3:-yamnet}
SHARED=$(cd "$SHARED" && pwd)
DATA=$SHARED/datasets/cough_audio
case "$KIND" in
  yamnet) BASE=$SHARED/pretrained/audioset_yamnet/yamnet.tflite; ARCH=(); NAME=YAMNet ;;
  mn04) BASE=$SHARED/pretrained/audioset_mn04/mn04_as_mAP_432.pt; ARCH=(--arch mn04_as); NAME=mn04 ;;
  scratch) BASE=none; ARCH=(--arch audio_resnet); NAME="audio_resnet from scratch (no base)" ;;
  *) echo "unknown base $KIND (yamnet, mn04 or scratch)" >&2; exit 2 ;;
esac
WORK=$(mktemp -d /tmp/graft-cough-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Test clips from origins other than Cough-Etiquette (header kept; paths stay relative to --audio-root).
awk -F, 'NR == 1 || ($4 == "target" && $5 == "test" && $7 != "Cough-Etiquette")' "$DATA/labels.csv" > "$WORK/other.csv"

metric() {  # JSON -> "accuracy / macro-F1 / ROC-AUC"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(f\"{d['accuracy']:.3f} / {d['macro_f1']:.3f} / {d['roc_auc']:.3f}\")" "$1"
}
at_half() {  # predict JSON, CSV -> accuracy of the clip scores at 0.5 (not the stored threshold)
  python3 - "$1" "$2" <<'PY'
import csv, json, os, sys
truth = {os.path.basename(r["file"]): r["label"] == "cough" for r in csv.DictReader(open(sys.argv[2]))}
res = json.load(open(sys.argv[1]))["results"]
print(f"{sum((r['positive_score'] >= 0.5) == truth[os.path.basename(r['path'])] for r in res) / len(res):.3f}")
PY
}

awk -F, 'NR == 1 || ($4 == "target" && $5 == "test")' "$DATA/labels.csv" > "$WORK/test.csv"
mapfile -t TEST < <(awk -F, 'NR > 1 {print "'"$DATA"'/" $1}' "$WORK/test.csv")

[ "$KIND" = scratch ] && TITLE="$NAME" || TITLE="$NAME frozen + head"
echo "| $TITLE | training wall | threshold | test (153 clips) | accuracy at 0.5 | other sources (75 clips) |"
echo "|---|---:|---:|---:|---:|---:|"
variants=("defaults" "--head-solver adam" "--aggregation max" "--fine-tune-blocks 2 --fine-tune-epochs 5" "zero-shot")
if [ $# -gt 3 ]; then variants=("${@:4}"); fi
[ -z "${ONLY:-}" ] || variants=("${variants[@]:0:$ONLY}")
zero_shot() {  # predict JSON, CSV -> "accuracy / macro-F1 / ROC-AUC" of the Cough score at 0.5
  python3 - "$1" "$2" <<'PY'
import csv, json, os, sys
truth = {os.path.basename(r["file"]): r["label"] == "cough" for r in csv.DictReader(open(sys.argv[2]))}
res = json.load(open(sys.argv[1]))["results"]
y = [truth[os.path.basename(r["path"])] for r in res]; s = [r["positive_score"] for r in res]
pred = [v >= 0.5 for v in s]
acc = sum(p == t for p, t in zip(pred, y)) / len(y)
def f1(c):
    tp = sum(p == c and t == c for p, t in zip(pred, y)); fp = sum(p == c and t != c for p, t in zip(pred, y))
    fn = sum(p != c and t == c for p, t in zip(pred, y))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
pos = [v for v, t in zip(s, y) if t]; neg = [v for v, t in zip(s, y) if not t]
auc = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg) / (len(pos) * len(neg))
print(f"{acc:.3f} / {(f1(True) + f1(False)) / 2:.3f} / {auc:.3f}")
PY
}
mapfile -t OTHER < <(awk -F, 'NR > 1 {print "'"$DATA"'/" $1}' "$WORK/other.csv")

for i in "${!variants[@]}"; do
  if [ "${variants[$i]}" = zero-shot ]; then  # no training: the network's own Cough output, threshold 0.5
    "$GRAFT" audio predict "$BASE" "${ARCH[@]}" --class Cough "${TEST[@]}" --json > "$WORK/z.test.json"
    "$GRAFT" audio predict "$BASE" "${ARCH[@]}" --class Cough "${OTHER[@]}" --json > "$WORK/z.other.json"
    echo "| zero-shot Cough (no training) | — | 0.500 | $(zero_shot "$WORK/z.test.json" "$WORK/test.csv") | — | $(zero_shot "$WORK/z.other.json" "$WORK/other.csv") |"
    continue
  fi
  read -r -a extra <<< "${variants[$i]#defaults}"
  start=$(date +%s.%N)
  "$GRAFT" audio train --data "$DATA/labels.csv" --where group=target --where split=train \
    --base "$BASE" "${ARCH[@]}" --positive cough "${extra[@]}" --quiet --json --out "$WORK/$i.graft" > "$WORK/$i.train.json"
  wall=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.0f} s')" "$start" "$(date +%s.%N)")
  threshold=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['threshold']:.3f}\")" "$WORK/$i.train.json")
  "$GRAFT" audio evaluate "$WORK/$i.graft" --data "$DATA/labels.csv" --where group=target --where split=test \
    --json > "$WORK/$i.test.json"
  "$GRAFT" audio evaluate "$WORK/$i.graft" --data "$WORK/other.csv" --audio-root "$DATA" --json > "$WORK/$i.other.json"
  "$GRAFT" audio predict "$WORK/$i.graft" "${TEST[@]}" --json > "$WORK/$i.predict.json"
  echo "| ${variants[$i]} | $wall | $threshold | $(metric "$WORK/$i.test.json") | $(at_half "$WORK/$i.predict.json" "$WORK/test.csv") | $(metric "$WORK/$i.other.json") |"
done
