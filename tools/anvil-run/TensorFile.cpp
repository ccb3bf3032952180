//===- TensorFile.cpp - read and write .npy / ONNX TensorProto files ------===//
//
// The .npy format: "\x93NUMPY", a major and minor version byte, a header
// length (uint16 for version 1, uint32 for versions 2 and 3), then a Python
// dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded
// with spaces and a newline, then the raw data.
//
//===----------------------------------------------------------------------===//

#include "tools/anvil-run/TensorFile.h"

#include "onnx/onnx_pb.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <sys/stat.h>

namespace anvil::run {
namespace {

constexpr char kNpyMagic[] = "\x93NUMPY";
constexpr size_t kNpyMagicLen = 6;

bool hostIsLittleEndian() {
  const uint16_t probe = 1;
  unsigned char first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

/// Reads `count` little-endian float32 values from `src` into `dst` (the byte
/// order of .npy `<f4` and TensorProto raw_data), swapping on big-endian hosts.
void readLittleEndianFloats(const char *src, uint64_t count,
                            std::vector<float> &dst) {
  dst.resize(count);
  if (count)
    std::memcpy(dst.data(), src, count * 4);
  if (!hostIsLittleEndian()) {
    for (float &f : dst) {
      uint32_t u;
      std::memcpy(&u, &f, 4);
      u = __builtin_bswap32(u);
      std::memcpy(&f, &u, 4);
    }
  }
}

/// Multiplies the dims, failing on negative dims or overflow past `limit`.
bool elementCount(const std::vector<int64_t> &shape, uint64_t limit,
                  uint64_t &count) {
  count = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return false;
    if (d != 0 && count > limit / static_cast<uint64_t>(d))
      return false;
    count *= static_cast<uint64_t>(d);
  }
  return true;
}

/// A tiny reader for the Python literal subset that .npy headers use.
class NpyHeaderParser {
public:
  explicit NpyHeaderParser(const std::string &text) : text(text) {}

  bool parse(std::string &descr, bool &fortranOrder,
             std::vector<int64_t> &shape, std::string &error) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return fail("header is not a dict literal", error);
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return fail("malformed key in header", error);
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after key '" + key + "' in header", error);
      skipSpace();
      if (key == "descr") {
        if (!parseString(descr))
          return fail("'descr' is not a string (structured dtypes are not "
                      "supported)",
                      error);
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (consumeWord("True"))
          fortranOrder = true;
        else if (consumeWord("False"))
          fortranOrder = false;
        else
          return fail("'fortran_order' is not True or False", error);
        haveOrder = true;
      } else if (key == "shape") {
        if (!parseShape(shape))
          return fail("'shape' is not a tuple of non-negative integers", error);
        haveShape = true;
      } else {
        return fail("unexpected key '" + key + "' in header", error);
      }
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume('}'))
        break;
      return fail("expected ',' or '}' in header", error);
    }
    if (!haveDescr || !haveOrder || !haveShape)
      return fail("header lacks one of 'descr', 'fortran_order', 'shape'",
                  error);
    return true;
  }

private:
  bool fail(const std::string &message, std::string &error) {
    error = "malformed .npy file: " + message;
    return false;
  }
  void skipSpace() {
    while (pos < text.size() &&
           std::isspace(static_cast<unsigned char>(text[pos])))
      ++pos;
  }
  bool consume(char c) {
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool consumeWord(const char *word) {
    size_t n = std::strlen(word);
    if (text.compare(pos, n, word) != 0)
      return false;
    pos += n;
    return true;
  }
  bool parseString(std::string &out) {
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return false;
    char quote = text[pos++];
    size_t end = text.find(quote, pos);
    if (end == std::string::npos)
      return false;
    out = text.substr(pos, end - pos);
    pos = end + 1;
    return true;
  }
  bool parseShape(std::vector<int64_t> &shape) {
    shape.clear();
    if (!consume('('))
      return false;
    while (true) {
      skipSpace();
      if (consume(')'))
        return true;
      if (pos >= text.size() ||
          !std::isdigit(static_cast<unsigned char>(text[pos])))
        return false;
      int64_t value = 0;
      while (pos < text.size() &&
             std::isdigit(static_cast<unsigned char>(text[pos]))) {
        int digit = text[pos++] - '0';
        if (value > (std::numeric_limits<int64_t>::max() - digit) / 10)
          return false;
        value = value * 10 + digit;
      }
      // Python 2 era writers may append 'L' to long integers.
      consume('L');
      shape.push_back(value);
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume(')'))
        return true;
      return false;
    }
  }

  const std::string &text;
  size_t pos = 0;
};

