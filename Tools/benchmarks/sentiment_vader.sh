#!/usr/bin/env bash
# Sentiment with frozen GloVe vectors (issue 15 §5) on ../shared/datasets/sentiment_vader:
# `graft text train` with defaults only on train.tsv (20% of it held out for validation),
# `graft text evaluate` on test.tsv, then the bag-of-words peers (Tools/peers/sentiment_baseline.py,
# scikit-learn) on the same files. Extra arguments go to `graft text train` (to measure a variant).
# Prints validation and test accuracy / macro-F1, the n-gram blend weight and the training wall time
# (docs/text.md).
#
#   make release && bash Tools/benchmarks/sentiment_vader.sh [SHARED] [graft binary] [-- train args...]
#
# SHARED defaults to ../shared (the checkout's sibling). The peers need scikit-learn
# (PYTHON defaults to /work/venv/bin/python, else python3); they are skipped without it.
# Nothing is written into the repository: the bundle goes to a temporary folder.
set -euo pipefail
SHARED=${1:-../shared}
GRAFT=${2:-.build/release/graft}
shift $(( $# >= 2 ? 2 : $# ))
[ "${1:-}" = "--" ] && shift
SHARED=$(cd "$SHARED" && pwd)
DATA=$SHARED/datasets/sentiment_vader
GLOVE=$SHARED/datasets/glove_6B_50d_10k/glove.6B.50d.10k.txt
PYTHON=${PYTHON:-$( [ -x /work/venv/bin/python ] && echo /work/venv/bin/python || echo python3 )}
WORK=$(mktemp -d /tmp/graft-sentiment-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

start=$(date +%s.%N)
"$GRAFT" text train --data "$DATA/train.tsv" --embeddings "$GLOVE" --out "$WORK/vader.graft" --json --quiet "$@" \
  > "$WORK/train.json"
end=$(date +%s.%N)
"$GRAFT" text evaluate "$WORK/vader.graft" --data "$DATA/test.tsv" --json > "$WORK/test.json"

python3 - "$WORK/train.json" "$WORK/test.json" "$start" "$end" <<'PY'
import json, sys
train, test = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
seconds = float(sys.argv[4]) - float(sys.argv[3])
print(f"graft: validation {train['accuracy']:.4f} / {train['macro_f1']:.4f} ({train['validation_count']} texts), "
      f"test {test['accuracy']:.4f} / {test['macro_f1']:.4f} ({test['count']} texts), "
      f"{train['epochs']} + {train['fine_tune_epochs']} epochs, {seconds:.1f} s")
blend = train.get("ngram_blend")
if blend:
    print(f"graft: blend weight of the n-gram regression {blend['weight']:.2f}, blended validation "
          f"{blend['accuracy']:.4f} / {blend['macro_f1']:.4f} (validation above: the LSTM alone)")
PY
if "$PYTHON" -c "import sklearn" 2>/dev/null; then
  "$PYTHON" "$(dirname "$0")/../peers/sentiment_baseline.py" --data "$DATA"
else
  echo "peers skipped: $PYTHON has no scikit-learn"
fi
