//===- KernelRegistry.cpp - Which kernel each op calls, per ISA -----------===//

#include "codegen/KernelRegistry.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"

#include <vector>

using namespace anvil::codegen;
namespace ak = ::anvil::kernels;
namespace ad = ::mlir::anvil;

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The spellings of each path: in kernel names and in generated C++.
struct PathNames {
  ak::Conv2DPath path;
  llvm::StringLiteral kernelName, enumerator;
};
constexpr PathNames kPathNames[] = {
    {ak::Conv2DPath::Gemm, "gemm", "Gemm"},
    {ak::Conv2DPath::Implicit, "implicit", "Implicit"},
    {ak::Conv2DPath::ChannelVector, "cv", "ChannelVector"},
    {ak::Conv2DPath::Depthwise, "dw", "Depthwise"},
    {ak::Conv2DPath::Winograd, "wino", "Winograd"},
};

const PathNames &pathNames(ak::Conv2DPath p) {
  for (const PathNames &n : kPathNames)
    if (n.path == p)
      return n;
  llvm_unreachable("every Conv2DPath has names");
}

/// The register tile of each conv2d path per ISA: mr broadcast rows x nr
/// vectors. AVX-512 has 32 zmm registers: 8 x 3 = 24 accumulators, 3 B
/// vectors and the broadcast. AVX2 has 16 ymm: 4 x 3 = 12 accumulators.
/// The depthwise path keeps nr vectors of one output row in registers.
struct ConvTile {
  ak::Conv2DPath path;
  Isa isa;
  int64_t mr, nr;
};
constexpr ConvTile kConvTiles[] = {
    {ak::Conv2DPath::Gemm, Isa::Avx512, 8, 3},
    {ak::Conv2DPath::Implicit, Isa::Avx512, 8, 3},
    {ak::Conv2DPath::ChannelVector, Isa::Avx512, 8, 3},
    {ak::Conv2DPath::Depthwise, Isa::Avx512, 1, 4},
    {ak::Conv2DPath::Winograd, Isa::Avx512, 8, 3},
    {ak::Conv2DPath::Gemm, Isa::Avx2, 4, 3},
    {ak::Conv2DPath::Implicit, Isa::Avx2, 4, 3},
    {ak::Conv2DPath::ChannelVector, Isa::Avx2, 4, 3},
    {ak::Conv2DPath::Depthwise, Isa::Avx2, 1, 4},
    {ak::Conv2DPath::Winograd, Isa::Avx2, 4, 3},
};

/// matmul: mr rows of A broadcast x nr vectors of B columns.
struct MatmulTile {
  Isa isa;
  int64_t mr, nr;
};
constexpr MatmulTile kMatmulTiles[] = {{Isa::Avx512, 6, 4}, {Isa::Avx2, 6, 2}};

const std::vector<Conv2DKernel> &conv2dKernels() {
  static const std::vector<Conv2DKernel> kernels = [] {
    std::vector<Conv2DKernel> ks;
    for (const ConvTile &t : kConvTiles) {
      int64_t lanes = isaLanes(t.isa);
      Conv2DKernel k;
      k.isa = t.isa;
      k.plan = ak::Conv2DPlan{t.path, lanes, t.mr, t.nr};
      k.name = "conv2d_f32_nchw_" + pathNames(t.path).kernelName.str() + "_" +
               std::to_string(t.mr) + "x" + std::to_string(t.nr * lanes) +
               "__" + isaName(t.isa).str();
      switch (t.path) {
      case ak::Conv2DPath::Depthwise:
        k.weightLayout = "goihw";
        break;
      case ak::Conv2DPath::ChannelVector:
        k.weightLayout = "gOihw" + std::to_string(t.nr * lanes) + "o";
        break;
      case ak::Conv2DPath::Winograd:
        // 36 transformed positions, each an Oi8o (Oi4o) GEMM operand.
        k.weightLayout = "w36Oi" + std::to_string(t.mr) + "o";
        break;
      default:
        k.weightLayout = "gOihw" + std::to_string(t.mr) + "o";
      }
      ks.push_back(std::move(k));
    }
    return ks;
  }();
  return kernels;
}