bool readWholeFile(const std::string &path, std::string &bytes,
                   std::string &error) {
  // Devices (/dev/zero), FIFOs and directories never end or never start:
  // only regular files are tensors.
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    error = std::string("cannot open file: ") + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = S_ISDIR(st.st_mode) ? "is a directory, not a tensor file"
                                : "is not a regular file (a device, FIFO or "
                                  "socket), not a tensor file";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::string("cannot open file: ") + std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    error = "cannot read file";
    return false;
  }
  bytes = ss.str();
  return true;
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

std::string formatShape(const int64_t *dims, size_t rank) {
  std::string s = "[";
  for (size_t i = 0; i < rank; ++i) {
    if (i)
      s += ", ";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

bool parseNpy(const std::string &bytes, HostTensor &out, std::string &error) {
  if (bytes.size() < kNpyMagicLen ||
      std::memcmp(bytes.data(), kNpyMagic, kNpyMagicLen) != 0) {
    error = "not a .npy file (missing \\x93NUMPY magic)";
    return false;
  }
  if (bytes.size() < kNpyMagicLen + 4) { // the magic, then a cut-off header
    error = "malformed .npy file: truncated header (" +
            std::to_string(bytes.size()) + " bytes)";
    return false;
  }
  auto byteAt = [&](size_t i) {
    return static_cast<uint32_t>(static_cast<unsigned char>(bytes[i]));
  };
  uint32_t major = byteAt(6);
  size_t headerStart, headerLen;
  if (major == 1) {
    headerLen = byteAt(8) | (byteAt(9) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) {
      error = "malformed .npy file: truncated header";
      return false;
    }
    headerLen =
        byteAt(8) | (byteAt(9) << 8) | (byteAt(10) << 16) | (byteAt(11) << 24);
    headerStart = 12;
  } else {
    error = "unsupported .npy format version " + std::to_string(major) + "." +
            std::to_string(byteAt(7));
    return false;
  }
  if (headerLen > bytes.size() - headerStart) {
    error = "malformed .npy file: truncated header";
    return false;
  }
  std::string header = bytes.substr(headerStart, headerLen);
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  if (!NpyHeaderParser(header).parse(descr, fortranOrder, shape, error))
    return false;
  if (descr != "<f4" && !(descr == "=f4" && hostIsLittleEndian())) {
    error = "unsupported dtype '" + descr +
            "' in .npy file: only little-endian float32 ('<f4') is supported";
    return false;
  }
  if (fortranOrder) {
    // A Fortran-order array with at most one non-unit dim is also C order,
    // but NumPy writes such arrays as C order anyway: refuse outright.
    error = "unsupported .npy file: Fortran order (fortran_order: True); "
            "save a C-contiguous array (numpy.ascontiguousarray)";
    return false;
  }
  size_t dataStart = headerStart + headerLen;
  uint64_t count;
  uint64_t available = bytes.size() - dataStart;
  if (!elementCount(shape, std::numeric_limits<uint64_t>::max() / 4, count) ||
      count * 4 != available) {
    error =
        "malformed .npy file: shape " + formatShape(shape) + " needs " +
        (elementCount(shape, std::numeric_limits<uint64_t>::max() / 4, count)
             ? std::to_string(count * 4)
             : std::string("too many")) +
        " data bytes but the file has " + std::to_string(available);
    return false;
  }
  out.shape = std::move(shape);
  readLittleEndianFloats(bytes.data() + dataStart, count, out.data);
  return true;
}

bool parseTensorProto(const std::string &bytes, HostTensor &out,
                      std::string &error) {
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes)) {
    error = "not a valid ONNX TensorProto (.pb) file";
    return false;
  }
  if (proto.data_type() == onnx::TensorProto::UNDEFINED) {
    error = "not an ONNX TensorProto (.pb) file: no data type";
    return false;
  }
  if (proto.data_type() != onnx::TensorProto::FLOAT) {
    std::string typeName =
        onnx::TensorProto::DataType_IsValid(proto.data_type())
            ? onnx::TensorProto::DataType_Name(
                  static_cast<onnx::TensorProto::DataType>(proto.data_type()))
            : std::to_string(proto.data_type());
    error = "unsupported TensorProto data type " + typeName +
            ": only FLOAT (float32) is supported";
    return false;
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    error = "TensorProto with external data is not supported";
    return false;
  }
  std::vector<int64_t> shape(proto.dims().begin(), proto.dims().end());
  uint64_t count;
  if (!elementCount(shape, std::numeric_limits<uint64_t>::max() / 4, count)) {
    error = "TensorProto has an invalid shape " + formatShape(shape);
    return false;
  }
  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (raw.size() != count * 4) {
      error = "TensorProto raw_data has " + std::to_string(raw.size()) +
              " bytes but shape " + formatShape(shape) + " needs " +
              std::to_string(count * 4);
      return false;
    }
    readLittleEndianFloats(raw.data(), count, out.data);
  } else {
    if (static_cast<uint64_t>(proto.float_data_size()) != count) {
      error = "TensorProto float_data has " +
              std::to_string(proto.float_data_size()) + " elements but shape " +
              formatShape(shape) + " needs " + std::to_string(count);
      return false;
    }
    out.data.assign(proto.float_data().begin(), proto.float_data().end());
  }
  out.shape = std::move(shape);
  return true;
}

