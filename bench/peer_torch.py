#!/usr/bin/python3
"""The peer for digitlab-bench: the same DigitNet in Python through Debian's python3-torch
(the same LibTorch, thread count and BLAS). Prints one JSON object."""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class DigitNet(nn.Module):
    def __init__(self, conv_dropout=0.25, dense_dropout=0.5):
        super().__init__()
        self.conv_dropout, self.dense_dropout = conv_dropout, dense_dropout
        filters = [1, 32, 32, 64, 64, 128, 128]
        self.convs = nn.ModuleList(nn.Conv2d(filters[i], filters[i + 1], 3, padding=1) for i in range(6))
        self.bns = nn.ModuleList(nn.BatchNorm2d(filters[i + 1]) for i in range(6))
        self.fc1 = nn.Linear(128 * 3 * 3, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        x = (x - 0.1307) / 0.3081
        for i, (conv, bn) in enumerate(zip(self.convs, self.bns)):
            x = F.relu(bn(conv(x)))
            if i % 2 == 1:
                x = F.dropout(F.max_pool2d(x, 2), self.conv_dropout, self.training)
        x = F.dropout(F.relu(self.fc1(x.flatten(1))), self.dense_dropout, self.training)
        return self.fc2(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--latency-runs", type=int, default=500)
    parser.add_argument("--big-batch", type=int, default=1000)
    parser.add_argument("--model", required=True, help="the TorchScript file DigitLab times too")
    parser.add_argument("--train-only", action="store_true", help="time training only")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    net = DigitNet()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))
    net.train()

    def step():
        loss = F.cross_entropy(net(x), y) + 1e-4 * net.fc1.weight.square().sum()
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(5):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    train_ips = args.steps * args.batch / (time.perf_counter() - start)
    if args.train_only:
        print(json.dumps({"runtime": "python3-torch " + torch.__version__, "train_images_per_second": train_ips}))
        return

    # Inference: the same TorchScript file, frozen and optimized as torch.jit recommends.
    frozen = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.load(args.model).eval()))
    one = torch.tensor([(i % 28) / 27.0 for i in range(784)]).reshape(1, 1, 28, 28)
    times = []
    with torch.no_grad():
        for _ in range(50):
            frozen(one)
        for _ in range(args.latency_runs):
            t = time.perf_counter()
            frozen(one)
            times.append(time.perf_counter() - t)
        batch = torch.full((args.big_batch, 1, 28, 28), 0.5)
        frozen(batch)
        calls = []
        for _ in range(7):  # the batch size over the median call, as digitlab-bench does
            t = time.perf_counter()
            frozen(batch)
            calls.append(time.perf_counter() - t)
        batch_ips = args.big_batch / statistics.median(calls)
    print(json.dumps({
        "runtime": "python3-torch " + torch.__version__,
        "train_images_per_second": train_ips,
        "latency_ms": statistics.median(times) * 1000,
        "batch_images_per_second": batch_ips,
    }))


if __name__ == "__main__":
    main()