const std::vector<MatmulKernel> &matmulKernels() {
  static const std::vector<MatmulKernel> kernels = [] {
    std::vector<MatmulKernel> ks;
    for (const MatmulTile &t : kMatmulTiles) {
      int64_t lanes = isaLanes(t.isa);
      int64_t panel = t.nr * lanes;
      ks.push_back(MatmulKernel{
          "matmul_f32_" + std::to_string(t.mr) + "x" + std::to_string(panel) +
              "__" + isaName(t.isa).str(),
          t.isa, ak::MatmulPlan{lanes, t.mr, t.nr},
          "Ba" + std::to_string(panel) + "b"});
    }
    return ks;
  }();
  return kernels;
}

//===----------------------------------------------------------------------===//
// conv2d path rules (measured on ResNet-50 layers, AVX-512 and AVX2)
//===----------------------------------------------------------------------===//

/// Few output pixels (7x7 maps, 1x1 "fully connected" convs): vectors over
/// pixels would waste lanes (49 pixels fill 4 16-lane vectors), so this path
/// puts output channels in the vector lanes and broadcasts pixels.
bool prefersChannelVector(const ak::Conv2DShape &s, int64_t lanes) {
  int64_t pixels = s.oh * s.ow;
  return ak::conv2dOutPerGroup(s) >= 16 && pixels <= 128 &&
         pixels * 8 < ak::roundUpTo(pixels, lanes) * 7;
}

/// Stride-1 convs with wide output rows skip im2col: the extra "wide"
/// columns the implicit path computes cost less than im2col while they are
/// at most 1/14 of a row (3x3 on 28x28 maps is faster implicit, on 14x14 it
/// is not).
bool prefersImplicit(const ak::Conv2DShape &s) {
  return !ak::conv2dIsDirect1x1(s) && s.strideH == 1 && s.strideW == 1 &&
         s.r * s.s > 1 && (s.s - 1) * s.dilW * 14 <= s.ow;
}

/// 3x3 stride-1 convs as Winograd F(4x4, 3x3): 4x fewer multiplies, where
/// the 4x4 tiles fill at least one vector of the GEMMs (14x14 maps and
/// larger on AVX-512, 12x12 on AVX2) and channels are enough that the
/// transforms stay small beside the products. KernelBench, AVX-512, one
/// core: 3x3 64->64 56x56 1.11 -> 0.58 ms, 128->128 28x28 1.15 -> 0.65,
/// 256->256 14x14 1.18 -> 0.63.
bool prefersWinograd(const ak::Conv2DShape &s, int64_t lanes) {
  const ak::Conv2DPlan plan{ak::Conv2DPath::Winograd, lanes, 1, 1};
  return ak::conv2dPlanIsValid(s, plan) && s.c >= 32 && s.k >= 32 &&
         ak::conv2dWinogradTiles(s) >= lanes;
}

ak::Conv2DPath choosePath(const ak::Conv2DShape &s, int64_t lanes,
                          const KernelChoices &choices) {
  if (ak::conv2dInPerGroup(s) == 1)
    return ak::Conv2DPath::Depthwise;
  if (choices.winograd && prefersWinograd(s, lanes))
    return ak::Conv2DPath::Winograd;
  if (prefersChannelVector(s, lanes))
    return ak::Conv2DPath::ChannelVector;
  if (prefersImplicit(s))
    return ak::Conv2DPath::Implicit;
  return ak::Conv2DPath::Gemm;
}

} // namespace

llvm::Expected<ak::Conv2DShape>
anvil::codegen::conv2dShapeOf(ad::Conv2DOp op) {
  auto in = llvm::cast<mlir::RankedTensorType>(op.getInput().getType());
  auto w = llvm::cast<mlir::RankedTensorType>(op.getWeight().getType());
  auto res = llvm::cast<mlir::RankedTensorType>(op.getResult().getType());
  llvm::ArrayRef<int64_t> strides = op.getStrides(), pads = op.getPads(),
                          dil = op.getDilations();
  if (in.getRank() != 4 || w.getRank() != 4 || res.getRank() != 4 ||
      strides.size() != 2 || pads.size() != 4 || dil.size() != 2)
    return makeError("conv2d needs 4-D input, weight and result, 2 strides, 4 "
                     "pads and 2 dilations");
  return ak::Conv2DShape{.n = in.getDimSize(0),
                         .c = in.getDimSize(1),
                         .h = in.getDimSize(2),
                         .w = in.getDimSize(3),
                         .k = w.getDimSize(0),
                         .r = w.getDimSize(2),
                         .s = w.getDimSize(3),
                         .oh = res.getDimSize(2),
                         .ow = res.getDimSize(3),
                         .strideH = strides[0],
                         .strideW = strides[1],
                         .padT = pads[0],
                         .padL = pads[1],
                         .padB = pads[2],
                         .padR = pads[3],
                         .dilH = dil[0],
                         .dilW = dil[1],
                         .groups = int64_t(op.getGroups())};
}

