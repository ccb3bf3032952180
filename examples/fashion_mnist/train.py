#!/usr/bin/python3
# ===- examples/fashion_mnist/train.py - train and export the example CNN --===#
#
# Trains a small CNN (conv, batch norm, relu, max pool, flatten, gemm) on
# Fashion-MNIST, exports it to ONNX, and records the accuracy of the
# exported network over the 10,000 test images together with PyTorch's
# predictions, so that classify.cpp can check that Anvil agrees.
#
# Run with Debian's python3 (python3-torch, python3-numpy, python3-onnx):
#   /usr/bin/python3 examples/fashion_mnist/train.py
#
# Writes next to this script: model.onnx, accuracy.json,
# pytorch_predictions.npy (uint8 [10000]).
#
# ===----------------------------------------------------------------------===#
import argparse
import gzip
import json
import os
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = "/usr/share/datasets/fashion-mnist"

# Preprocessing, applied identically by classify.cpp:
#   x = (pixel / 255 - MEAN) / STD, pixel in [0, 255], NCHW float32 1x1x28x28.
MEAN = 0.2860
STD = 0.3530

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def read_idx(path):
    """Parses an IDX file (gzip compressed) into a uint8 numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic >> 8 != 0x08:  # 0x08 = unsigned byte
        raise ValueError(f"{path}: unexpected IDX magic {magic:#x}")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims)


def load(split):
    images = read_idx(os.path.join(DATA_DIR, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA_DIR, f"{split}-labels-idx1-ubyte.gz"))
    x = (images.astype(np.float32) / np.float32(255.0) - np.float32(MEAN)) / np.float32(STD)
    return torch.from_numpy(x[:, None, :, :].copy()), torch.from_numpy(labels.astype(np.int64))


class FashionNet(nn.Module):
    """(conv-bn-relu-maxpool) x2, flatten, gemm-relu-gemm."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.pool = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))   # 32x14x14
        x = self.pool(F.relu(self.bn2(self.conv2(x))))   # 64x7x7
        x = self.flatten(x)                              # 3136
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def tidy_onnx(path):
    """Names the graph, and replaces `Identity(initializer)` nodes (PyTorch
    emits them when two parameters hold identical values) by initializer copies."""
    import onnx
    m = onnx.load(path)
    g = m.graph
    g.name = "fashion_mnist"
    inits = {t.name: t for t in g.initializer}
    keep = []
    for n in g.node:
        if n.op_type == "Identity" and n.input[0] in inits:
            t = onnx.TensorProto()
            t.CopyFrom(inits[n.input[0]])
            t.name = n.output[0]
            g.initializer.append(t)
        else:
            keep.append(n)
    del g.node[:]
    g.node.extend(keep)
    onnx.checker.check_model(m)
    onnx.save(m, path)
    print("onnx ops:", " ".join(n.op_type for n in g.node), flush=True)


@torch.no_grad()
def predict(model, x, batch=1000):
    model.eval()
    return torch.cat([model(x[i:i + batch]).argmax(1) for i in range(0, len(x), batch)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out-dir", default=HERE)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    x_train, y_train = load("train")
    x_test, y_test = load("t10k")
    print(f"train {tuple(x_train.shape)}, test {tuple(x_test.shape)}", flush=True)

    model = FashionNet()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = (len(x_train) + args.batch - 1) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch)
    gen = torch.Generator().manual_seed(args.seed)

    for epoch in range(args.epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(x_train), generator=gen)
        total_loss = 0.0
        for i in range(0, len(x_train), args.batch):
            idx = perm[i:i + args.batch]
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total_loss += loss.item() * len(idx)
        acc = (predict(model, x_test) == y_test).float().mean().item() * 100
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total_loss / len(x_train):.4f}, "
              f"test accuracy {acc:.2f} %, {time.time() - t0:.0f} s", flush=True)

    # Export in inference mode. TrainingMode.PRESERVE on an eval()-mode model
    # exports inference semantics but skips PyTorch's conv+bn fusion, so the
    # graph keeps its BatchNormalization nodes for Anvil's anvil-fold-batch-norm.
    model.eval()
    onnx_path = os.path.join(args.out_dir, "model.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), onnx_path,
                      opset_version=13, input_names=["image"], output_names=["logits"],
                      training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False)
    tidy_onnx(onnx_path)

    # Accuracy of the exported network in eval mode (batched; batching changes
    # eval-mode results only by float reassociation).
    pred = predict(model, x_test)
    correct = int((pred == y_test).sum().item())
    acc = correct / len(y_test) * 100
    np.save(os.path.join(args.out_dir, "pytorch_predictions.npy"), pred.numpy().astype(np.uint8))
    with open(os.path.join(args.out_dir, "accuracy.json"), "w") as f:
        json.dump({
            "framework": f"pytorch {torch.__version__}",
            "model": "model.onnx",
            "dataset": "fashion-mnist t10k (10000 images)",
            "accuracy_percent": round(acc, 2),
            "correct": correct,
            "total": len(y_test),
            "preprocessing": {"scale": "pixel / 255", "mean": MEAN, "std": STD,
                              "formula": "(pixel / 255 - mean) / std", "layout": "NCHW 1x1x28x28 float32"},
            "training": {"epochs": args.epochs, "batch": args.batch, "optimizer": "Adam",
                         "lr_schedule": f"OneCycle max_lr={args.lr}", "seed": args.seed},
        }, f, indent=2)
        f.write("\n")
    print(f"pytorch accuracy: {acc:.2f} % ({correct}/{len(y_test)})")
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes)")


if __name__ == "__main__":
    main()
