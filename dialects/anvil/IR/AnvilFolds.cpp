//===- AnvilFolds.cpp - anvil folders and canonicalizations -----*- C++ -*-===//
//
// Folders evaluate ops whose operands are all constants; canonicalizations
// rewrite ops into their simplest equivalent form. The evaluators here are
// the only implementation of constant evaluation: anvil-fold-constants and
// anvil-fold-batch-norm call them through AnvilFolds.h.
//
//===----------------------------------------------------------------------===//

#include "dialects/anvil/IR/AnvilFolds.h"
#include "dialects/anvil/IR/AnvilLimits.h"
#include "dialects/anvil/IR/AnvilOps.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::anvil;

//===----------------------------------------------------------------------===//
// Reading and writing constants
//===----------------------------------------------------------------------===//

namespace {

bool isBlobFloat(Type t) { return t.isF32() || t.isF64(); }

bool isSupportedFloat(Type t) {
  return t.isF16() || t.isBF16() || t.isF32() || t.isF64();
}

bool isSupportedInt(Type t) {
  auto it = dyn_cast<IntegerType>(t);
  if (!it)
    return false;
  unsigned w = it.getWidth();
  return w == 1 || w == 8 || w == 16 || w == 32 || w == 64;
}

/// i1 and unsigned integers are zero-extended, the rest sign-extended.
bool zeroExtends(IntegerType t) { return t.isUnsigned() || t.getWidth() == 1; }

/// Wraps `v` to the width of `t` and re-extends it to 64 bits.
int64_t wrapToType(uint64_t v, IntegerType t) {
  unsigned w = t.getWidth();
  if (w >= 64)
    return static_cast<int64_t>(v);
  uint64_t mask = (uint64_t(1) << w) - 1;
  v &= mask;
  if (!zeroExtends(t) && ((v >> (w - 1)) & 1))
    v |= ~mask;
  return static_cast<int64_t>(v);
}

template <typename T>
void readBlob(ArrayRef<char> data, int64_t count, std::vector<double> &out) {
  out.resize(count);
  for (int64_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, data.data() + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(v);
  }
}

template <typename T>
void readBlob(ArrayRef<char> data, int64_t count, std::vector<int64_t> &out) {
  out.resize(count);
  for (int64_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, data.data() + i * sizeof(T), sizeof(T));
    out[i] = static_cast<int64_t>(v);
  }
}

template <typename T, typename Src>
AsmResourceBlob makeBlob(const std::vector<Src> &values) {
  std::vector<T> narrowed(values.begin(), values.end());
  return HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<T>(narrowed));
}

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Strides of `src` seen through numpy broadcasting to `out` (0 where `src`
/// is broadcast or missing).
SmallVector<int64_t> broadcastStrides(ArrayRef<int64_t> src,
                                      ArrayRef<int64_t> out) {
  SmallVector<int64_t> srcStrides = stridesOf(src);
  SmallVector<int64_t> strides(out.size(), 0);
  size_t lead = out.size() - src.size();
  for (size_t i = 0; i < src.size(); ++i)
    strides[lead + i] = src[i] == 1 ? 0 : srcStrides[i];
  return strides;
}

/// Calls `fn(outIndex, srcIndex...)` for every element of `shape`, with the
/// source offsets computed from each set of strides.
template <size_t N, typename Fn>
void forEachIndex(ArrayRef<int64_t> shape,
                  const std::array<SmallVector<int64_t>, N> &strides, Fn fn) {
  int64_t total = 1;
  for (int64_t d : shape)
    total *= d;
  if (total == 0)
    return;
  size_t rank = shape.size();
  SmallVector<int64_t> idx(rank, 0);
  std::array<int64_t, N> offsets{};
  for (int64_t flat = 0; flat < total; ++flat) {
    fn(flat, offsets);
    for (int64_t d = static_cast<int64_t>(rank) - 1; d >= 0; --d) {
      ++idx[d];
      for (size_t k = 0; k < N; ++k)
        offsets[k] += strides[k][d];
      if (idx[d] < shape[d])
        break;
      for (size_t k = 0; k < N; ++k)
        offsets[k] -= strides[k][d] * shape[d];
      idx[d] = 0;
    }
  }
}

ConstantTensor emptyLike(RankedTensorType type, bool isFloat) {
  ConstantTensor t;
  t.type = type;
  t.isFloat = isFloat;
  if (isFloat)
    t.floats.assign(type.getNumElements(), 0.0);
  else
    t.ints.assign(type.getNumElements(), 0);
  return t;
}

/// out[i] = in[src[i]], or `fill` where src[i] < 0.
ConstantTensor gather(const ConstantTensor &in, RankedTensorType outType,
                      ArrayRef<int64_t> src, double fill = 0.0) {
  ConstantTensor out = emptyLike(outType, in.isFloat);
  for (size_t i = 0; i < src.size(); ++i) {
    if (in.isFloat)
      out.floats[i] = src[i] < 0 ? fill : in.floats[src[i]];
    else
      out.ints[i] = src[i] < 0 ? static_cast<int64_t>(fill) : in.ints[src[i]];
  }
  return out;
}

/// A constant seen with a new shape, sharing its data: dense attributes are
/// reshaped, resource blobs get a new type over the same handle (no copy).
ElementsAttr reshapeElements(Attribute attr, RankedTensorType type) {
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(attr))
    return dense.reshape(type);
  if (auto resource = dyn_cast_or_null<DenseResourceElementsAttr>(attr))
    return DenseResourceElementsAttr::get(type, resource.getRawHandle());
  return {};
}

} // namespace

