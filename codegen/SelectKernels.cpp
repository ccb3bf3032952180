//===- SelectKernels.cpp - Record each op's kernel and weight layout ------===//

#include "codegen/CodegenPasses.h"
#include "codegen/KernelRegistry.h"
#include "codegen/Target.h"
#include "dialects/anvil/IR/AnvilOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::anvil {
#define GEN_PASS_DEF_SELECTKERNELSPASS
#include "codegen/CodegenPasses.h.inc"
} // namespace mlir::anvil

using namespace mlir;
using namespace mlir::anvil;
using ::anvil::codegen::Isa;

namespace {

struct SelectKernelsPass
    : public mlir::anvil::impl::SelectKernelsPassBase<SelectKernelsPass> {
  using SelectKernelsPassBase::SelectKernelsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto target = ::anvil::codegen::moduleTarget(module);
    if (!target) {
      module.emitError() << llvm::toString(target.takeError());
      return signalPassFailure();
    }
    Isa isa = target->isa;
    Builder b(module.getContext());
    auto record = [&](Operation *op, llvm::StringRef kernel,
                      llvm::StringRef layout = "") {
      op->setAttr(::anvil::codegen::kKernelAttr, b.getStringAttr(kernel));
      if (!layout.empty())
        op->setAttr(::anvil::codegen::kWeightLayoutAttr, b.getStringAttr(layout));
    };
    auto simple = [&](Operation *op, llvm::StringRef family) {
      record(op, ::anvil::codegen::simpleKernelName(family, isa));
      return success();
    };
    WalkResult result = module.walk([&](Operation *op) {
      LogicalResult r =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case([&](Conv2DOp o) -> LogicalResult {
                auto s = ::anvil::codegen::conv2dShapeOf(o);
                if (!s)
                  return o.emitOpError() << llvm::toString(s.takeError());
                ::anvil::codegen::KernelChoices choices;
                choices.winograd = winograd;
                const auto &k =
                    ::anvil::codegen::selectConv2DKernel(*s, isa, choices);
                record(o, k.name, k.weightLayout);
                return success();
              })
              .Case([&](MatmulOp o) -> LogicalResult {
                auto s = ::anvil::codegen::matmulShapeOf(o);
                if (!s)
                  return o.emitOpError() << llvm::toString(s.takeError());
                const auto &k = ::anvil::codegen::selectMatmulKernel(*s, isa);
                record(o, k.name, k.weightLayout);
                return success();
              })
              .Case([&](MaxPoolOp o) { return simple(o, "max_pool"); })
              .Case([&](AvgPoolOp o) { return simple(o, "avg_pool"); })
              .Case([&](GlobalMaxPoolOp o) {
                return simple(o, "global_max_pool");
              })
              .Case([&](GlobalAvgPoolOp o) {
                return simple(o, "global_avg_pool");
              })
              .Case([&](BatchNormOp o) { return simple(o, "batch_norm"); })
              .Case([&](UnaryOp o) { return simple(o, "unary"); })
              .Case([&](BinaryOp o) { return simple(o, "binary"); })
              .Case([&](SoftmaxOp o) { return simple(o, "softmax"); })
              // Data movement is scalar code, the same for every ISA.
              .Case([&](TransposeOp o) {
                record(o, "transpose_f32");
                return success();
              })
              .Case([&](ConcatOp o) {
                record(o, "concat_slice_f32");
                return success();
              })
              .Case([&](PadOp o) {
                record(o, "pad_f32");
                return success();
              })
              .Default([](Operation *) { return success(); });
      return failed(r) ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace

void mlir::anvil::registerCodegenPasses() { registerAnvilCodegenPasses(); }
