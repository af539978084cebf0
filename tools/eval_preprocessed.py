#!/usr/bin/python3
"""Accuracy of a TorchScript DigitNet on the inputs written by preprocess_dump.

    /usr/bin/python3 tools/eval_preprocessed.py MODEL.pt OUT [--list]

OUT is preprocess_dump's output prefix (OUT.f32 and OUT.csv). Prints the overall accuracy, the accuracy per
source (the file name up to its last '_'), and with --list every misclassified file.
"""
import csv
import sys
from collections import defaultdict

import numpy as np
import torch


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    model_path, out = sys.argv[1], sys.argv[2]
    rows = list(csv.DictReader(open(out + ".csv")))
    inputs = np.fromfile(out + ".f32", dtype="<f4").reshape(len(rows), 1, 28, 28)
    model = torch.jit.load(model_path, map_location="cpu").eval()
    with torch.no_grad():
        probs = model(torch.from_numpy(inputs.copy())).numpy()
    predicted = probs.argmax(1)
    per_source = defaultdict(lambda: [0, 0])
    wrong = []
    for row, p, pr in zip(rows, predicted, probs):
        ok = int(p) == int(row["label"])
        source = row["file"].rsplit("_", 1)[0]
        per_source[source][0] += ok
        per_source[source][1] += 1
        if not ok:
            wrong.append((row["file"], row["label"], int(p), float(pr.max())))
    total = sum(ok for ok, _ in per_source.values())
    print(f"accuracy {total}/{len(rows)} = {100.0 * total / len(rows):.1f}%")
    for source, (ok, n) in sorted(per_source.items()):
        print(f"  {source:18s} {ok:3d}/{n:3d}")
    if "--list" in sys.argv:
        for file, label, p, conf in wrong:
            print(f"  wrong: {file} label {label} predicted {p} ({conf:.2f})")


if __name__ == "__main__":
    main()