FailureOr<ConstantTensor> mlir::anvil::readConstant(Attribute attr) {
  auto elements = dyn_cast_or_null<ElementsAttr>(attr);
  if (!elements)
    return failure();
  auto type = dyn_cast<RankedTensorType>(elements.getType());
  if (!type || !type.hasStaticShape())
    return failure();
  Type elt = type.getElementType();
  ConstantTensor t;
  t.type = type;
  t.isFloat = isa<FloatType>(elt);
  if (t.isFloat ? !isSupportedFloat(elt) : !isSupportedInt(elt))
    return failure();
  int64_t count = type.getNumElements();

  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (t.isFloat) {
      if (elt.isF32()) {
        auto values = dense.getValues<float>();
        t.floats.assign(values.begin(), values.end());
      } else {
        t.floats.reserve(count);
        for (APFloat v : dense.getValues<APFloat>()) {
          bool lost;
          v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
          t.floats.push_back(v.convertToDouble());
        }
      }
    } else {
      auto it = cast<IntegerType>(elt);
      t.ints.reserve(count);
      for (const APInt &v : dense.getValues<APInt>())
        t.ints.push_back(zeroExtends(it)
                             ? static_cast<int64_t>(v.getZExtValue())
                             : v.getSExtValue());
    }
    return t;
  }

  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource || !resource.getRawHandle().getBlob())
    return failure();
  ArrayRef<char> data = resource.getRawHandle().getBlob()->getData();
  if (t.isFloat) {
    if (!isBlobFloat(elt) ||
        static_cast<int64_t>(data.size()) !=
            count * static_cast<int64_t>(elt.getIntOrFloatBitWidth() / 8))
      return failure();
    if (elt.isF32())
      readBlob<float>(data, count, t.floats);
    else
      readBlob<double>(data, count, t.floats);
    return t;
  }
  auto it = cast<IntegerType>(elt);
  unsigned width = it.getWidth();
  int64_t bytes = width == 1 ? 1 : width / 8;
  if (static_cast<int64_t>(data.size()) != count * bytes)
    return failure();
  bool zext = zeroExtends(it);
  switch (width) {
  case 1:
  case 8:
    zext ? readBlob<uint8_t>(data, count, t.ints)
         : readBlob<int8_t>(data, count, t.ints);
    break;
  case 16:
    zext ? readBlob<uint16_t>(data, count, t.ints)
         : readBlob<int16_t>(data, count, t.ints);
    break;
  case 32:
    zext ? readBlob<uint32_t>(data, count, t.ints)
         : readBlob<int32_t>(data, count, t.ints);
    break;
  default:
    readBlob<int64_t>(data, count, t.ints);
    break;
  }
  return t;
}

