//===- HostTensor.cpp - constants evaluated by the importer -----*- C++ -*-===//

#include "compiler/onnx/HostTensor.h"
#include "dialects/anvil/IR/AnvilLimits.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace anvil::onnx_import;

int64_t anvil::onnx_import::numElements(llvm::ArrayRef<int64_t> shape) {
  // Shapes in the importer are representable (the loader and the importer
  // check every one they create); saturate rather than overflow regardless.
  std::optional<int64_t> n = mlir::anvil::checkedElementCount(shape);
  return n ? *n : std::numeric_limits<int64_t>::max();
}

bool anvil::onnx_import::isFloatType(int32_t dtype) {
  return dtype == onnx::TensorProto::FLOAT ||
         dtype == onnx::TensorProto::DOUBLE ||
         dtype == onnx::TensorProto::FLOAT16 ||
         dtype == onnx::TensorProto::BFLOAT16;
}

HostTensor HostTensor::zeros(int32_t dtype, llvm::ArrayRef<int64_t> shape) {
  HostTensor t;
  t.dtype = dtype;
  t.shape.assign(shape.begin(), shape.end());
  if (t.isFloat())
    t.f.assign(t.size(), 0.0f);
  else
    t.i.assign(t.size(), 0);
  return t;
}

namespace {

float halfToFloat(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0)
    v = std::ldexp(static_cast<float>(mant), -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = std::ldexp(static_cast<float>(mant | 0x400),
                   static_cast<int>(exp) - 25);
  return sign ? -v : v;
}

float bf16ToFloat(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

template <typename T> std::vector<T> rawAs(const std::string &raw) {
  std::vector<T> out(raw.size() / sizeof(T));
  if (!out.empty())
    std::memcpy(out.data(), raw.data(), out.size() * sizeof(T));
  return out;
}

int64_t wrapInt(int64_t v, int32_t dtype) {
  switch (dtype) {
  case onnx::TensorProto::INT8:
    return static_cast<int8_t>(v);
  case onnx::TensorProto::UINT8:
    return static_cast<uint8_t>(v);
  case onnx::TensorProto::INT16:
    return static_cast<int16_t>(v);
  case onnx::TensorProto::UINT16:
    return static_cast<uint16_t>(v);
  case onnx::TensorProto::INT32:
    return static_cast<int32_t>(v);
  case onnx::TensorProto::UINT32:
    return static_cast<uint32_t>(v);
  case onnx::TensorProto::BOOL:
    return v != 0;
  default:
    return v;
  }
}

} // namespace

std::optional<std::string>
anvil::onnx_import::readTensorProto(const onnx::TensorProto &t,
                                    HostTensor &out) {
  out = HostTensor();
  out.dtype = t.data_type();
  for (int64_t d : t.dims()) {
    if (d < 0)
      return "tensor '" + t.name() + "' has a negative dim";
    out.shape.push_back(d);
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return "tensor '" + t.name() + "' has unresolved external data";
  const std::string &raw = t.raw_data();
  bool hasRaw = t.has_raw_data();
  int64_t n = out.size();
  using TP = onnx::TensorProto;
  switch (out.dtype) {
  case TP::FLOAT:
    if (hasRaw)
      out.f = rawAs<float>(raw);
    else
      out.f.assign(t.float_data().begin(), t.float_data().end());
    break;
  case TP::DOUBLE:
    if (hasRaw) {
      for (double d : rawAs<double>(raw))
        out.f.push_back(static_cast<float>(d));
    } else {
      for (double d : t.double_data())
        out.f.push_back(static_cast<float>(d));
    }
    break;
  case TP::FLOAT16:
  case TP::BFLOAT16: {
    auto conv = out.dtype == TP::FLOAT16 ? halfToFloat : bf16ToFloat;
    if (hasRaw) {
      for (uint16_t h : rawAs<uint16_t>(raw))
        out.f.push_back(conv(h));
    } else {
      for (int32_t h : t.int32_data())
        out.f.push_back(conv(static_cast<uint16_t>(h)));
    }
    break;
  }
  case TP::INT64:
    if (hasRaw)
      out.i = rawAs<int64_t>(raw);
    else
      out.i.assign(t.int64_data().begin(), t.int64_data().end());
    break;
  case TP::UINT64:
    if (hasRaw) {
      for (uint64_t v : rawAs<uint64_t>(raw))
        out.i.push_back(static_cast<int64_t>(v));
    } else {
      for (uint64_t v : t.uint64_data())
        out.i.push_back(static_cast<int64_t>(v));
    }
    break;
  case TP::UINT32:
    if (hasRaw) {
      for (uint32_t v : rawAs<uint32_t>(raw))
        out.i.push_back(v);
    } else {
      for (uint64_t v : t.uint64_data())
        out.i.push_back(static_cast<int64_t>(v));
    }
    break;
  case TP::INT32:
  case TP::INT16:
  case TP::INT8:
  case TP::UINT16:
  case TP::UINT8:
  case TP::BOOL:
    if (hasRaw) {
      switch (out.dtype) {
      case TP::INT32:
        for (int32_t v : rawAs<int32_t>(raw))
          out.i.push_back(v);
        break;
      case TP::INT16:
        for (int16_t v : rawAs<int16_t>(raw))
          out.i.push_back(v);
        break;
      case TP::UINT16:
        for (uint16_t v : rawAs<uint16_t>(raw))
          out.i.push_back(v);
        break;
      case TP::INT8:
        for (int8_t v : rawAs<int8_t>(raw))
          out.i.push_back(v);
        break;
      default:
        for (uint8_t v : rawAs<uint8_t>(raw))
          out.i.push_back(out.dtype == TP::BOOL ? (v != 0) : v);
        break;
      }
    } else {
      for (int32_t v : t.int32_data())
        out.i.push_back(wrapInt(v, out.dtype));
    }
    break;
  default:
    return "tensor '" + t.name() + "' has unsupported element type " +
           std::to_string(out.dtype);
  }
  int64_t have = out.isFloat() ? static_cast<int64_t>(out.f.size())
                               : static_cast<int64_t>(out.i.size());
  if (have != n)
    return "tensor '" + t.name() + "' holds " + std::to_string(have) +
           " values, its shape needs " + std::to_string(n);
  return std::nullopt;
}

int64_t anvil::onnx_import::floatToInt(double x, int32_t dtype) {
  using TP = onnx::TensorProto;
  int64_t lo = std::numeric_limits<int64_t>::min(),
          hi = std::numeric_limits<int64_t>::max();
  switch (dtype) {
  case TP::INT8: lo = INT8_MIN, hi = INT8_MAX; break;
  case TP::UINT8: lo = 0, hi = UINT8_MAX; break;
  case TP::INT16: lo = INT16_MIN, hi = INT16_MAX; break;
  case TP::UINT16: lo = 0, hi = UINT16_MAX; break;
  case TP::INT32: lo = INT32_MIN, hi = INT32_MAX; break;
  case TP::UINT32: lo = 0, hi = UINT32_MAX; break;
  case TP::UINT64: lo = 0; break; // held as int64: up to INT64_MAX
  case TP::BOOL: return x != 0;
  default: break;
  }
  if (std::isnan(x))
    return 0;
  if (x <= static_cast<double>(lo))
    return lo;
  if (x >= static_cast<double>(hi)) // 2^63 for int64: exact as a double
    return hi;
  return static_cast<int64_t>(x);
}

HostTensor anvil::onnx_import::castTensor(const HostTensor &in, int32_t dtype) {
  HostTensor out;
  out.dtype = dtype;
  out.shape = in.shape;
  int64_t n = in.size();
  if (isFloatType(dtype)) {
    out.f.resize(n);
    for (int64_t k = 0; k < n; ++k)
      out.f[k] = static_cast<float>(in.get(k));
  } else {
    out.i.resize(n);
    for (int64_t k = 0; k < n; ++k) {
      int64_t v;
      if (in.isFloat()) {
        float x = in.f[k];
        v = dtype == onnx::TensorProto::BOOL ? (x != 0.0f)
                                             : floatToInt(x, dtype);
      } else {
        v = in.i[k];
      }
      out.i[k] = wrapInt(v, dtype);
    }
  }
  return out;
}

std::optional<Shape>
anvil::onnx_import::broadcastAll(llvm::ArrayRef<Shape> shapes) {
  size_t rank = 0;
  for (const Shape &s : shapes)
    rank = std::max(rank, s.size());
  Shape out(rank, 1);
  for (const Shape &s : shapes) {
    size_t off = rank - s.size();
    for (size_t d = 0; d < s.size(); ++d) {
      int64_t &o = out[off + d];
      if (s[d] == o || s[d] == 1)
        continue;
      if (o != 1)
        return std::nullopt;
      o = s[d];
    }
  }
  return out;
}

std::vector<int64_t>
anvil::onnx_import::broadcastOffsets(llvm::ArrayRef<int64_t> in,
                                     llvm::ArrayRef<int64_t> out) {
  size_t rank = out.size(), off = rank - in.size();
  // Element strides of `in`, aligned to `out`, 0 where broadcast.
  std::vector<int64_t> strides(rank, 0);
  int64_t s = 1;
  for (size_t d = in.size(); d-- > 0;) {
    strides[off + d] = in[d] == 1 ? 0 : s;
    s *= in[d];
  }
  int64_t n = numElements(out);
  std::vector<int64_t> result(n);
  std::vector<int64_t> idx(rank, 0);
  int64_t cur = 0;
  for (int64_t k = 0; k < n; ++k) {
    result[k] = cur;
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < out[d]) {
        cur += strides[d];
        break;
      }
      cur -= strides[d] * (out[d] - 1);
      idx[d] = 0;
    }
  }
  return result;
}

