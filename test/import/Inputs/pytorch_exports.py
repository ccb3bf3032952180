"""Exports small PyTorch modules at several opsets, with static and with a
dynamic batch dim, imports each with anvil-translate (pinning the batch with
--shape) and compares with PyTorch's outputs (--check-test-data).

The modules cover what exporters emit around the core ops: x.view(x.size(0),
-1) (Shape -> Gather -> Unsqueeze -> Concat -> Reshape), nearest
interpolation (Upsample / Resize), adaptive pooling, LayerNorm and mean
(ReduceMean), hardswish, GELU (Erf), ELU, softplus, log_softmax, batched
MatMul, permute / squeeze / unsqueeze, slicing and concatenation,
ConvTranspose2d, clamp (Clip attributes before opset 11, inputs after).

usage: pytorch_exports.py OUT_DIR   (needs python3-torch)
"""
import os
import subprocess
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper


class ViewNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
        x = x.view(x.size(0), -1)
        return F.softmax(self.fc(x), dim=1)


class Misc(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, stride=2, padding=1)
        self.ln = nn.LayerNorm(4)

    def forward(self, x):
        y = F.interpolate(self.conv(x), scale_factor=2, mode="nearest")
        y = F.adaptive_avg_pool2d(y, 1)
        z = F.hardswish(x) + F.leaky_relu(x, 0.1) * torch.sigmoid(x)
        b, c, h, w = x.shape
        t = x.reshape(b, c, h * w).transpose(1, 2).mean(dim=-1, keepdim=True)
        u = self.ln(y.reshape(b, 4))
        return (y, z.flatten(1), t, u, torch.cat([x, x[:, :1]], dim=1),
                x[:, :, 1:3].contiguous())


class Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 5)
        self.up = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1,
                                     output_padding=1)

    def forward(self, x, q):
        a = self.fc(q).permute(0, 2, 1).unsqueeze(1).squeeze(1)
        m = torch.matmul(q, q.transpose(1, 2)) / 2.0
        e = F.elu(q) + F.softplus(q) - F.gelu(q)
        return (a, F.log_softmax(m, dim=-1), e, self.up(x),
                x.clamp(min=-0.5, max=0.5))


def export(out_dir, module, args, name, opset, dynamic):
    module.eval()
    folder = os.path.join(out_dir, "%s_op%d%s" % (name, opset,
                                                  "_dyn" if dynamic else ""))
    data = os.path.join(folder, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    with torch.no_grad():
        outs = module(*args)
    if not isinstance(outs, tuple):
        outs = (outs,)
    ins = ["in%d" % i for i in range(len(args))]
    outs_names = ["out%d" % i for i in range(len(outs))]
    axes = {n: {0: "batch"} for n in ins + outs_names} if dynamic else None
    model = os.path.join(folder, "model.onnx")
    torch.onnx.export(module, args, model, opset_version=opset,
                      input_names=ins, output_names=outs_names,
                      dynamic_axes=axes)
    for i, a in enumerate(args):
        with open(os.path.join(data, "input_%d.pb" % i), "wb") as f:
            f.write(numpy_helper.from_array(a.numpy(), ins[i])
                    .SerializeToString())
    for i, o in enumerate(outs):
        with open(os.path.join(data, "output_%d.pb" % i), "wb") as f:
            f.write(numpy_helper.from_array(o.numpy(), outs_names[i])
                    .SerializeToString())
    pins = []
    for n, a in zip(ins, args):
        pins += ["--shape", "%s=%s" % (n, "x".join(str(d) for d in a.shape))]
    return model, data, pins


def main():
    import warnings
    warnings.filterwarnings("ignore")
    torch.manual_seed(0)
    out_dir = sys.argv[1]
    cases = [(ViewNet(), (torch.randn(2, 3, 8, 8),), "view"),
             (Misc(), (torch.randn(2, 3, 8, 8),), "misc"),
             (Seq(), (torch.randn(1, 3, 4, 4), torch.randn(2, 4, 6)), "seq")]
    passed = failed = 0
    for opset in (9, 11, 13, 16):
        for dynamic in (False, True):
            for module, args, name in cases:
                model, data, pins = export(out_dir, module, args, name, opset,
                                           dynamic)
                cmd = ["anvil-translate", "--import-onnx", model,
                       "--check-test-data", data] + (pins if dynamic else [])
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode == 0 and "PASS" in r.stdout:
                    passed += 1
                else:
                    failed += 1
                    print("FAIL %s: %s" % (model, r.stderr.strip()))
    print("passed: %d, failed: %d" % (passed, failed))


if __name__ == "__main__":
    main()