FailureOr<std::vector<float>> mlir::anvil::readF32Constant(Attribute attr) {
  FailureOr<ConstantTensor> t = readConstant(attr);
  if (failed(t) || !t->type.getElementType().isF32())
    return failure();
  return std::vector<float>(t->floats.begin(), t->floats.end());
}

ElementsAttr mlir::anvil::makeConstant(const ConstantTensor &value,
                                       StringRef blobName, bool forceBlob) {
  RankedTensorType type = value.type;
  Type elt = type.getElementType();
  bool blob = forceBlob || type.getNumElements() > kMaxInlineElements;

  if (value.isFloat) {
    if (blob && isBlobFloat(elt)) {
      AsmResourceBlob data = elt.isF32() ? makeBlob<float>(value.floats)
                                         : makeBlob<double>(value.floats);
      return DenseResourceElementsAttr::get(type, blobName, std::move(data));
    }
    if (elt.isF32()) {
      std::vector<float> narrowed(value.floats.begin(), value.floats.end());
      return DenseElementsAttr::get(type, ArrayRef<float>(narrowed));
    }
    const llvm::fltSemantics &sem = cast<FloatType>(elt).getFloatSemantics();
    SmallVector<APFloat> values;
    values.reserve(value.floats.size());
    for (double d : value.floats) {
      APFloat v(d);
      bool lost;
      v.convert(sem, APFloat::rmNearestTiesToEven, &lost);
      values.push_back(v);
    }
    return DenseElementsAttr::get(type, values);
  }

  auto it = cast<IntegerType>(elt);
  unsigned width = it.getWidth();
  if (blob && width != 1) {
    AsmResourceBlob data;
    switch (width) {
    case 8:
      data = makeBlob<int8_t>(value.ints);
      break;
    case 16:
      data = makeBlob<int16_t>(value.ints);
      break;
    case 32:
      data = makeBlob<int32_t>(value.ints);
      break;
    default:
      data = makeBlob<int64_t>(value.ints);
      break;
    }
    return DenseResourceElementsAttr::get(type, blobName, std::move(data));
  }
  SmallVector<APInt> values;
  values.reserve(value.ints.size());
  for (int64_t v : value.ints)
    values.push_back(APInt(width, static_cast<uint64_t>(v), !zeroExtends(it),
                           /*implicitTrunc=*/true));
  return DenseElementsAttr::get(type, values);
}

ElementsAttr mlir::anvil::makeF32Constant(RankedTensorType type,
                                          ArrayRef<float> data,
                                          StringRef blobName, bool forceBlob) {
  ConstantTensor t;
  t.type = type;
  t.isFloat = true;
  t.floats.assign(data.begin(), data.end());
  return makeConstant(t, blobName, forceBlob);
}

//===----------------------------------------------------------------------===//
// Evaluators
//===----------------------------------------------------------------------===//

