#!/usr/bin/python3
#===- export_zoo.py - a zoo of PyTorch models to ONNX plus references -----===#
#
# Exports a fixed set of models with random weights (fixed seed, eval mode,
# batch 1) to ONNX at opset 13 with constant folding, one graph input named
# "input" and one output named "output", and saves for each a random float32
# input and PyTorch's float32 output for it:
#     OUT_DIR/NAME.onnx  OUT_DIR/NAME.input.npy  OUT_DIR/NAME.expected.npy
# Models (torchvision 0.14, weights=None, input 1x3x224x224 unless noted):
#     resnet18 resnet50 mobilenet_v2 mobilenet_v3_large squeezenet1_1
#     googlenet (aux_logits=False, init_weights=True, transform_input=False)
#     inception_v3 (aux_logits=False, init_weights=False: torchvision's
#         truncated-normal init with std 0.1 grows its activations to ~1e8
#         under random BN statistics; transform_input=False; 1x3x299x299)
#     densenet121 efficientnet_b0 shufflenet_v2_x1_0
#     bert_encoder: a 4-layer BERT-base-shaped torch.nn.TransformerEncoder
#         (d_model 768, 12 heads, feed-forward 3072, GELU, post-norm,
#         batch_first), input 1x128x768
# Every BatchNorm2d gets random running statistics and affine parameters and
# every LayerNorm a perturbed affine (a fresh module's are the identity);
# every other parameter keeps its (random) default init. Each model is
# seeded on its own, so exporting a subset gives the same files as
# exporting all. Deterministic for a given torch/torchvision build. Needs
# Debian's python3-torch and python3-torchvision (torch 1.13,
# torchvision 0.14). Files are written to a temporary name and renamed.
#
# usage: export_zoo.py OUT_DIR [MODEL...]   (no MODEL: all of them)
#        export_zoo.py --list                (the model names, in order)
# Prints one line per model; a model that fails to export is reported as
# FAILED and makes the exit status 1; an unknown MODEL name exits 2.
#
#===----------------------------------------------------------------------===#
import os
import sys
import time
import traceback

import numpy as np
import torch
import torchvision

SEED = 20240601
OPSET = 13


def _tv(name, **kwargs):
    def build():
        return getattr(torchvision.models, name)(weights=None, **kwargs)
    return build


def _bert_encoder():
    layer = torch.nn.TransformerEncoderLayer(
        d_model=768, nhead=12, dim_feedforward=3072, dropout=0.0,
        activation="gelu", batch_first=True, norm_first=False)
    return torch.nn.TransformerEncoder(layer, num_layers=4, norm=None,
                                       enable_nested_tensor=False)


_INCEPTION_OPTS = dict(aux_logits=False, transform_input=False)

# name -> (builder, input shape). Order is the export order.
MODELS = {
    "resnet18": (_tv("resnet18"), (1, 3, 224, 224)),
    "resnet50": (_tv("resnet50"), (1, 3, 224, 224)),
    "mobilenet_v2": (_tv("mobilenet_v2"), (1, 3, 224, 224)),
    "mobilenet_v3_large": (_tv("mobilenet_v3_large"), (1, 3, 224, 224)),
    "squeezenet1_1": (_tv("squeezenet1_1"), (1, 3, 224, 224)),
    "googlenet": (_tv("googlenet", init_weights=True, **_INCEPTION_OPTS),
                  (1, 3, 224, 224)),
    "inception_v3": (_tv("inception_v3", init_weights=False,
                         **_INCEPTION_OPTS), (1, 3, 299, 299)),
    "densenet121": (_tv("densenet121"), (1, 3, 224, 224)),
    "efficientnet_b0": (_tv("efficientnet_b0"), (1, 3, 224, 224)),
    "shufflenet_v2_x1_0": (_tv("shufflenet_v2_x1_0"), (1, 3, 224, 224)),
    "bert_encoder": (_bert_encoder, (1, 128, 768)),
}


def _randomize_norms(model):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.0)
                m.bias.uniform_(-0.1, 0.1)
            elif isinstance(m, torch.nn.LayerNorm):
                m.weight.uniform_(0.8, 1.2)
                m.bias.uniform_(-0.1, 0.1)


def _save_npy(path, array):
    tmp_path = path + ".tmp"
    with open(tmp_path, "wb") as f:
        np.save(f, array)
    os.replace(tmp_path, path)


def export_one(name, out_dir):
    build, shape = MODELS[name]
    start = time.monotonic()
    torch.manual_seed(SEED)
    model = build()
    _randomize_norms(model)
    model.eval()

    x = torch.randn(*shape, generator=torch.Generator().manual_seed(SEED))
    # Autograd stays enabled for the reference run and the export: in eval
    # mode torch 1.13's TransformerEncoderLayer and MultiheadAttention take a
    # fused fast path (aten::_transformer_encoder_layer_fwd /
    # _native_multi_head_attention) only when no argument requires grad, so
    # with grad on both the reference and the traced graph are the plain
    # math. It makes no difference to the torchvision models.
    y = model(x).detach()
    if not isinstance(y, torch.Tensor):
        raise RuntimeError("%s: model output is %s, not a tensor" %
                           (name, type(y).__name__))
    y_max = float(y.abs().max())
    y_std = float(y.std())
    if not np.isfinite(y_max) or not np.isfinite(y_std):
        raise RuntimeError("%s: PyTorch output is not finite" % name)
    if y_max < 1e-6 or y_std < 1e-6:
        raise RuntimeError("%s: PyTorch output is degenerate (max |y| %.3g, "
                           "std %.3g)" % (name, y_max, y_std))

    onnx_path = os.path.join(out_dir, name + ".onnx")
    tmp_path = onnx_path + ".tmp"
    torch.onnx.export(model, x, tmp_path, opset_version=OPSET,
                      input_names=["input"], output_names=["output"],
                      do_constant_folding=True)
    os.replace(tmp_path, onnx_path)
    _save_npy(os.path.join(out_dir, name + ".input.npy"),
              x.numpy().astype(np.float32))
    _save_npy(os.path.join(out_dir, name + ".expected.npy"),
              y.numpy().astype(np.float32))
    seconds = time.monotonic() - start
    print("%s: %s input %s output %s max|y| %.4g std(y) %.4g export %.1fs" %
          (name, onnx_path, "x".join(map(str, shape)),
           "x".join(map(str, y.shape)), y_max, y_std, seconds), flush=True)


def main():
    if sys.argv[1:] == ["--list"]:
        print("\n".join(MODELS))
        return
    if len(sys.argv) < 2:
        print("usage: export_zoo.py OUT_DIR [MODEL...]\nmodels: " +
              " ".join(MODELS), file=sys.stderr)
        sys.exit(2)
    out_dir = sys.argv[1]
    names = sys.argv[2:] or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        print("export_zoo.py: unknown model(s): %s\nknown models: %s" %
              (" ".join(unknown), " ".join(MODELS)), file=sys.stderr)
        sys.exit(2)
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))

    failed = []
    for name in dict.fromkeys(names):
        try:
            export_one(name, out_dir)
        except Exception as e:  # report it, go on with the others
            traceback.print_exc()
            print("%s: FAILED: %s: %s" % (name, type(e).__name__, e),
                  flush=True)
            failed.append(name)
    if failed:
        print("export_zoo.py: %d of %d model(s) failed: %s" %
              (len(failed), len(dict.fromkeys(names)), " ".join(failed)),
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
