#!/usr/bin/env python3
"""The Python peer of `digitlab-cli train`: the same DigitNet, recipes and augmentation, written the usual PyTorch way
(eager mode, data held on the device, autocast). Used by scripts/gpu-check.sh and bench/time_to_accuracy.sh.

Recipes, as DigitLab's (include/digitlab/train_recipe.h):
  default  batch 128, Adam lr 1e-3 decayed by 0.9 per epoch, full augmentation, no label smoothing, float on the CPU
  quick    batch 256, 3 epochs of 40,000 images drawn afresh, Adam with a one-cycle lr (peak 4e-3), label
           smoothing 0.1, full augmentation, dropout 0.05 after each block and 0.1 after the dense layer, bfloat16
           autocast on CPUs with native bfloat16, channels-last activations (faster for PyTorch's bfloat16
           convolutions on the CPU too: 101 s against 120 s for this recipe on a 2-core AVX512-BF16 machine)

Each epoch validates on 5,000 held-out training images; the run ends with the test accuracy and a saved model. Prints
one JSON object: per-epoch images/s, validation accuracy, the test accuracy and the wall time from the start of main()
to the saved model. With --sweep it trains a grid of quick-recipe variants instead (chosen on validation)."""
import argparse
import gzip
import itertools
import json
import math
import os
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

from peer_torch import DigitNet

RECIPES = {
    "default": dict(batch=128, lr=1e-3, decay=0.9, schedule="exponential", smoothing=0.0, strength=1.0, bf16=False,
                    epochs=30, images_per_epoch=0, conv_dropout=0.25, dense_dropout=0.5),
    "quick": dict(batch=256, lr=4e-3, decay=1.0, schedule="one-cycle", smoothing=0.1, strength=1.0, bf16=True,
                  epochs=3, images_per_epoch=40000, conv_dropout=0.05, dense_dropout=0.1, channels_last=True),
}


def read_idx(path, offset):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def find(data, name):
    for candidate in (name, name + ".gz"):
        if os.path.exists(os.path.join(data, candidate)):
            return os.path.join(data, candidate)
    raise SystemExit(f"peer_train: {name} not found in {data}")


def load(data, split):
    images = read_idx(find(data, f"{split}-images-idx3-ubyte"), 16).reshape(-1, 1, 28, 28)
    labels = read_idx(find(data, f"{split}-labels-idx1-ubyte"), 8)
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))


def augment(x, strength):
    n = x.shape[0]
    angle = (torch.rand(n, device=x.device) * 2 - 1) * math.radians(10) * strength
    scale = 1 + (torch.rand(n, device=x.device) * 2 - 1) * 0.1 * strength
    shift = (torch.rand(n, 2, device=x.device) * 2 - 1) * 0.2 * strength  # 10% of the width, in [-1, 1] units
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")


def learning_rate(r, epoch, step, steps_per_epoch):
    """As DigitLab's LearningRate: exponential per epoch, or a one-cycle per step."""
    if r["schedule"] == "exponential":
        return r["lr"] * r["decay"] ** epoch
    total = max(1, steps_per_epoch * r["epochs"])
    position = epoch * steps_per_epoch + step
    rise = max(1.0, 0.25 * total)

    def between(a, b, t):
        return b + (a - b) * (1 + math.cos(math.pi * t)) / 2

    if position < rise:
        return between(r["lr"] / 25, r["lr"], position / rise)
    return between(r["lr"], r["lr"] / 1e4, min(1.0, (position - rise) / max(1.0, total - rise)))


def cpu_has_bf16():
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
        return "avx512_bf16" in flags or "amx_bf16" in flags
    except OSError:
        return False


def accuracy(net, x, y, batch=1000):
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            correct += (net(x[i:i + batch].float().div(255)).argmax(1) == y[i:i + batch]).sum().item()
    return correct / x.shape[0]