namespace {

using Result = FailureOr<ConstantTensor>;

double applyUnary(UnaryKind kind, double x, double alpha, double beta) {
  switch (kind) {
  case UnaryKind::relu:
    return x > 0 ? x : 0.0;
  case UnaryKind::clip:
    return std::min(std::max(x, alpha), beta);
  case UnaryKind::sigmoid:
    return 1.0 / (1.0 + std::exp(-x));
  case UnaryKind::tanh:
    return std::tanh(x);
  case UnaryKind::leaky_relu:
    return x < 0 ? alpha * x : x;
  case UnaryKind::hard_sigmoid:
    return std::max(0.0, std::min(1.0, alpha * x + beta));
  case UnaryKind::hard_swish:
    return x * std::max(0.0, std::min(1.0, x / 6.0 + 0.5));
  case UnaryKind::exp:
    return std::exp(x);
  case UnaryKind::log:
    return std::log(x);
  case UnaryKind::sqrt:
    return std::sqrt(x);
  case UnaryKind::erf:
    return std::erf(x);
  case UnaryKind::neg:
    return -x;
  case UnaryKind::abs:
    return std::fabs(x);
  case UnaryKind::identity:
    return x;
  case UnaryKind::silu:
    return x / (1.0 + std::exp(-x));
  case UnaryKind::gelu_erf:
    return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  }
  return x;
}

Result evalUnary(UnaryKind kind, double alpha, double beta,
                 const ConstantTensor &in) {
  ConstantTensor out = in;
  if (in.isFloat) {
    for (double &v : out.floats)
      v = applyUnary(kind, v, alpha, beta);
    return out;
  }
  auto it = cast<IntegerType>(in.type.getElementType());
  for (int64_t &v : out.ints) {
    switch (kind) {
    case UnaryKind::relu:
      v = v > 0 ? v : 0;
      break;
    case UnaryKind::neg:
      v = wrapToType(0 - static_cast<uint64_t>(v), it);
      break;
    case UnaryKind::abs:
      v = v < 0 ? wrapToType(0 - static_cast<uint64_t>(v), it) : v;
      break;
    case UnaryKind::clip: {
      double d = std::min(std::max(static_cast<double>(v), alpha), beta);
      v = static_cast<int64_t>(d);
      break;
    }
    case UnaryKind::identity:
      break;
    default:
      return failure();
    }
  }
  return out;
}

Result evalBinary(BinaryKind kind, const ConstantTensor &lhs,
                  const ConstantTensor &rhs, RankedTensorType outType) {
  if (lhs.isFloat != rhs.isFloat)
    return failure();
  ConstantTensor out = emptyLike(outType, lhs.isFloat);
  std::array<SmallVector<int64_t>, 2> strides = {
      broadcastStrides(lhs.shape(), outType.getShape()),
      broadcastStrides(rhs.shape(), outType.getShape())};
  bool ok = true;
  if (lhs.isFloat) {
    forEachIndex<2>(outType.getShape(), strides,
                    [&](int64_t i, const std::array<int64_t, 2> &src) {
                      double a = lhs.floats[src[0]], b = rhs.floats[src[1]];
                      double r = 0;
                      switch (kind) {
                      case BinaryKind::add:
                        r = a + b;
                        break;
                      case BinaryKind::sub:
                        r = a - b;
                        break;
                      case BinaryKind::mul:
                        r = a * b;
                        break;
                      case BinaryKind::div:
                        r = a / b;
                        break;
                      case BinaryKind::max:
                        r = std::max(a, b);
                        break;
                      case BinaryKind::min:
                        r = std::min(a, b);
                        break;
                      case BinaryKind::pow:
                        r = std::pow(a, b);
                        break;
                      }
                      out.floats[i] = r;
                    });
    return out;
  }
  auto it = cast<IntegerType>(outType.getElementType());
  bool isUnsigned = zeroExtends(it);
  forEachIndex<2>(
      outType.getShape(), strides,
      [&](int64_t i, const std::array<int64_t, 2> &src) {
        int64_t a = lhs.ints[src[0]], b = rhs.ints[src[1]];
        uint64_t ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
        uint64_t r = 0;
        switch (kind) {
        case BinaryKind::add:
          r = ua + ub;
          break;
        case BinaryKind::sub:
          r = ua - ub;
          break;
        case BinaryKind::mul:
          r = ua * ub;
          break;
        case BinaryKind::div:
          if (b == 0 || (!isUnsigned && b == -1 &&
                         a == std::numeric_limits<int64_t>::min())) {
            ok = false;
            return;
          }
          r = isUnsigned ? ua / ub : static_cast<uint64_t>(a / b);
          break;
        case BinaryKind::max:
          r = isUnsigned ? std::max(ua, ub)
                         : static_cast<uint64_t>(std::max(a, b));
          break;
        case BinaryKind::min:
          r = isUnsigned ? std::min(ua, ub)
                         : static_cast<uint64_t>(std::min(a, b));
          break;
        case BinaryKind::pow: {
          if (!isUnsigned && b < 0) {
            ok = false;
            return;
          }
          uint64_t base = ua, acc = 1;
          for (uint64_t e = ub; e; e >>= 1, base *= base)
            if (e & 1)
              acc *= base;
          r = acc;
          break;
        }
        }
        out.ints[i] = wrapToType(r, it);
      });
  if (!ok)
    return failure();
  return out;
}

Result evalTranspose(const ConstantTensor &in, ArrayRef<int64_t> perm,
                     RankedTensorType outType) {
  SmallVector<int64_t> inStrides = stridesOf(in.shape());
  std::array<SmallVector<int64_t>, 1> strides;
  for (int64_t p : perm)
    strides[0].push_back(inStrides[p]);
  SmallVector<int64_t> src(outType.getNumElements());
  forEachIndex<1>(
      outType.getShape(), strides,
      [&](int64_t i, const std::array<int64_t, 1> &s) { src[i] = s[0]; });
  return gather(in, outType, src);
}

Result evalConcat(ArrayRef<ConstantTensor> ins, int64_t axis,
                  RankedTensorType outType) {
  bool isFloat = ins.front().isFloat;
  ConstantTensor out = emptyLike(outType, isFloat);
  ArrayRef<int64_t> shape = outType.getShape();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < static_cast<int64_t>(shape.size()); ++d)
    inner *= shape[d];
  int64_t outRow = shape[axis] * inner, column = 0;
  for (const ConstantTensor &in : ins) {
    if (in.isFloat != isFloat)
      return failure();
    int64_t row = in.shape()[axis] * inner;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < row; ++j) {
        if (isFloat)
          out.floats[o * outRow + column + j] = in.floats[o * row + j];
        else
          out.ints[o * outRow + column + j] = in.ints[o * row + j];
      }
    column += row;
  }
  return out;
}

