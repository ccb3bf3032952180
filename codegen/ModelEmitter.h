//===- ModelEmitter.h - The emitter's parts, shared by its files -*- C++ -*-===//
//
// Internal to codegen/. The emitter walks the planned @main once
// (Emitter.cpp: storage of every value, constants, the variant's translation
// unit, emitModel); each op family emits its kernel calls in a file of its
// own, next to the registry entries that chose them (EmitCompute.cpp: conv2d
// and matmul with their packed weights; EmitPooling.cpp; EmitElementwise.cpp:
// unary, binary, batch norm, softmax; EmitDataMovement.cpp: transpose,
// concat, pad); EmitLibrary.cpp writes the entry translation unit (C ABI,
// weights blob, variant dispatch) and the public header.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CODEGEN_MODELEMITTER_H
#define ANVIL_CODEGEN_MODELEMITTER_H

#include "codegen/CppWriter.h"
#include "codegen/Emitter.h"
#include "codegen/KernelRegistry.h"
#include "codegen/Target.h"
#include "codegen/WeightsBlob.h"
#include "dialects/anvil/IR/AnvilOps.h"
#include "runtime/kernels/Shapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <map>
#include <numeric>
#include <string>
#include <vector>

namespace anvil::codegen {

/// One graph input or output as the C ABI describes it.
struct TensorDesc {
  std::string name;
  llvm::SmallVector<int64_t> shape;
  uint64_t bytes;
  bool operator==(const TensorDesc &o) const {
    return name == o.name && shape == o.shape && bytes == o.bytes;
  }
};

namespace detail {

namespace ak = ::anvil::kernels;
namespace ad = ::mlir::anvil;
using mlir::Operation;
using mlir::RankedTensorType;
using mlir::Value;

constexpr llvm::StringLiteral kOffsetAttr = "anvil.arena_offset";
constexpr llvm::StringLiteral kArenaBytesAttr = "anvil.arena_bytes";
constexpr llvm::StringLiteral kNaiveBytesAttr = "anvil.naive_bytes";
constexpr llvm::StringLiteral kNameAttr = "anvil.name";
constexpr llvm::StringLiteral kKernels = "anvil::kernels::";
/// ANVIL_MAX_RANK of runtime.h: the rank an anvil_tensor_desc_t can hold.
constexpr int64_t kMaxDescRank = 8;

inline std::string kernel(llvm::StringRef name) {
  return (kKernels + name).str();
}

/// The kernels' enumerator (runtime/kernels/ElementwiseKinds.def) for a
/// dialect kind, by name (EmitElementwise.cpp).
llvm::StringRef kernelKindName(ad::UnaryKind kind);
llvm::StringRef kernelKindName(ad::BinaryKind kind);

inline int64_t product(llvm::ArrayRef<int64_t> dims) {
  return std::accumulate(dims.begin(), dims.end(), int64_t(1),
                         std::multiplies<int64_t>());
}

inline uint64_t alignUp(uint64_t bytes) { return (bytes + 63) / 64 * 64; }

/// `file: node 'conv1' (anvil.conv2d)`, from the importer's NameLoc /
/// FileLineColLoc (fused locations list every node).
std::string describeOp(Operation *op);
/// The ONNX nodes an op computes, `conv1 + relu1`, or "".
std::string nodeNames(Operation *op);
/// The comment line above each kernel call.
std::string opComment(Operation *op);
std::string typeString(mlir::Type type);

class ModelEmitter {
public:
  ModelEmitter(mlir::func::FuncOp func, const Target &target,
               const EmitOptions &options, EmittedVariant &out,
               WeightsBlob &blob)
      : func(func), target(target), options(options), out(out), blob(blob) {}

  llvm::Error emit();

private:
  llvm::Error fail(Operation *op, const llvm::Twine &message) const {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   describeOp(op) + ": " + message.str());
  }

  llvm::Error readSignature();
  llvm::Error checkTypes(Operation *op) const;

  /// Storage expression of a value that is read.
  llvm::Expected<std::string> readPtr(Value v);
  /// Storage expression of an op's result (written by that op).
  llvm::Expected<std::string> resultPtr(Operation *op);
  /// The anvil.constant behind `v` (through reshape/flatten), if any.
  ad::ConstantOp constantBehind(Value v) const;
  /// The f32 data of a constant.
  llvm::Expected<std::vector<float>> constantData(ad::ConstantOp c) const;
  /// Blob offset of a constant's raw data (added on first use).
  llvm::Expected<uint64_t> rawConstant(ad::ConstantOp c);
  /// Reserves bytes in the context's pack area; returns the offset.
  uint64_t allocPack(uint64_t bytes) {
    uint64_t off = out.packBytes;
    out.packBytes += alignUp(bytes);
    return off;
  }

