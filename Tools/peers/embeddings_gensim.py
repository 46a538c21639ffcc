#!/usr/bin/env python3
"""gensim peer for GraftText's embedding readers: time KeyedVectors.load_word2vec_format.

    python Tools/peers/embeddings_gensim.py FILE [--binary | --no-header]

Prints JSON {"file", "seconds", "count", "dimension", "gensim"}; compare with
`time .build/release/graft text embeddings info FILE` (which includes process start-up).
"""
import argparse
import json
import time

import gensim
from gensim.models import KeyedVectors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--binary", action="store_true")
    parser.add_argument("--no-header", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    kv = KeyedVectors.load_word2vec_format(args.file, binary=args.binary, no_header=args.no_header)
    seconds = time.perf_counter() - start
    print(json.dumps({"file": args.file, "seconds": round(seconds, 4), "count": len(kv),
                      "dimension": kv.vector_size, "gensim": gensim.__version__}))


if __name__ == "__main__":
    main()
