#!/usr/bin/env python3
"""Training-throughput peer for scripts/gpu-check.sh: the same DigitNet, recipe and augmentation as
`digitlab-cli train` (batch 128, Adam, rotation/shift/zoom by affine_grid + grid_sample, data held on
the device, autocast in bf16 where supported, else fp16 with a GradScaler), written the usual PyTorch
way. Prints one JSON object with the training images/s of each epoch."""
import argparse
import gzip
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from peer_torch import DigitNet


def read_idx(path, offset):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def find(data, name):
    for candidate in (name, name + ".gz"):
        if os.path.exists(os.path.join(data, candidate)):
            return os.path.join(data, candidate)
    raise SystemExit(f"peer_train: {name} not found in {data}")


def augment(x):
    n = x.shape[0]
    angle = (torch.rand(n, device=x.device) * 2 - 1) * math.radians(10)
    scale = 1 + (torch.rand(n, device=x.device) * 2 - 1) * 0.1
    shift = (torch.rand(n, 2, device=x.device) * 2 - 1) * 0.2  # 10% of the width, in [-1, 1] units
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--limit", type=int, default=55000, help="training images (the first N)")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(42)
    images = read_idx(find(args.data, "train-images-idx3-ubyte"), 16).reshape(-1, 1, 28, 28)
    labels = read_idx(find(args.data, "train-labels-idx1-ubyte"), 8)
    x_all = torch.from_numpy(images[:args.limit].copy()).to(device).float().div_(255)
    y_all = torch.from_numpy(labels[:args.limit].astype(np.int64)).to(device)

    net = DigitNet().to(device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, 0.9)
    bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported()
    dtype = torch.bfloat16 if bf16 or device.type != "cuda" else torch.float16
    grad_scaler = getattr(torch.amp, "GradScaler", None) or torch.cuda.amp.GradScaler  # torch.amp's from 2.3 on
    scaler = grad_scaler(enabled=device.type == "cuda" and not bf16)
    history = []
    for epoch in range(args.epochs):
        net.train()
        order = torch.randperm(x_all.shape[0], device=device)
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        for i in range(0, x_all.shape[0], args.batch):
            idx = order[i:i + args.batch]
            x, y = augment(x_all[idx]), y_all[idx]
            with torch.autocast(device.type, dtype=dtype, enabled=device.type == "cuda"):
                loss = F.cross_entropy(net(x), y) + 1e-4 * net.fc1.weight.float().square().sum()
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        sched.step()
        history.append({"epoch": epoch + 1, "seconds": seconds, "images_per_second": x_all.shape[0] / seconds,
                        "last_loss": float(loss)})
    print(json.dumps({"runtime": "PyTorch " + torch.__version__, "amp": str(dtype), "history": history}))


if __name__ == "__main__":
    main()
