//===- Target.cpp - The CPU targets generated code is built for -----------===//

#include "codegen/Target.h"

#include "dialects/anvil/IR/AnvilOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/X86TargetParser.h"

#include <algorithm>

using namespace anvil::codegen;

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The features of each ISA level (x86-64-v3 and the AVX-512 set of v4 on
/// top), in LLVM's spelling, which runtime/src/Cpu.cpp also uses. Older
/// levels' features (SSE4.2, POPCNT, ...) are implied by AVX2 on every CPU
/// that has it and are not listed.
constexpr llvm::StringLiteral kAvx2Level[] = {
    "avx", "avx2", "bmi", "bmi2", "f16c", "fma", "lzcnt", "movbe"};
constexpr llvm::StringLiteral kAvx512Level[] = {"avx512f", "avx512bw",
                                                "avx512cd", "avx512dq",
                                                "avx512vl"};
/// Features a target may add beyond its level (`+feature`, or those of a CPU
/// name): the ones kernels can use and the runtime can detect.
constexpr llvm::StringLiteral kAvx512Extras[] = {
    "avx512bf16", "avx512bitalg", "avx512fp16",     "avx512ifma",
    "avx512vbmi", "avx512vbmi2",  "avx512vpopcntdq", "avx512vnni"};
constexpr llvm::StringLiteral kAvx2Extras[] = {"avxvnni"};
/// The `+suffix` that makes an x86-64-v4 target emulated (Target::emulated).
constexpr llvm::StringLiteral kEmulatedSuffix = "emulated";
/// What turns the AVX-512 layer of runtime/kernels/Vec.h into SIMDe calls.
constexpr llvm::StringLiteral kEmulationDefine = "-DANVIL_EMULATE_AVX512";

bool hasAll(const llvm::StringSet<> &have,
            llvm::ArrayRef<llvm::StringLiteral> want) {
  return llvm::all_of(want, [&](llvm::StringRef f) { return have.count(f); });
}

bool isExtraFor(Isa isa, llvm::StringRef f) {
  if (llvm::is_contained(kAvx2Extras, f))
    return true;
  return isa == Isa::Avx512 && llvm::is_contained(kAvx512Extras, f);
}

/// The level and extras of a feature set (a CPU's or the host's).
llvm::Expected<Target> fromFeatures(llvm::StringRef name,
                                    const llvm::StringSet<> &have,
                                    const llvm::Twine &what) {
  Target t;
  t.name = name.str();
  if (hasAll(have, kAvx2Level) && hasAll(have, kAvx512Level))
    t.isa = Isa::Avx512;
  else if (hasAll(have, kAvx2Level))
    t.isa = Isa::Avx2;
  else
    return makeError(what + " has neither AVX2+FMA (x86-64-v3) nor AVX-512 "
                            "(x86-64-v4), which Anvil's kernels need");
  for (const auto &f : have)
    if (isExtraFor(t.isa, f.getKey()))
      t.extraFeatures.push_back(f.getKey().str());
  return t;
}

std::string acceptedNames() {
  return "native, x86-64-v3, x86-64-v4 or an x86-64 CPU name as clang spells "
         "it (znver3, znver4, skylake-avx512, icelake-server, "
         "sapphirerapids, alderlake, ...), optionally with +feature suffixes";
}

} // namespace

llvm::StringRef anvil::codegen::isaName(Isa isa) {
  return isa == Isa::Avx2 ? "avx2" : "avx512";
}
llvm::StringRef anvil::codegen::isaTraitName(Isa isa) {
  return isa == Isa::Avx2 ? "Avx2" : "Avx512";
}
int anvil::codegen::isaLanes(Isa isa) { return isa == Isa::Avx2 ? 8 : 16; }
int anvil::codegen::isaRegisters(Isa isa) {
  return isa == Isa::Avx2 ? 16 : 32;
}