Result evalPad(const ConstantTensor &in, ArrayRef<int64_t> pads, PadMode mode,
               double value, RankedTensorType outType) {
  ArrayRef<int64_t> inShape = in.shape(), outShape = outType.getShape();
  int64_t rank = inShape.size();
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  SmallVector<int64_t> src(outType.getNumElements());
  SmallVector<int64_t> idx(rank, 0);
  for (int64_t flat = 0, e = src.size(); flat < e; ++flat) {
    int64_t offset = 0;
    bool outside = false;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t i = idx[d] - pads[d], n = inShape[d];
      if (i < 0 || i >= n) {
        switch (mode) {
        case PadMode::constant:
          outside = true;
          break;
        case PadMode::reflect:
          if (n == 1)
            i = 0;
          else
            while (i < 0 || i >= n)
              i = i < 0 ? -i : 2 * (n - 1) - i;
          break;
        case PadMode::edge:
          i = std::clamp<int64_t>(i, 0, n - 1);
          break;
        }
      }
      offset += i * inStrides[d];
    }
    src[flat] = outside ? -1 : offset;
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < outShape[d])
        break;
      idx[d] = 0;
    }
  }
  return gather(in, outType, src, value);
}

Result evalBatchNorm(const ConstantTensor &in, const ConstantTensor &scale,
                     const ConstantTensor &bias, const ConstantTensor &mean,
                     const ConstantTensor &var, double epsilon) {
  if (!in.isFloat)
    return failure();
  ConstantTensor out = in;
  ArrayRef<int64_t> shape = in.shape();
  int64_t channels = shape[1], inner = 1;
  for (size_t d = 2; d < shape.size(); ++d)
    inner *= shape[d];
  for (int64_t i = 0, e = in.size(); i < e; ++i) {
    int64_t c = (i / inner) % channels;
    double s = scale.floats[c] / std::sqrt(var.floats[c] + epsilon);
    out.floats[i] = (in.floats[i] - mean.floats[c]) * s + bias.floats[c];
  }
  return out;
}

Result evalSoftmax(const ConstantTensor &in, int64_t axis) {
  if (!in.isFloat)
    return failure();
  ConstantTensor out = in;
  ArrayRef<int64_t> shape = in.shape();
  int64_t outer = 1, len = shape[axis], inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < static_cast<int64_t>(shape.size()); ++d)
    inner *= shape[d];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      auto at = [&](int64_t a) -> double & {
        return out.floats[(o * len + a) * inner + j];
      };
      double mx = -INFINITY, sum = 0;
      for (int64_t a = 0; a < len; ++a)
        mx = std::max(mx, at(a));
      for (int64_t a = 0; a < len; ++a)
        sum += (at(a) = std::exp(at(a) - mx));
      for (int64_t a = 0; a < len; ++a)
        at(a) /= sum;
    }
  return out;
}

