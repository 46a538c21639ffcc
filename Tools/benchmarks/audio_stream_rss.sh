#!/usr/bin/env bash
# Peak RSS of the log-mel of a 1-hour 44.1 kHz stereo file, streamed and whole (docs/BENCHMARKS.md).
#
#   make release && Tools/benchmarks/audio_stream_rss.sh [DIR]
#
# Writes DIR/hour.wav (default /tmp/graft-hour; 1 h of 44.1 kHz stereo PCM-16, 635 MB: a slow
# chirp plus noise, made with numpy 60 s at a time), runs `graft audio spectrogram` on it with
# and without --stream under /usr/bin/time -v (apt-get install time), prints the peak RSS and
# the wall time of each, checks that both outputs are equal, and deletes the files.
set -euo pipefail
dir=${1:-/tmp/graft-hour}
graft=${GRAFT:-.build/release/graft}
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT
python3 - "$dir/hour.wav" <<'PY'
import sys, wave
import numpy as np
sr, g = 44100, np.random.default_rng(1)
with wave.open(sys.argv[1], 'wb') as w:
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(sr)
    for minute in range(60):
        t = np.arange(60 * sr) / sr
        y = 0.3 * np.sin(2 * np.pi * (200 * t + 30 * t * t)) + 0.05 * g.standard_normal(t.size)
        w.writeframes((np.clip(np.stack([y, 0.5 * y[::-1]], 1), -1, 1) * 32767).astype('<i2').tobytes())
PY
options=(--sample-rate 16000 --n-fft 512 --win-length 400 --hop-length 160 --n-mels 64
         --fmin 125 --fmax 7500 --htk --mel-norm none --db)
for mode in stream whole; do
  flag=(); [[ $mode == stream ]] && flag=(--stream)
  /usr/bin/time -v "$graft" audio spectrogram "$dir/hour.wav" "${flag[@]}" --out "$dir/$mode.npy" "${options[@]}" \
    2> "$dir/$mode.time"
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$dir/$mode.time")
  wall=$(awk -F': ' '/Elapsed \(wall/ {print $2}' "$dir/$mode.time")
  echo "$mode: peak RSS $((rss / 1024)) MiB ($rss kB), wall $wall"
done
python3 - "$dir" <<'PY'
import sys
import numpy as np
a, b = np.load(sys.argv[1] + '/stream.npy'), np.load(sys.argv[1] + '/whole.npy')
print('shapes', a.shape, b.shape, 'max |difference|', float(np.abs(a - b).max()) if a.shape == b.shape else 'n/a')
PY