def train(r, data, device, seed=42, quiet=True):
    """One run of recipe r; returns its record. The clock starts here, as DigitLab's does in Trainer::run()."""
    start = time.perf_counter()
    torch.manual_seed(seed)
    images, labels = load(data, "train")
    test_x, test_y = load(data, "t10k")
    perm = torch.randperm(images.shape[0], generator=torch.Generator().manual_seed(seed))
    val_idx, train_idx = perm[:5000], perm[5000:]
    x_all, y_all = images[train_idx].to(device), labels[train_idx].to(device)
    val_x, val_y = images[val_idx].to(device), labels[val_idx].to(device)
    test_x, test_y = test_x.to(device), test_y.to(device)

    net = DigitNet(r["conv_dropout"], r["dense_dropout"]).to(device)
    memory_format = torch.channels_last if device.type == "cuda" or r.get("channels_last") else torch.contiguous_format
    net = net.to(memory_format=memory_format)
    opt = torch.optim.Adam(net.parameters(), lr=r["lr"])
    cuda = device.type == "cuda"
    bf16 = (cuda and torch.cuda.is_bf16_supported()) or (not cuda and r["bf16"] and cpu_has_bf16())
    use_amp = cuda or bf16
    dtype = torch.bfloat16 if bf16 else torch.float16
    grad_scaler = getattr(torch.amp, "GradScaler", None) or torch.cuda.amp.GradScaler  # torch.amp's from 2.3 on
    scaler = grad_scaler(enabled=cuda and not bf16)
    per_epoch = min(r.get("images_per_epoch") or x_all.shape[0], x_all.shape[0])  # drawn afresh each epoch
    steps = math.ceil(per_epoch / r["batch"])
    history = []
    best = (-1.0, None)
    for epoch in range(r["epochs"]):
        net.train()
        order = torch.randperm(x_all.shape[0], device=device)[:per_epoch]
        if cuda:
            torch.cuda.synchronize()
        epoch_start = time.perf_counter()
        for step, i in enumerate(range(0, per_epoch, r["batch"])):
            for group in opt.param_groups:
                group["lr"] = learning_rate(r, epoch, step, steps)
            idx = order[i:i + r["batch"]]
            x, y = augment(x_all[idx].float().div_(255), r["strength"]), y_all[idx]
            x = x.contiguous(memory_format=memory_format)
            with torch.autocast(device.type, dtype=dtype, enabled=use_amp):
                logits = net(x).float()
            loss = F.cross_entropy(logits, y, label_smoothing=r["smoothing"]) + 1e-4 * net.fc1.weight.square().sum()
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
        if cuda:
            torch.cuda.synchronize()
        seconds = time.perf_counter() - epoch_start
        with torch.autocast(device.type, dtype=dtype, enabled=use_amp):
            val = accuracy(net, val_x, val_y)
        if val > best[0]:
            best = (val, {k: v.detach().clone() for k, v in net.state_dict().items()})
        history.append({"epoch": epoch + 1, "seconds": seconds, "images_per_second": per_epoch / seconds,
                        "val_accuracy": val, "last_loss": loss.item()})
        if not quiet:
            print(f"epoch {epoch + 1}: val {val * 100:.2f}%  {per_epoch / seconds:.0f} img/s", flush=True)
    net.load_state_dict(best[1])
    test = accuracy(net, test_x, test_y)
    with tempfile.TemporaryDirectory() as folder:
        torch.save(net.state_dict(), os.path.join(folder, "peer.pt"))
    wall = time.perf_counter() - start
    return {"runtime": "PyTorch " + torch.__version__, "device": str(device), "amp": str(dtype) if use_amp else "off",
            "history": history, "best_val_accuracy": best[0], "test_accuracy": test, "wall_seconds": wall}


def sweep(base, data, device, grid):
    """Trains every combination of grid's values on top of base; prints one JSON line per run, best (validation)
    last."""
    keys = list(grid)
    results = []
    for values in itertools.product(*(grid[k] for k in keys)):
        r = dict(base, **dict(zip(keys, values)))
        out = train(r, data, device, seed=r.pop("seed", 42))
        line = {k: v for k, v in zip(keys, values)}
        line.update(val=out["best_val_accuracy"], test=out["test_accuracy"], wall=round(out["wall_seconds"], 2))
        print(json.dumps(line), flush=True)
        results.append(line)
    print("best on validation:", json.dumps(max(results, key=lambda x: x["val"])))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="default")
    parser.add_argument("--epochs", type=int, help="default: the recipe's")
    parser.add_argument("--batch", type=int, help="default: the recipe's")
    parser.add_argument("--images-per-epoch", type=int, help="default: the recipe's (0: all training images)")
    parser.add_argument("--channels-last", choices=["on", "off"], help="activations channels-last on the CPU too "
                        "(always on CUDA); default: the recipe's")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--sweep", help="JSON object of lists, e.g. '{\"lr\": [2e-3, 4e-3], \"epochs\": [2, 3]}'")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.backends.cudnn.benchmark = True
    r = dict(RECIPES[args.recipe])
    if args.epochs:
        r["epochs"] = args.epochs
    if args.batch:
        r["batch"] = args.batch
    if args.images_per_epoch is not None:
        r["images_per_epoch"] = args.images_per_epoch
    if args.channels_last:
        r["channels_last"] = args.channels_last == "on"
    device = torch.device(args.device)
    if args.sweep:
        sweep(r, args.data, device, json.loads(args.sweep))
        return
    print(json.dumps(train(r, args.data, device, quiet=not args.verbose)))


if __name__ == "__main__":
    main()