Result evalConv2D(Conv2DOp op, const ConstantTensor &in,
                  const ConstantTensor &w, const ConstantTensor *bias,
                  int64_t maxWork) {
  if (!in.isFloat || !w.isFloat)
    return failure();
  auto outType = cast<RankedTensorType>(op.getType());
  ArrayRef<int64_t> is = in.shape(), ws = w.shape(), os = outType.getShape();
  int64_t n = is[0], c = is[1], h = is[2], wd = is[3];
  int64_t k = ws[0], cg = ws[1], r = ws[2], s = ws[3];
  int64_t oh = os[2], ow = os[3], groups = op.getGroups();
  ArrayRef<int64_t> strides = op.getStrides(), pads = op.getPads(),
                    dil = op.getDilations();
  if (static_cast<double>(outType.getNumElements()) * cg * r * s >
      static_cast<double>(maxWork))
    return failure();
  ConstantTensor out = emptyLike(outType, true);
  int64_t kPerGroup = k / groups;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ko = 0; ko < k; ++ko) {
      int64_t g = ko / kPerGroup;
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x) {
          double acc = bias ? bias->floats[ko] : 0.0;
          for (int64_t ci = 0; ci < cg; ++ci) {
            int64_t ic = g * cg + ci;
            for (int64_t ry = 0; ry < r; ++ry) {
              int64_t iy = y * strides[0] - pads[0] + ry * dil[0];
              if (iy < 0 || iy >= h)
                continue;
              for (int64_t sx = 0; sx < s; ++sx) {
                int64_t ix = x * strides[1] - pads[1] + sx * dil[1];
                if (ix < 0 || ix >= wd)
                  continue;
                acc += in.floats[((b * c + ic) * h + iy) * wd + ix] *
                       w.floats[((ko * cg + ci) * r + ry) * s + sx];
              }
            }
          }
          out.floats[((b * k + ko) * oh + y) * ow + x] = acc;
        }
    }
  return out;
}

Result evalMatmul(MatmulOp op, const ConstantTensor &a, const ConstantTensor &b,
                  const ConstantTensor *bias, int64_t maxWork) {
  if (!a.isFloat || !b.isFloat)
    return failure();
  auto outType = cast<RankedTensorType>(op.getType());
  ArrayRef<int64_t> as = a.shape(), bs = b.shape(), os = outType.getShape();
  bool ta = op.getTransposeA(), tb = op.getTransposeB();
  int64_t m = os[os.size() - 2], n = os.back();
  int64_t kdim = ta ? as[as.size() - 2] : as.back();
  if (static_cast<double>(outType.getNumElements()) * kdim >
      static_cast<double>(maxWork))
    return failure();
  ArrayRef<int64_t> outBatch = os.drop_back(2);
  // Batch offsets in matrices, via broadcasting strides over batch dims.
  std::array<SmallVector<int64_t>, 2> strides = {
      broadcastStrides(as.drop_back(2), outBatch),
      broadcastStrides(bs.drop_back(2), outBatch)};
  int64_t aRows = as[as.size() - 2], aCols = as.back();
  int64_t bRows = bs[bs.size() - 2], bCols = bs.back();
  double alpha = op.getAlpha().convertToDouble();
  ConstantTensor out = emptyLike(outType, true);
  forEachIndex<2>(
      outBatch, strides, [&](int64_t batch, const std::array<int64_t, 2> &src) {
        const double *pa = a.floats.data() + src[0] * aRows * aCols;
        const double *pb = b.floats.data() + src[1] * bRows * bCols;
        double *po = out.floats.data() + batch * m * n;
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            double acc = 0;
            for (int64_t p = 0; p < kdim; ++p)
              acc += (ta ? pa[p * aCols + i] : pa[i * aCols + p]) *
                     (tb ? pb[j * bCols + p] : pb[p * bCols + j]);
            po[i * n + j] = alpha * acc + (bias ? bias->floats[j] : 0.0);
          }
      });
  return out;
}