std::vector<int64_t> anvil::onnx_import::offsetsByIndex(
    llvm::ArrayRef<int64_t> out,
    llvm::function_ref<int64_t(llvm::ArrayRef<int64_t>)> sourceOffset) {
  int64_t n = numElements(out);
  std::vector<int64_t> index(n);
  Shape idx(out.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    index[k] = sourceOffset(idx);
    for (int64_t d = int64_t(out.size()) - 1; d >= 0; --d) {
      if (++idx[d] < out[d])
        break;
      idx[d] = 0;
    }
  }
  return index;
}

HostTensor anvil::onnx_import::gatherElements(const HostTensor &in,
                                              llvm::ArrayRef<int64_t> shape,
                                              llvm::ArrayRef<int64_t> index) {
  HostTensor out;
  out.dtype = in.dtype;
  out.shape.assign(shape.begin(), shape.end());
  if (in.isFloat()) {
    out.f.reserve(index.size());
    for (int64_t k : index)
      out.f.push_back(in.f[k]);
  } else {
    out.i.reserve(index.size());
    for (int64_t k : index)
      out.i.push_back(in.i[k]);
  }
  return out;
}

HostTensor anvil::onnx_import::transposeTensor(const HostTensor &in,
                                               llvm::ArrayRef<int64_t> perm) {
  size_t rank = in.shape.size();
  Shape outShape(rank);
  std::vector<int64_t> inStrides(rank, 1);
  for (size_t d = rank; d-- > 1;)
    inStrides[d - 1] = inStrides[d] * in.shape[d];
  Shape permStrides(rank);
  for (size_t d = 0; d < rank; ++d) {
    outShape[d] = in.shape[perm[d]];
    permStrides[d] = inStrides[perm[d]];
  }
  // Offsets of a tensor with the permuted strides, walked in output order.
  int64_t n = numElements(outShape);
  std::vector<int64_t> index(n);
  std::vector<int64_t> idx(rank, 0);
  int64_t cur = 0;
  for (int64_t k = 0; k < n; ++k) {
    index[k] = cur;
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < outShape[d]) {
        cur += permStrides[d];
        break;
      }
      cur -= permStrides[d] * (outShape[d] - 1);
      idx[d] = 0;
    }
  }
  return gatherElements(in, outShape, index);
}