std::vector<std::string> Target::requiredFeatures() const {
  std::vector<std::string> fs;
  for (llvm::StringRef f : kAvx2Level)
    fs.push_back(f.str());
  if (emulated)
    return fs; // AVX2 instructions only
  if (isa == Isa::Avx512)
    for (llvm::StringRef f : kAvx512Level)
      fs.push_back(f.str());
  fs.insert(fs.end(), extraFeatures.begin(), extraFeatures.end());
  return fs;
}

std::vector<std::string> Target::clangFlags() const {
  // The level as -march and the CPU only as -mtune: clang may then use
  // exactly the features listed by requiredFeatures(), which is what the
  // library checks before it runs (a CPU name as -march would enable
  // features such as GFNI or AMX that the check does not know).
  if (emulated)
    return {"-march=x86-64-v3", kEmulationDefine.str()};
  std::vector<std::string> flags = {isa == Isa::Avx2 ? "-march=x86-64-v3"
                                                     : "-march=x86-64-v4"};
  if (!tune.empty())
    flags.push_back("-mtune=" + tune);
  for (const std::string &f : extraFeatures)
    flags.push_back("-m" + f);
  return flags;
}

std::string Target::describe() const {
  std::string s = name + " (" + isaName(isa).str() + ", " +
                  std::to_string(lanes()) + " lanes, " +
                  std::to_string(registers()) + " registers";
  if (!tune.empty() && tune != name)
    s += ", tuned for " + tune;
  for (const std::string &f : extraFeatures)
    s += ", +" + f;
  if (emulated)
    s += ", emulated on x86-64-v3 by SIMDe";
  return s + ")";
}

llvm::Expected<Target> anvil::codegen::parseTarget(llvm::StringRef spec) {
  spec = spec.trim();
  llvm::SmallVector<llvm::StringRef> parts;
  spec.split(parts, '+');
  llvm::StringRef base = parts.front();
  if (base.empty())
    return makeError("empty target name in '" + spec + "': use " +
                     acceptedNames());

  auto resolveBase = [&]() -> llvm::Expected<Target> {
    if (base == "native") {
      llvm::StringSet<> have;
      for (const auto &f : llvm::sys::getHostCPUFeatures())
        if (f.getValue())
          have.insert(f.getKey());
      std::string cpu = llvm::sys::getHostCPUName().str();
      auto t = fromFeatures(cpu.empty() || cpu == "generic" ? "native" : cpu,
                            have, "this host ('" + cpu + "')");
      if (t && llvm::X86::parseTuneCPU(cpu, true) != llvm::X86::CK_None)
        t->tune = cpu;
      return t;
    }
    if (base == "x86-64-v3" || base == "x86-64-v4") {
      Target t;
      t.name = base.str();
      t.isa = base == "x86-64-v3" ? Isa::Avx2 : Isa::Avx512;
      return t;
    }
    if (llvm::X86::parseArchX86(base, /*Only64Bit=*/true) ==
        llvm::X86::CK_None)
      return makeError("unknown target '" + base + "': use " +
                       acceptedNames());
    llvm::SmallVector<llvm::StringRef> cpuFeatures;
    llvm::X86::getFeaturesForCPU(base, cpuFeatures);
    llvm::StringSet<> have;
    for (llvm::StringRef f : cpuFeatures)
      have.insert(f);
    auto t = fromFeatures(base, have, "the CPU '" + base + "'");
    if (t)
      t->tune = base.str();
    return t;
  };
  llvm::Expected<Target> t = resolveBase();
  if (!t)
    return t.takeError();

  for (llvm::StringRef f : llvm::ArrayRef(parts).drop_front()) {
    if (f == kEmulatedSuffix) {
      if (base != "x86-64-v4" || parts.size() != 2)
        return makeError("target '" + spec + "': +" + kEmulatedSuffix +
                         " applies to x86-64-v4 alone (write "
                         "x86-64-v4+emulated)");
      t->emulated = true;
      continue;
    }
    if (llvm::is_contained(kAvx2Level, f) ||
        (t->isa == Isa::Avx512 && llvm::is_contained(kAvx512Level, f)))
      continue; // already part of the level
    if (llvm::is_contained(kAvx512Level, f) ||
        llvm::is_contained(kAvx512Extras, f)) {
      if (t->isa != Isa::Avx512)
        return makeError("target '" + spec + "': +" + f +
                         " needs an AVX-512 target (x86-64-v4 or an AVX-512 "
                         "CPU), not " +
                         isaName(t->isa));
    } else if (!isExtraFor(t->isa, f)) {
      std::vector<std::string> known;
      for (llvm::StringRef k : kAvx2Extras)
        known.push_back(k.str());
      for (llvm::StringRef k : kAvx512Extras)
        known.push_back(k.str());
      return makeError("target '" + spec + "': unknown feature '+" + f +
                       "' (known: " + llvm::join(known, ", ") + ")");
    }
    if (!llvm::is_contained(t->extraFeatures, f))
      t->extraFeatures.push_back(f.str());
  }
  llvm::sort(t->extraFeatures);
  if (base != "native")
    t->name = spec.str();
  else if (parts.size() > 1)
    t->name += spec.drop_front(base.size()).str();
  return t;
}

