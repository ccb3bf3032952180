//===- ModelMutator.h - structure-aware mutation of ONNX models -*- C++ -*-===//
//
// libFuzzer's byte mutations rarely keep a protobuf parseable; this mutator
// edits a parsed onnx::ModelProto through protobuf reflection instead: one
// scalar, string or repeated-field change per call, with values chosen to
// reach edge cases (0, -1, INT64_MAX, NaN, names of other tensors, other op
// types, short or long raw data). Deterministic for a given seed.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TEST_FUZZ_MODELMUTATOR_H
#define ANVIL_TEST_FUZZ_MODELMUTATOR_H

#include "onnx/onnx_pb.h"

#include <cstdint>

namespace anvil::fuzz {

/// Applies one random edit to `model`; returns false when it found nothing
/// to edit.
bool mutateModel(onnx::ModelProto &model, uint32_t seed);

} // namespace anvil::fuzz

#endif // ANVIL_TEST_FUZZ_MODELMUTATOR_H
