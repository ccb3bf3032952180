//===- TensorFileFuzzer.cpp - libFuzzer harness for anvil-run's readers ---===//
//
// Bytes -> tools/anvil-run/TensorFile: the .npy parser and the ONNX
// TensorProto (.pb) parser, as anvil-run reads its --input files. Whatever
// either parser accepts must survive a round trip: written with writeNpy and
// read back with readTensorFile, it is the same shape and the same bits.
//
//===----------------------------------------------------------------------===//

#include "tools/anvil-run/TensorFile.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/mman.h>

namespace {

std::string *roundTripPath = nullptr;

[[noreturn]] void fail(const std::string &what) {
  std::fprintf(stderr, "fuzz-tensorfile: %s\n", what.c_str());
  std::abort();
}

void checkRoundTrip(const anvil::run::HostTensor &t, const char *parser) {
  uint64_t count = 1;
  for (int64_t d : t.shape)
    count *= static_cast<uint64_t>(d);
  if (count != t.data.size())
    fail(std::string(parser) + " accepted shape " +
         anvil::run::formatShape(t.shape) + " with " +
         std::to_string(t.data.size()) + " elements");
  std::string error;
  if (!anvil::run::writeNpy(*roundTripPath, t.shape.data(), t.shape.size(),
                            t.data.data(), error))
    return; // e.g. a rank too large for a version 1.0 header
  anvil::run::HostTensor back;
  if (!anvil::run::readTensorFile(*roundTripPath, back, error))
    fail(std::string("writeNpy output of a ") + parser +
         " tensor does not read back: " + error);
  if (back.shape != t.shape ||
      back.data.size() != t.data.size() ||
      (count && std::memcmp(back.data.data(), t.data.data(), count * 4) != 0))
    fail(std::string("writeNpy/readTensorFile round trip of a ") + parser +
         " tensor " + anvil::run::formatShape(t.shape) + " changed it");
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  // An anonymous in-memory file, named by its descriptor: private to this
  // process, gone with it, and the same name in every run (a path holding a
  // pid or random letters would reach libFuzzer's comparison hooks and make
  // the short run differ from one run to the next).
  int fd = memfd_create("anvil-fuzz-tensorfile", 0);
  if (fd < 0) {
    std::perror("fuzz-tensorfile: memfd_create");
    std::exit(1);
  }
  roundTripPath = new std::string("/proc/self/fd/" + std::to_string(fd));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string bytes(reinterpret_cast<const char *>(data), size);
  std::string error;
  anvil::run::HostTensor npy;
  if (anvil::run::parseNpy(bytes, npy, error))
    checkRoundTrip(npy, ".npy");
  else if (error.empty())
    fail("parseNpy failed without a message");
  error.clear();
  anvil::run::HostTensor pb;
  if (anvil::run::parseTensorProto(bytes, pb, error))
    checkRoundTrip(pb, "TensorProto");
  else if (error.empty())
    fail("parseTensorProto failed without a message");
  return 0;
}