llvm::Expected<ak::MatmulShape>
anvil::codegen::matmulShapeOf(ad::MatmulOp op) {
  auto a = llvm::cast<mlir::RankedTensorType>(op.getA().getType());
  auto b = llvm::cast<mlir::RankedTensorType>(op.getB().getType());
  auto res = llvm::cast<mlir::RankedTensorType>(op.getResult().getType());
  if (a.getRank() < 2 || b.getRank() < 2 || res.getRank() < 2)
    return makeError("matmul operands and result need rank >= 2");
  ak::MatmulShape s{};
  bool ta = op.getTransposeA(), tb = op.getTransposeB();
  llvm::ArrayRef<int64_t> as = a.getShape(), bs = b.getShape(),
                          rs = res.getShape();
  s.m = ta ? as[as.size() - 1] : as[as.size() - 2];
  s.k = ta ? as[as.size() - 2] : as[as.size() - 1];
  s.n = tb ? bs[bs.size() - 2] : bs[bs.size() - 1];
  s.transA = ta;
  s.transB = tb;
  s.alpha = op.getAlpha().convertToFloat();
  int64_t batchRank = res.getRank() - 2;
  if (batchRank > ak::kMaxBatchRank)
    return makeError("matmul has " + llvm::Twine(batchRank) +
                     " batch dims; the kernel supports at most " +
                     llvm::Twine(ak::kMaxBatchRank));
  s.batchRank = batchRank;
  auto batchStrides = [&](llvm::ArrayRef<int64_t> shape, int64_t *strides) {
    int64_t xr = int64_t(shape.size()) - 2;
    // Contiguous strides of the operand's batch dims.
    llvm::SmallVector<int64_t> contiguous(xr);
    int64_t st = shape[shape.size() - 1] * shape[shape.size() - 2];
    for (int64_t i = xr - 1; i >= 0; --i) {
      contiguous[i] = st;
      st *= shape[i];
    }
    for (int64_t d = 0; d < batchRank; ++d) {
      int64_t xd = d - (batchRank - xr);
      strides[d] = (xd < 0 || shape[xd] == 1) ? 0 : contiguous[xd];
    }
  };
  for (int64_t d = 0; d < batchRank; ++d)
    s.batch[d] = rs[d];
  batchStrides(as, s.aBatchStride);
  batchStrides(bs, s.bBatchStride);
  return s;
}

const Conv2DKernel &
anvil::codegen::selectConv2DKernel(const ak::Conv2DShape &s, Isa isa,
                                   const KernelChoices &choices) {
  ak::Conv2DPath path = choosePath(s, isaLanes(isa), choices);
  for (const Conv2DKernel &k : conv2dKernels())
    if (k.isa == isa && k.plan.path == path)
      return k;
  llvm_unreachable("every conv2d path has a kernel for every ISA");
}

const MatmulKernel &
anvil::codegen::selectMatmulKernel(const ak::MatmulShape &, Isa isa) {
  for (const MatmulKernel &k : matmulKernels())
    if (k.isa == isa)
      return k;
  llvm_unreachable("every ISA has a matmul kernel");
}

const Conv2DKernel *anvil::codegen::findConv2DKernel(llvm::StringRef name) {
  for (const Conv2DKernel &k : conv2dKernels())
    if (k.name == name)
      return &k;
  return nullptr;
}

const MatmulKernel *anvil::codegen::findMatmulKernel(llvm::StringRef name) {
  for (const MatmulKernel &k : matmulKernels())
    if (k.name == name)
      return &k;
  return nullptr;
}

llvm::StringRef anvil::codegen::conv2dPathEnumerator(ak::Conv2DPath path) {
  return pathNames(path).enumerator;
}

std::string anvil::codegen::simpleKernelName(llvm::StringRef family, Isa isa) {
  return family.str() + "_f32__" + isaName(isa).str();
}