/// Max or average pooling over the spatial dims of an NCHW tensor.
Result evalPool(const ConstantTensor &in, RankedTensorType outType,
                ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> pads, ArrayRef<int64_t> dil, bool isMax,
                bool countIncludePad, int64_t maxWork) {
  if (!in.isFloat)
    return failure();
  if (static_cast<double>(outType.getNumElements()) * kernel[0] * kernel[1] >
      static_cast<double>(maxWork))
    return failure();
  ArrayRef<int64_t> is = in.shape(), os = outType.getShape();
  int64_t h = is[2], w = is[3], oh = os[2], ow = os[3];
  ConstantTensor out = emptyLike(outType, true);
  for (int64_t nc = 0; nc < is[0] * is[1]; ++nc)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t y0 = y * strides[0] - pads[0], x0 = x * strides[1] - pads[1];
        double acc = isMax ? -INFINITY : 0.0;
        int64_t count = 0;
        for (int64_t ky = 0; ky < kernel[0]; ++ky) {
          int64_t iy = y0 + ky * dil[0];
          if (iy < 0 || iy >= h)
            continue;
          for (int64_t kx = 0; kx < kernel[1]; ++kx) {
            int64_t ix = x0 + kx * dil[1];
            if (ix < 0 || ix >= w)
              continue;
            double v = in.floats[(nc * h + iy) * w + ix];
            acc = isMax ? std::max(acc, v) : acc + v;
            ++count;
          }
        }
        if (!isMax) {
          if (countIncludePad) {
            // The window clipped to the padded input.
            int64_t y1 = std::min(y0 + kernel[0], h + pads[2]);
            int64_t x1 = std::min(x0 + kernel[1], w + pads[3]);
            count = (y1 - y0) * (x1 - x0);
          }
          acc = count ? acc / count : 0.0;
        }
        out.floats[(nc * oh + y) * ow + x] = acc;
      }
  return out;
}

Result evalGlobalPool(const ConstantTensor &in, RankedTensorType outType,
                      bool isMax) {
  if (!in.isFloat)
    return failure();
  ArrayRef<int64_t> is = in.shape();
  int64_t nc = is[0] * is[1], spatial = in.size() / std::max<int64_t>(nc, 1);
  ConstantTensor out = emptyLike(outType, true);
  for (int64_t i = 0; i < nc; ++i) {
    double acc = isMax ? -INFINITY : 0.0;
    for (int64_t j = 0; j < spatial; ++j) {
      double v = in.floats[i * spatial + j];
      acc = isMax ? std::max(acc, v) : acc + v;
    }
    out.floats[i] = isMax ? acc : acc / spatial;
  }
  return out;
}

} // namespace

ElementsAttr mlir::anvil::evaluateConstantOp(Operation *op,
                                             ArrayRef<Attribute> operands,
                                             int64_t maxWork) {
  if (op->getNumResults() != 1)
    return {};
  auto outType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!outType || !outType.hasStaticShape())
    return {};
  if (isa<ReshapeOp, FlattenOp>(op) && operands.size() == 1)
    return reshapeElements(operands[0], outType);
  SmallVector<ConstantTensor> in;
  for (Attribute attr : operands) {
    FailureOr<ConstantTensor> t = readConstant(attr);
    if (failed(t))
      return {};
    in.push_back(std::move(*t));
  }
  if (in.size() != op->getNumOperands())
    return {};
  int64_t largestOperand = 0;
  for (const ConstantTensor &t : in)
    largestOperand = std::max(largestOperand, t.size());
  if (!foldFitsBudget(outType.getNumElements(), largestOperand))
    return {}; // stays a runtime op

  Result result =
      llvm::TypeSwitch<Operation *, Result>(op)
          .Case([&](UnaryOp u) {
            return evalUnary(u.getKind(), u.getAlpha().convertToDouble(),
                             u.getBeta().convertToDouble(), in[0]);
          })
          .Case([&](BinaryOp b) {
            return evalBinary(b.getKind(), in[0], in[1], outType);
          })
          .Case([&](TransposeOp t) {
            return evalTranspose(in[0], t.getPerm(), outType);
          })
          .Case(
              [&](ConcatOp c) { return evalConcat(in, c.getAxis(), outType); })
          .Case([&](PadOp p) {
            return evalPad(in[0], p.getPads(), p.getMode(),
                           p.getValue().convertToDouble(), outType);
          })
          .Case([&](BatchNormOp b) {
            return evalBatchNorm(in[0], in[1], in[2], in[3], in[4],
                                 b.getEpsilon().convertToDouble());
          })
          .Case([&](SoftmaxOp s) { return evalSoftmax(in[0], s.getAxis()); })
          // With post-ops (fused after folding) they stay runtime ops.
          .Case([&](Conv2DOp c) -> Result {
            if (!c.getPostOps().empty())
              return failure();
            return evalConv2D(c, in[0], in[1], c.getBias() ? &in[2] : nullptr,
                              maxWork);
          })
          .Case([&](MatmulOp m) -> Result {
            if (!m.getPostOps().empty())
              return failure();
            return evalMatmul(m, in[0], in[1], m.getBias() ? &in[2] : nullptr,
                              maxWork);
          })
          .Case([&](MaxPoolOp p) {
            return evalPool(in[0], outType, p.getKernelShape(), p.getStrides(),
                            p.getPads(), p.getDilations(), /*isMax=*/true,
                            false, maxWork);
          })
          .Case([&](AvgPoolOp p) {
            return evalPool(in[0], outType, p.getKernelShape(), p.getStrides(),
                            p.getPads(), {1, 1}, /*isMax=*/false,
                            p.getCountIncludePad(), maxWork);
          })
          .Case([&](GlobalAvgPoolOp) {
            return evalGlobalPool(in[0], outType, /*isMax=*/false);
          })
          .Case([&](GlobalMaxPoolOp) {
            return evalGlobalPool(in[0], outType, /*isMax=*/true);
          })
          .Default([](Operation *) -> Result { return failure(); });
  if (failed(result))
    return {};
  result->type = outType;
  return makeConstant(*result, "folded");
}

