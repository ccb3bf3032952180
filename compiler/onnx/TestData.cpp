//===- TestData.cpp - check a model against ONNX test data ------*- C++ -*-===//

#include "compiler/onnx/TestData.h"
#include "compiler/onnx/HostTensor.h"
#include "compiler/onnx/ModelLoader.h"

#include "dialects/anvil/IR/AnvilFolds.h"
#include "dialects/anvil/IR/AnvilOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>

using namespace anvil;
using namespace anvil::onnx_import;

namespace {

llvm::Error fail(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg.str());
}

/// Reads `dir`/`prefix`_K.pb for K = 0, 1, ... until one is missing.
llvm::Expected<std::vector<std::pair<std::string, HostTensor>>>
readTensors(llvm::StringRef dir, llvm::StringRef prefix) {
  std::vector<std::pair<std::string, HostTensor>> result;
  for (int k = 0;; ++k) {
    llvm::SmallString<256> file(dir);
    llvm::sys::path::append(file, prefix + "_" + llvm::Twine(k) + ".pb");
    if (!llvm::sys::fs::exists(file))
      break;
    auto buffer = llvm::MemoryBuffer::getFile(file, false, false);
    if (!buffer)
      return fail(file + ": cannot be read");
    onnx::TensorProto t;
    if (!t.ParseFromArray((*buffer)->getBufferStart(),
                          static_cast<int>((*buffer)->getBufferSize())))
      return fail(file + ": not a TensorProto");
    HostTensor h;
    if (auto err = readTensorProto(t, h))
      return fail(file + ": " + *err);
    result.emplace_back(t.name(), std::move(h));
  }
  return result;
}

} // namespace

llvm::Error anvil::checkTestData(mlir::ModuleOp module, llvm::StringRef dir,
                                 llvm::raw_ostream &os, double rtol,
                                 double atol) {
  auto func = module.lookupSymbol<mlir::func::FuncOp>("main");
  if (!func)
    return fail("no func.func @main");
  auto inputs = readTensors(dir, "input");
  if (!inputs)
    return inputs.takeError();
  auto outputs = readTensors(dir, "output");
  if (!outputs)
    return outputs.takeError();
  if (inputs->size() != func.getNumArguments())
    return fail(dir + ": " + llvm::Twine(inputs->size()) +
                " inputs for a function of " +
                llvm::Twine(func.getNumArguments()) + " arguments");

  llvm::DenseMap<mlir::Value, mlir::Attribute> values;
  mlir::Block &body = func.getBody().front();
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    // Match by name when the test data names its tensors, else by position.
    const HostTensor *h = &(*inputs)[i].second;
    auto name = func.getArgAttrOfType<mlir::StringAttr>(i, "anvil.name");
    for (const auto &[n, t] : *inputs)
      if (name && n == name.getValue())
        h = &t;
    auto type =
        mlir::cast<mlir::RankedTensorType>(body.getArgument(i).getType());
    if (!h->isFloat() || h->size() != type.getNumElements())
      return fail(dir + ": input " + llvm::Twine(i) +
                  " does not match the argument type");
    values[body.getArgument(i)] =
        mlir::DenseElementsAttr::get(type, llvm::ArrayRef<float>(h->f));
  }

  llvm::SmallVector<mlir::Attribute> results;
  for (mlir::Operation &op : body) {
    if (auto ret = llvm::dyn_cast<mlir::func::ReturnOp>(op)) {
      for (mlir::Value v : ret.getOperands())
        results.push_back(values.lookup(v));
      break;
    }
    if (auto c = llvm::dyn_cast<mlir::anvil::ConstantOp>(op)) {
      values[c.getResult()] = c.getValue();
      continue;
    }
    llvm::SmallVector<mlir::Attribute> operands;
    for (mlir::Value v : op.getOperands())
      operands.push_back(values.lookup(v));
    mlir::ElementsAttr r = mlir::anvil::evaluateConstantOp(&op, operands);
    if (!r)
      return fail(dir + ": cannot evaluate " + op.getName().getStringRef());
    values[op.getResult(0)] = r;
  }
  if (results.size() != outputs->size())
    return fail(dir + ": " + llvm::Twine(outputs->size()) +
                " expected outputs for " + llvm::Twine(results.size()) +
                " results");
  double worst = 0;
  for (size_t k = 0; k < results.size(); ++k) {
    auto got = mlir::anvil::readF32Constant(results[k]);
    const HostTensor &want = (*outputs)[k].second;
    if (mlir::failed(got) || !want.isFloat() ||
        static_cast<int64_t>(got->size()) != want.size())
      return fail(dir + ": output " + llvm::Twine(k) +
                  " has the wrong size or type");
    for (int64_t e = 0; e < want.size(); ++e) {
      double g = (*got)[e], w = want.f[e];
      if (std::isnan(w) && std::isnan(g))
        continue;
      double err = std::abs(g - w);
      if (!(err <= atol + rtol * std::abs(w)))
        return fail(dir + ": output " + llvm::Twine(k) + " element " +
                    llvm::Twine(e) + " is " + std::to_string(g) +
                    ", expected " + std::to_string(w));
      worst = std::max(worst, err);
    }
  }
  os << "test data " << dir << ": PASS (" << results.size()
     << " outputs, max abs error " << worst << ")\n";
  return llvm::Error::success();
}
