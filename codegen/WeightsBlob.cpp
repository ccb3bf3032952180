//===- WeightsBlob.cpp - The weights blob of a generated model ------------===//

#include "codegen/WeightsBlob.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace anvil::codegen;

uint64_t WeightsBlob::appendBytes(llvm::ArrayRef<char> bytes) {
  // An entry equal to an earlier one is that entry: the variants of a fat
  // library share every weight whose packing is the same.
  llvm::StringRef key(bytes.data(), bytes.size());
  auto [it, fresh] = offsets.try_emplace(key, data.size());
  if (!fresh)
    return it->second;
  uint64_t offset = data.size();
  data.insert(data.end(), bytes.begin(), bytes.end());
  // Pad so that the next entry (and the blob's size) is 64-byte aligned.
  data.resize((data.size() + kAlignment - 1) / kAlignment * kAlignment, 0);
  return offset;
}

uint64_t WeightsBlob::append(llvm::ArrayRef<float> floats) {
  return appendBytes(llvm::ArrayRef<char>(
      reinterpret_cast<const char *>(floats.data()), floats.size() * 4));
}

llvm::Error WeightsBlob::writeTo(llvm::StringRef path) const {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError(ec, "cannot write '%s': %s",
                                   path.str().c_str(), ec.message().c_str());
  os.write(data.data(), data.size());
  os.close();
  if (os.has_error())
    return llvm::createStringError(os.error(), "cannot write '%s': %s",
                                   path.str().c_str(),
                                   os.error().message().c_str());
  return llvm::Error::success();
}
