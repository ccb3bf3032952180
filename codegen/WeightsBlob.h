//===- WeightsBlob.h - The weights blob of a generated model ----*- C++ -*-===//
//
// Every constant the generated code reads (raw tensors and compile-time packed
// weights) is one 64-byte aligned entry of a single blob. The blob is written
// as NAME.weights.bin and embedded read-only with `.incbin`.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CODEGEN_WEIGHTSBLOB_H
#define ANVIL_CODEGEN_WEIGHTSBLOB_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace anvil::codegen {

/// An append-only byte blob whose entries start at multiples of 64 bytes.
class WeightsBlob {
public:
  static constexpr uint64_t kAlignment = 64;

  /// Appends `floats` as one entry; returns its byte offset.
  uint64_t append(llvm::ArrayRef<float> floats);
  /// Appends raw bytes as one entry; returns its byte offset. Bytes equal to
  /// an earlier entry's return that entry's offset.
  uint64_t appendBytes(llvm::ArrayRef<char> bytes);

  /// Size in bytes, padded to a multiple of 64.
  uint64_t size() const { return data.size(); }
  bool empty() const { return data.empty(); }
  llvm::ArrayRef<char> bytes() const { return data; }

  /// Writes the blob to `path` (an empty file for an empty blob).
  llvm::Error writeTo(llvm::StringRef path) const;

private:
  std::vector<char> data;
  /// Entry contents -> offset (the map owns a copy of each key).
  llvm::StringMap<uint64_t> offsets;
};

} // namespace anvil::codegen

#endif // ANVIL_CODEGEN_WEIGHTSBLOB_H
