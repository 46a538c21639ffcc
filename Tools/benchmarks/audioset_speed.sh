#!/usr/bin/env bash
# Issue 14 §5, side by side (docs/BENCHMARKS.md "AudioSet bases: speed"): mn04 embeddings of 100
# 5-s clips against EfficientAT's PyTorch code, YAMNet scores of a 10-minute file against the
# TFLite interpreter, alternating Graft and the peer ROUNDS times (default 3).
#
#   swift build -c release --product graft
#   git clone https://github.com/fschmid56/EfficientAT /tmp/EfficientAT      # not part of this repository
#   Tools/benchmarks/audioset_speed.sh /tmp/EfficientAT [ROUNDS] [DIR]
#
# Clips: the first 100 files (by name) of ../shared/datasets/cough_audio/audio/esc50 (16 kHz mono
# FLAC, 5 s). The 10-minute file: those clips concatenated into DIR/ten_minutes.wav (16 kHz
# mono PCM-16, default DIR /tmp/graft-audioset) by Tools/peers/yamnet_tflite.py --write.
# Prints one JSON line per run; python is /work/venv's unless PYTHON says otherwise.
set -euo pipefail
efficientat=${1:?usage: audioset_speed.sh EFFICIENTAT_CHECKOUT [ROUNDS] [DIR]}
rounds=${2:-3}
dir=${3:-/tmp/graft-audioset}
graft=${GRAFT:-.build/release/graft}
python=${PYTHON:-/work/venv/bin/python}
shared=../shared
clips=$shared/datasets/cough_audio/audio/esc50
mn04=$shared/pretrained/audioset_mn04/mn04_as_mAP_432.pt
yamnet=$shared/pretrained/audioset_yamnet/yamnet.tflite
mkdir -p "$dir"
[[ -f $dir/ten_minutes.wav ]] || "$python" Tools/peers/yamnet_tflite.py --write "$dir/ten_minutes.wav" --from "$clips" --minutes 10
# Once: the peer reproduces the reference embeddings (the same computation as Graft's).
"$python" Tools/peers/mn04_torch.py --efficientat "$efficientat" --checkpoint "$mn04" --clips "$clips" --limit 1 \
  --ref "$shared/pretrained/ref" --json 2>/dev/null | python3 -c 'import json,sys; print("peer vs ref/mn04: max relative error", json.load(sys.stdin)["ref_max_rel_error"])'
uptime
for ((i = 1; i <= rounds; i++)); do
  echo "# round $i"
  "$graft" bench audio --json --budget 0.01 --filter mn04_embed_100x5s --mn04 "$mn04" --clips "$clips" \
    | python3 -c 'import json,sys; b=json.load(sys.stdin)["benchmarks"][0]; print(json.dumps({"graft": b["name"], "value": b["value"], "unit": b["unit"]}))'
  "$python" Tools/peers/mn04_torch.py --efficientat "$efficientat" --checkpoint "$mn04" --clips "$clips" --json 2>/dev/null
  "$graft" bench audio --json --budget 0.01 --filter yamnet_scores_10min --yamnet "$yamnet" --long-audio "$dir/ten_minutes.wav" \
    | python3 -c 'import json,sys; b=json.load(sys.stdin)["benchmarks"][0]; print(json.dumps({"graft": b["name"], "value": b["value"], "unit": b["unit"]}))'
  "$python" Tools/peers/yamnet_tflite.py --file "$dir/ten_minutes.wav" --json 2>/dev/null
done
uptime
