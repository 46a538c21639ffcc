#!/usr/bin/env python3
"""Bag-of-words peer for `graft text train`: logistic regression with scikit-learn on
../shared/datasets/sentiment_vader (train.tsv → test.tsv), printing accuracy and macro-F1.

Run by hand (never needed at run time):

    python3 -m venv /tmp/sk && /tmp/sk/bin/pip install scikit-learn
    /tmp/sk/bin/python Tools/peers/sentiment_baseline.py [--data ../shared/datasets/sentiment_vader] [--json]

Two peers: word unigrams+bigrams (TF-IDF) and unigram counts; both lowercase, as Graft's
tokenizer. The files are read with Python's csv module without quoting (QUOTE_NONE), as the
dataset stores raw text in its `text` column.
"""
import argparse
import csv
import json
import os
import sys
import time

csv.field_size_limit(sys.maxsize)


def read(path):
    texts, labels = [], []
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            texts.append(row["text"])
            labels.append(row["label"])
    return texts, labels


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "datasets", "sentiment_vader"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=default)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import sklearn
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score

    train_x, train_y = read(os.path.join(args.data, "train.tsv"))
    test_x, test_y = read(os.path.join(args.data, "test.tsv"))
    results = {"sklearn": sklearn.__version__, "train": len(train_x), "test": len(test_x), "models": {}}
    for name, vectorizer in [
        ("tfidf_1-2gram_logreg", TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=1)),
        ("counts_unigram_logreg", CountVectorizer(lowercase=True)),
    ]:
        start = time.perf_counter()
        xtr = vectorizer.fit_transform(train_x)
        model = LogisticRegression(max_iter=2000, C=4.0)
        model.fit(xtr, train_y)
        predicted = model.predict(vectorizer.transform(test_x))
        results["models"][name] = {
            "accuracy": round(accuracy_score(test_y, predicted), 4),
            "macro_f1": round(f1_score(test_y, predicted, average="macro"), 4),
            "seconds": round(time.perf_counter() - start, 2),
        }
    if args.json:
        print(json.dumps(results, sort_keys=True))
    else:
        for name, r in results["models"].items():
            print(f"{name}: accuracy {r['accuracy']:.4f}, macro-F1 {r['macro_f1']:.4f} ({r['seconds']} s)")


if __name__ == "__main__":
    main()