bool readTensorFile(const std::string &path, HostTensor &out,
                    std::string &error) {
  std::string bytes;
  if (!readWholeFile(path, bytes, error))
    return false;
  if (bytes.size() >= kNpyMagicLen &&
      std::memcmp(bytes.data(), kNpyMagic, kNpyMagicLen) == 0)
    return parseNpy(bytes, out, error);
  if (endsWith(path, ".npy"))
    return parseNpy(bytes, out, error); // reports the missing magic
  return parseTensorProto(bytes, out, error);
}

bool writeNpy(const std::string &path, const int64_t *shape, size_t rank,
              const float *data, std::string &error) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  uint64_t count = 1;
  for (size_t i = 0; i < rank; ++i) {
    dict += std::to_string(shape[i]);
    dict += (rank == 1 || i + 1 < rank) ? "," : "";
    if (i + 1 < rank)
      dict += " ";
    count *= static_cast<uint64_t>(shape[i]);
  }
  dict += "), }";
  // Pad so that magic + version + length + header is a multiple of 64 and
  // the header ends in a newline.
  size_t total = kNpyMagicLen + 2 + 2 + dict.size() + 1;
  size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict += '\n';
  if (dict.size() > 0xffff) {
    error = "tensor rank too large for a .npy header";
    return false;
  }
  std::ofstream outFile(path, std::ios::binary | std::ios::trunc);
  if (!outFile) {
    error = std::string("cannot create file: ") + std::strerror(errno);
    return false;
  }
  outFile.write(kNpyMagic, kNpyMagicLen);
  const char version[2] = {1, 0};
  outFile.write(version, 2);
  const unsigned char len[2] = {static_cast<unsigned char>(dict.size() & 0xff),
                                static_cast<unsigned char>(dict.size() >> 8)};
  outFile.write(reinterpret_cast<const char *>(len), 2);
  outFile.write(dict.data(), dict.size());
  if (hostIsLittleEndian()) {
    outFile.write(reinterpret_cast<const char *>(data), count * 4);
  } else {
    for (uint64_t i = 0; i < count; ++i) {
      uint32_t u;
      std::memcpy(&u, data + i, 4);
      u = __builtin_bswap32(u);
      outFile.write(reinterpret_cast<const char *>(&u), 4);
    }
  }
  outFile.close();
  if (!outFile) {
    error = "cannot write file";
    return false;
  }
  return true;
}

} // namespace anvil::run