//===----------------------------------------------------------------------===//
// Folders
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult UnaryOp::fold(FoldAdaptor adaptor) {
  if (getKind() == UnaryKind::identity)
    return getInput();
  if (!adaptor.getInput())
    return {};
  return evaluateConstantOp(*this, {adaptor.getInput()});
}

OpFoldResult BinaryOp::fold(FoldAdaptor adaptor) {
  if (adaptor.getLhs() && adaptor.getRhs())
    return evaluateConstantOp(*this, {adaptor.getLhs(), adaptor.getRhs()});
  // pow(x, 2) -> x * x, in place (LayerNorm's variance as exported): one
  // rounding either way (x * x is the correctly rounded square), and a
  // multiply the kernels vectorize instead of a scalar pow per element.
  auto two = dyn_cast_or_null<SplatElementsAttr>(adaptor.getRhs());
  if (getKind() == BinaryKind::pow && two && getLhs().getType() == getType() &&
      isa<FloatType>(two.getElementType()) &&
      two.getSplatValue<APFloat>().isExactlyValue(2.0)) {
    setKind(BinaryKind::mul);
    getRhsMutable().assign(getLhs());
    return getResult();
  }
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (ElementsAttr folded = reshapeElements(adaptor.getInput(), getType()))
    return folded;
  // reshape(reshape(x)) and reshape(flatten(x)) -> reshape(x).
  if (Operation *def = getInput().getDefiningOp();
      def && isa<ReshapeOp, FlattenOp>(def)) {
    getInputMutable().assign(def->getOperand(0));
    return getResult();
  }
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::all_of(llvm::enumerate(perm), [](auto it) {
        return static_cast<int64_t>(it.index()) == it.value();
      }))
    return getInput();
  if (adaptor.getInput())
    return evaluateConstantOp(*this, {adaptor.getInput()});
  // transpose(transpose(x, p), q) -> transpose(x, p o q).
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> innerPerm = inner.getPerm();
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(innerPerm[p]);
    getInputMutable().assign(inner.getInput());
    setPerm(composed);
    return getResult();
  }
  return {};
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  if (llvm::any_of(adaptor.getInputs(), [](Attribute a) { return !a; }))
    return {};
  return evaluateConstantOp(*this, adaptor.getInputs());
}

namespace {
/// flatten is a reshape to [outer, inner]; one op kind keeps later passes
/// and the code generator simpler.
struct FlattenToReshape : OpRewritePattern<FlattenOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FlattenOp op,
                                PatternRewriter &rewriter) const override {
    auto reshape =
        ReshapeOp::create(rewriter, op.getLoc(), op.getType(), op.getInput());
    rewriter.replaceOp(op, reshape.getResult());
    return success();
  }
};
} // namespace

void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<FlattenToReshape>(context);
}
