#!/usr/bin/python3
#===- export_resnet50.py - torchvision ResNet-50 to ONNX plus a reference -===#
#
# Builds torchvision's resnet50 with random weights (fixed seed, eval mode),
# gives every BatchNorm random running statistics and affine parameters (so
# the statistics are not the identity that a fresh module has), exports it to
# ONNX at opset 13 with a fixed 1x3x224x224 input named "input", and saves a
# random input and PyTorch's output as float32 .npy files:
#     OUT_DIR/resnet50.onnx  OUT_DIR/input.npy  OUT_DIR/expected.npy
# Deterministic for a given torch/torchvision build. Needs Debian's
# python3-torch and python3-torchvision (torch 1.13, torchvision 0.14).
#
# usage: export_resnet50.py OUT_DIR
#
#===----------------------------------------------------------------------===#
import os
import sys

import numpy as np
import torch
import torchvision

SEED = 20240601


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: export_resnet50.py OUT_DIR")
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(SEED)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    model = torchvision.models.resnet50(weights=None)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.0)
                m.bias.uniform_(-0.1, 0.1)
    model.eval()

    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(SEED))
    with torch.no_grad():
        y = model(x)

    onnx_path = os.path.join(out_dir, "resnet50.onnx")
    tmp_path = onnx_path + ".tmp"
    torch.onnx.export(model, x, tmp_path, opset_version=13,
                      input_names=["input"], output_names=["output"],
                      do_constant_folding=True)
    os.replace(tmp_path, onnx_path)
    np.save(os.path.join(out_dir, "input.npy"),
            x.numpy().astype(np.float32))
    np.save(os.path.join(out_dir, "expected.npy"),
            y.numpy().astype(np.float32))
    print("resnet50: exported %s (output %s, max |y| %.4g)" %
          (onnx_path, tuple(y.shape), float(y.abs().max())))


if __name__ == "__main__":
    main()