llvm::Expected<std::vector<Target>>
anvil::codegen::parseTargets(llvm::StringRef list) {
  llvm::SmallVector<llvm::StringRef> specs;
  list.split(specs, ',');
  std::vector<Target> targets;
  for (llvm::StringRef spec : specs) {
    auto t = parseTarget(spec);
    if (!t)
      return t.takeError();
    for (const Target &other : targets)
      if (other.isa == t->isa && other.extraFeatures == t->extraFeatures &&
          other.emulated == t->emulated)
        return makeError("targets '" + other.name + "' and '" + t->name +
                         "' build the same code; list each ISA once");
    targets.push_back(std::move(*t));
  }
  // Best first: the runtime runs the first variant the CPU supports.
  auto rank = [](const Target &t) {
    int level = t.emulated ? 0 : t.isa == Isa::Avx512 ? 2 : 1;
    return std::make_pair(level, t.extraFeatures.size());
  };
  llvm::stable_sort(targets, [&](const Target &a, const Target &b) {
    return rank(a) > rank(b);
  });
  return targets;
}

mlir::Attribute anvil::codegen::targetToAttr(mlir::MLIRContext *ctx,
                                             const Target &t) {
  mlir::Builder b(ctx);
  llvm::SmallVector<mlir::Attribute> features;
  for (const std::string &f : t.extraFeatures)
    features.push_back(b.getStringAttr(f));
  return mlir::anvil::TargetAttr::get(ctx, t.name, isaName(t.isa), t.lanes(),
                                      t.registers(), t.tune,
                                      b.getArrayAttr(features), t.emulated);
}

llvm::Expected<Target> anvil::codegen::targetFromAttr(mlir::Attribute attr) {
  auto ta = llvm::dyn_cast_or_null<mlir::anvil::TargetAttr>(attr);
  if (!ta)
    return makeError(llvm::Twine(kTargetAttrName) +
                     " is not an #anvil.target attribute");
  Target t;
  t.name = ta.getName().str();
  if (ta.getIsa() == "avx2")
    t.isa = Isa::Avx2;
  else if (ta.getIsa() == "avx512")
    t.isa = Isa::Avx512;
  else
    return makeError("#anvil.target has unknown isa '" + ta.getIsa() + "'");
  t.tune = ta.getTune().str();
  for (mlir::Attribute f : ta.getFeatures()) {
    llvm::StringRef name = llvm::cast<mlir::StringAttr>(f).getValue();
    if (!isExtraFor(t.isa, name))
      return makeError("#anvil.target feature '" + name +
                       "' is not one Anvil knows for " + isaName(t.isa));
    t.extraFeatures.push_back(name.str());
  }
  t.emulated = ta.getEmulated();
  return t;
}

llvm::Expected<Target> anvil::codegen::moduleTarget(mlir::ModuleOp module) {
  mlir::Attribute attr = module->getAttr(kTargetAttrName);
  if (!attr)
    return makeError(llvm::Twine("the module has no ") + kTargetAttrName +
                     " attribute (anvilc sets it from --target; in .mlir "
                     "input write it on the module)");
  return targetFromAttr(attr);
}