  /// The expression for a kernel's packed weights `w`: packed once at compile
  /// time into the blob when `w` is a constant (`pack` is the routine from
  /// Shapes.h), otherwise packed at run time into the pack area by a call of
  /// `packFn(shape, plan, raw, packed)` (the same routine) emitted before
  /// the kernel.
  llvm::Expected<std::string>
  packedWeights(Value w, const std::string &shapeLiteral,
                const std::string &planLiteral, int64_t packedFloats,
                llvm::StringRef packFn,
                llvm::function_ref<void(const float *, float *)> pack);

  /// Emits `name<Isa, shape, plan>(input, weights, bias or nullptr, result,
  /// ec)`, the call shape shared by conv2d_f32 and matmul_f32.
  /// With post-ops, the PostOpList template argument and the operand
  /// pointers follow (PostOps.h).
  llvm::Error emitWeightedKernel(Operation *op, llvm::StringRef name,
                                 const std::string &lit,
                                 const std::string &planLit,
                                 const std::string &input,
                                 const std::string &weights, Value bias,
                                 mlir::ArrayAttr postOps,
                                 mlir::ValueRange postOperands);

  /// A post-op list as the kernels' PostOpList literal and its operands as a
  /// PostOperands array; both empty without post-ops.
  struct PostOpArgs {
    std::string list, operands;
  };
  llvm::Expected<PostOpArgs> postOpArgs(Operation *op, mlir::ArrayAttr postOps,
                                        mlir::ValueRange operands);

  /// The kernel anvil-select-kernels recorded on `op`, or an error naming
  /// the op when there is none.
  llvm::Expected<llvm::StringRef> recordedKernel(Operation *op) const;
  /// The registry entry of the conv2d/matmul kernel recorded on `op`
  /// (`find` looks it up by name), checked against the target's ISA and the
  /// recorded weight layout.
  template <typename KernelT>
  llvm::Expected<const KernelT *>
  recordedVariant(Operation *op,
                  const KernelT *(*find)(llvm::StringRef)) const;
  /// Checks that `op` records `expected` (a family with one variant per
  /// ISA): the IR and the emitted call agree.
  llvm::Error expectKernel(Operation *op, const std::string &expected) const;
  /// `anvil::kernels::Avx512`: the ISA template argument of every kernel.
  std::string isaArg() const {
    return kernel(isaTraitName(target.isa));
  }

  llvm::Error emitOp(Operation *op);
  llvm::Error emitConv(ad::Conv2DOp op);
  llvm::Error emitMatmul(ad::MatmulOp op);
  llvm::Error emitPool(Operation *op, bool isMax);
  llvm::Error emitGlobalPool(Operation *op, bool isMax);
  llvm::Error emitBatchNorm(ad::BatchNormOp op);
  llvm::Error emitUnary(ad::UnaryOp op);
  llvm::Error emitBinary(ad::BinaryOp op);
  llvm::Error emitSoftmax(ad::SoftmaxOp op);
  llvm::Error emitTranspose(ad::TransposeOp op);
  llvm::Error emitConcat(ad::ConcatOp op);
  llvm::Error emitPad(ad::PadOp op);
  llvm::Error emitReturn(mlir::func::ReturnOp op);
  /// Emits `call;` (the op's comment is already printed).
  void emitCall(Operation *op, const CallExpr &call);

  std::string buildSource() const;
  /// What the profile reports about `op` (profiled modules).
  ProfileOp profileOp(Operation *op) const;

public:
  llvm::SmallVector<TensorDesc> inputs, outputs;

private:
  mlir::func::FuncOp func;
  const Target &target;
  const EmitOptions &options;
  EmittedVariant &out;
  WeightsBlob &blob;
  llvm::DenseMap<Value, int64_t> returnCount;
  llvm::DenseMap<Value, unsigned> returnIndex;
  llvm::DenseMap<Operation *, uint64_t> rawOffsets;
  std::map<std::pair<Operation *, std::string>, uint64_t> packedOffsets;
  CppWriter body;
  /// The size of `body` after the lines of each op that emitted any: where
  /// buildSource may split the op calls into functions.
  llvm::SmallVector<size_t> opEnds;
  bool usesArena = false, usesPack = false;
  /// The module carries kProfileAttrName: time every op.
  bool profiled = false;
};

// EmitLibrary.cpp: the entry translation unit and the header.

/// The weights blob's symbol, defined by the entry TU.
std::string weightsSymbol(const std::string &model);
/// The variant's hidden entry point, called by the entry TU's dispatch.
std::string runSymbol(const std::string &model, const std::string &tag);
/// The parameter list of every run function.
extern const char *const kRunSignature;
/// `[1, 3, 224, 224]`.
std::string shapeText(llvm::ArrayRef<int64_t> shape);
std::string buildEntrySource(const EmitOptions &options,
                             const EmittedModel &m,
                             llvm::ArrayRef<TensorDesc> inputs,
                             llvm::ArrayRef<TensorDesc> outputs);
std::string buildHeader(const EmitOptions &options, const EmittedModel &m,
                        llvm::ArrayRef<TensorDesc> inputs,
                        llvm::ArrayRef<TensorDesc> outputs);

} // namespace detail
} // namespace anvil::codegen

#endif // ANVIL_CODEGEN_MODELEMITTER_H
