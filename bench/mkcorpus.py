#!/usr/bin/env python3
"""bench/mkcorpus.py - build the ~100 MB benchmark inputs from NewsDiscourse.

usage: bench/mkcorpus.py SHARED_DIR OUT_DIR [TARGET_MB]

Reads the train/ split (X.txt `S<n> text` lines, X.ann brat spans) and
writes, into OUT_DIR (a cache outside the repository: corpus text is
never committed):
  raw.txt       sentences repeated and shuffled (seed 20261201), several
                sentences per line, one paragraph a line, ~TARGET_MB of text:
                the input of `newsclass classify` and `wc -w`.
  raw.ft        the same sentences, one a line, pre-tokenized for
                `fasttext predict` (TOKENIZATION below).
  train.tsv     labelled sentences repeated and shuffled to ~TARGET_MB, as
                document TSV: documents of 25 sentences, `# doc: dN`.
  train.ft      the same, `__label__L tokens` a line, for fasttext supervised.
Labels: a sentence takes the target of the FIRST row of label-map.tsv that
matches one of its source labels; "-" drops it; unannotated sentences are
dropped (as pipeline/corpus.c's brat reader does).
"""
import os
import random
import re
import sys

SEED = 20261201
DOC_SENTENCES = 25

# TOKENIZATION for fastText: lowercase, put spaces around every character
# that is neither a word character nor whitespace, split on whitespace.
_PUNCT = re.compile(r"([^\w\s])")


def ft_tokens(s):
    return " ".join(_PUNCT.sub(r" \1 ", s.lower()).split())


def read_map(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            src, tgt = line.split("\t")[:2]
            rows.append((src, tgt))
    return rows


def read_split(root, lmap):
    raw, labelled = [], []
    for dirpath, _, files in sorted(os.walk(root)):
        for fn in sorted(files):
            if not fn.endswith(".txt"):
                continue
            base = os.path.join(dirpath, fn[:-4])
            sents = {}
            with open(base + ".txt", encoding="utf-8") as f:
                for line in f:
                    m = re.match(r"S(\d+) (.*)", line.rstrip("\n"))
                    if m and m.group(2).strip():
                        sents["S" + m.group(1)] = " ".join(m.group(2).split())
            src = {}
            if os.path.exists(base + ".ann"):
                with open(base + ".ann", encoding="utf-8") as f:
                    for line in f:
                        p = line.rstrip("\n").split("\t")
                        if len(p) >= 3 and p[0].startswith("T"):
                            src.setdefault(p[2].strip(), set()).add(p[1].split()[0])
            for sid, text in sents.items():
                raw.append(text)
                labs = src.get(sid)
                if not labs:
                    continue
                for s, t in lmap:
                    if s in labs:
                        if t != "-":
                            labelled.append((t, text))
                        break
    return raw, labelled


def repeat_shuffle(items, target, size, rng):
    out, total = [], 0
    while total < target:
        batch = list(items)
        rng.shuffle(batch)
        for it in batch:
            out.append(it)
            total += size(it)
            if total >= target:
                break
    return out


def main():
    shared, out = sys.argv[1], sys.argv[2]
    target = int(float(sys.argv[3]) * 1e6) if len(sys.argv) > 3 else 100_000_000
    nd = os.path.join(shared, "corpora", "newsdiscourse")
    lmap = read_map(os.path.join(nd, "label-map.tsv"))
    raw, labelled = read_split(os.path.join(nd, "train"), lmap)
    os.makedirs(out, exist_ok=True)
    rng = random.Random(SEED)
    sents = repeat_shuffle(raw, target, lambda s: len(s.encode()) + 1, rng)
    with open(os.path.join(out, "raw.txt"), "w", encoding="utf-8") as f, \
         open(os.path.join(out, "raw.ft"), "w", encoding="utf-8") as g:
        i = 0
        while i < len(sents):
            k = rng.randint(1, 6)  # sentences in this paragraph
            f.write(" ".join(sents[i:i + k]) + "\n")
            for s in sents[i:i + k]:
                g.write(ft_tokens(s) + "\n")
            i += k
    lab = repeat_shuffle(labelled, target, lambda x: len(x[1].encode()) + len(x[0]) + 2, rng)
    with open(os.path.join(out, "train.tsv"), "w", encoding="utf-8") as f, \
         open(os.path.join(out, "train.ft"), "w", encoding="utf-8") as g:
        for d in range(0, len(lab), DOC_SENTENCES):
            f.write("# doc: d%d\n" % (d // DOC_SENTENCES))
            for t, s in lab[d:d + DOC_SENTENCES]:
                f.write("%s\t%s\n" % (t, s))
                g.write("__label__%s %s\n" % (t, ft_tokens(s)))
            f.write("\n")
    print("raw %d sentences, train %d sentences" % (len(sents), len(lab)))


if __name__ == "__main__":
    main()
