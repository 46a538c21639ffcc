#!/usr/bin/env python3
"""gensim peer for GraftText's embedding readers: time KeyedVectors.load_word2vec_format.

    python Tools/peers/embeddings_gensim.py FILE [--binary | --no-header]
    python Tools/peers/embeddings_gensim.py --write-random /tmp/emb [--count 200000 --dimension 300 --text]

Prints JSON {"file", "seconds", "count", "dimension", "gensim"}; compare with
`time .build/release/graft text embeddings info FILE` (which includes process start-up).
--write-random PREFIX writes PREFIX.bin (word2vec binary) and, with --text, PREFIX.txt
(word2vec text, 6 decimals) of seeded N(0, 0.1²) vectors for words w0_…, with NumPy only.
"""
import argparse
import json
import time


def write_random(prefix, count, dimension, text):
    import numpy as np

    rng = np.random.default_rng(7)
    words = [f"w{i}_{'abcdefgh'[i % 8] * (i % 5)}" for i in range(count)]
    with open(prefix + ".bin", "wb") as out:
        out.write(f"{count} {dimension}\n".encode())
        for start in range(0, count, 10000):
            block = (rng.standard_normal((min(10000, count - start), dimension)) * 0.1).astype("<f4")
            for word, row in zip(words[start:start + len(block)], block):
                out.write(word.encode() + b" " + row.tobytes() + b"\n")
    if text:
        rng = np.random.default_rng(7)
        with open(prefix + ".txt", "w") as out:
            out.write(f"{count} {dimension}\n")
            for start in range(0, count, 10000):
                block = (rng.standard_normal((min(10000, count - start), dimension)) * 0.1).astype("<f4")
                for word, row in zip(words[start:start + len(block)], block):
                    out.write(word + " " + " ".join(f"{v:.6f}" for v in row) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?")
    parser.add_argument("--binary", action="store_true")
    parser.add_argument("--no-header", action="store_true")
    parser.add_argument("--write-random", metavar="PREFIX")
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--dimension", type=int, default=300)
    parser.add_argument("--text", action="store_true")
    args = parser.parse_args()
    if args.write_random:
        write_random(args.write_random, args.count, args.dimension, args.text)
        return
    import gensim
    from gensim.models import KeyedVectors

    start = time.perf_counter()
    kv = KeyedVectors.load_word2vec_format(args.file, binary=args.binary, no_header=args.no_header)
    seconds = time.perf_counter() - start
    print(json.dumps({"file": args.file, "seconds": round(seconds, 4), "count": len(kv),
                      "dimension": kv.vector_size, "gensim": gensim.__version__}))


if __name__ == "__main__":
    main()
