//===- ModelMutator.cpp - structure-aware mutation of ONNX models ---------===//

#include "test/fuzz/ModelMutator.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace {

/// One place in the message tree: a set field of `msg` (index -1 for a
/// singular field, else the element of a repeated one).
struct Site {
  Message *msg;
  const FieldDescriptor *field;
  int index;
};

/// Operators the importer knows or that exporters emit around them.
const char *const kOpTypes[] = {
    "Conv", "ConvTranspose", "MatMul", "Gemm", "Relu", "Add", "Sub", "Mul",
    "Div", "Pow", "Sqrt", "Exp", "Log", "Sigmoid", "Tanh", "Clip", "Where",
    "Not", "Equal", "Less", "Reshape", "Flatten", "Transpose", "Concat",
    "Slice", "Split", "Gather", "Squeeze", "Unsqueeze", "Expand", "Tile",
    "Pad", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
    "Softmax", "LogSoftmax", "BatchNormalization", "InstanceNormalization",
    "LayerNormalization", "LRN", "Resize", "Upsample", "DepthToSpace",
    "SpaceToDepth", "Shape", "Size", "Cast", "ConstantOfShape", "Range",
    "Constant", "Identity", "ReduceMean", "ReduceMax", "ReduceSum", "ArgMax",
    "Elu", "Selu", "Celu", "PRelu", "LeakyRelu", "HardSigmoid", "Softplus",
    "Dropout", "Einsum", "Loop", "If", "Scan"};

class Mutator {
public:
  Mutator(uint32_t seed) : rng(seed) {}

  bool run(Message &root) {
    collect(root);
    if (sites.empty())
      return false;
    const Site &s = sites[pick(sites.size())];
    if (s.field->is_repeated() && pick(4) == 0)
      return editRepeated(s);
    mutate(s);
    return true;
  }

private:
  size_t pick(size_t n) { return n ? rng() % n : 0; }

  void collect(Message &msg) {
    const Reflection *r = msg.GetReflection();
    std::vector<const FieldDescriptor *> fields;
    r->ListFields(msg, &fields);
    const Descriptor *d = msg.GetDescriptor();
    // Unset scalar fields are places to add too (e.g. a missing dim_value).
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor *f = d->field(i);
      if (!f->is_repeated() &&
          f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE &&
          !r->HasField(msg, f) && pick(8) == 0)
        sites.push_back({&msg, f, -1});
    }
    for (const FieldDescriptor *f : fields) {
      if (f->is_repeated()) {
        int n = r->FieldSize(msg, f);
        for (int i = 0; i < n; ++i) {
          if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE)
            collect(*r->MutableRepeatedMessage(&msg, f, i));
          sites.push_back({&msg, f, i});
        }
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        collect(*r->MutableMessage(&msg, f));
      } else {
        sites.push_back({&msg, f, -1});
      }
      if (f->type() == FieldDescriptor::TYPE_STRING) {
        if (f->is_repeated())
          for (int i = 0; i < r->FieldSize(msg, f); ++i)
            strings.push_back(r->GetRepeatedString(msg, f, i));
        else
          strings.push_back(r->GetString(msg, f));
      }
    }
  }

  /// Deletes, duplicates or swaps an element of a repeated field.
  bool editRepeated(const Site &s) {
    const Reflection *r = s.msg->GetReflection();
    int n = r->FieldSize(*s.msg, s.field);
    switch (pick(3)) {
    case 0: // delete element s.index
      r->SwapElements(s.msg, s.field, s.index, n - 1);
      r->RemoveLast(s.msg, s.field);
      return true;
    case 1: // duplicate it at the end
      if (s.field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        Message *copy = r->AddMessage(s.msg, s.field);
        copy->CopyFrom(r->GetRepeatedMessage(*s.msg, s.field, s.index));
        return true;
      }
      addScalar(s);
      return true;
    default: // swap with another element
      r->SwapElements(s.msg, s.field, s.index, pick(n));
      return true;
    }
  }

  int64_t interestingInt(int64_t old) {
    static const int64_t values[] = {
        0, 1, -1, 2, 3, 4, 7, 16, 255, 1 << 16, int64_t(1) << 31,
        std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(),
        std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()};
    switch (pick(4)) {
    case 0: // wrapping, as unsigned arithmetic does
      return static_cast<int64_t>(static_cast<uint64_t>(old) + 1);
    case 1:
      return static_cast<int64_t>(static_cast<uint64_t>(old) - 1);
    case 2:
      return static_cast<int64_t>(pick(17)) - 1;
    default:
      return values[pick(sizeof(values) / sizeof(values[0]))];
    }
  }

  double interestingFloat(double old) {
    static const double values[] = {
        0.0, -0.0, 1.0, -1.0, 0.5, 1e-7, 1e30, -1e30,
        std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity(),
        std::numeric_limits<double>::quiet_NaN(),
        std::numeric_limits<float>::denorm_min()};
    if (pick(3) == 0)
      return old * 2;
    return values[pick(sizeof(values) / sizeof(values[0]))];
  }

  std::string interestingString(const FieldDescriptor *f, std::string old) {
    if (f->type() == FieldDescriptor::TYPE_BYTES) { // raw_data and the like
      switch (pick(4)) {
      case 0:
        if (!old.empty())
          old.resize(pick(old.size()));
        return old;
      case 1:
        old.append(1 + pick(8), static_cast<char>(pick(256)));
        return old;
      case 2:
        if (!old.empty())
          old[pick(old.size())] = static_cast<char>(pick(256));
        return old;
      default:
        return std::string(4 * (1 + pick(8)), '\0');
      }
    }
    switch (pick(4)) {
    case 0:
      if (f->name() == "op_type")
        return kOpTypes[pick(sizeof(kOpTypes) / sizeof(kOpTypes[0]))];
      [[fallthrough]];
    case 1:
    case 2:
      if (!strings.empty())
        return strings[pick(strings.size())];
      return old;
    default:
      return pick(2) ? std::string() : old + "_";
    }
  }

  void addScalar(const Site &s) {
    const Reflection *r = s.msg->GetReflection();
    Message *m = s.msg;
    const FieldDescriptor *f = s.field;
    switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      r->AddInt32(m, f, static_cast<int32_t>(interestingInt(0)));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      r->AddInt64(m, f, interestingInt(0));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      r->AddUInt32(m, f, static_cast<uint32_t>(interestingInt(0)));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      r->AddUInt64(m, f, static_cast<uint64_t>(interestingInt(0)));
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      r->AddFloat(m, f, static_cast<float>(interestingFloat(1)));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      r->AddDouble(m, f, interestingFloat(1));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      r->AddBool(m, f, pick(2));
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto *e = f->enum_type();
      r->AddEnum(m, f, e->value(pick(e->value_count())));
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING:
      r->AddString(m, f, interestingString(f, ""));
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
    }
  }

  void mutate(const Site &s) {
    const Reflection *r = s.msg->GetReflection();
    Message *m = s.msg;
    const FieldDescriptor *f = s.field;
    int i = s.index;
    bool rep = f->is_repeated();
    switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      int64_t v = rep ? r->GetRepeatedInt32(*m, f, i) : r->GetInt32(*m, f);
      auto nv = static_cast<int32_t>(interestingInt(v));
      rep ? r->SetRepeatedInt32(m, f, i, nv) : r->SetInt32(m, f, nv);
      break;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = rep ? r->GetRepeatedInt64(*m, f, i) : r->GetInt64(*m, f);
      int64_t nv = interestingInt(v);
      rep ? r->SetRepeatedInt64(m, f, i, nv) : r->SetInt64(m, f, nv);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      int64_t v = rep ? r->GetRepeatedUInt32(*m, f, i) : r->GetUInt32(*m, f);
      auto nv = static_cast<uint32_t>(interestingInt(v));
      rep ? r->SetRepeatedUInt32(m, f, i, nv) : r->SetUInt32(m, f, nv);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      auto v = static_cast<int64_t>(rep ? r->GetRepeatedUInt64(*m, f, i)
                                        : r->GetUInt64(*m, f));
      auto nv = static_cast<uint64_t>(interestingInt(v));
      rep ? r->SetRepeatedUInt64(m, f, i, nv) : r->SetUInt64(m, f, nv);
      break;
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v = rep ? r->GetRepeatedFloat(*m, f, i) : r->GetFloat(*m, f);
      auto nv = static_cast<float>(interestingFloat(v));
      rep ? r->SetRepeatedFloat(m, f, i, nv) : r->SetFloat(m, f, nv);
      break;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v = rep ? r->GetRepeatedDouble(*m, f, i) : r->GetDouble(*m, f);
      double nv = interestingFloat(v);
      rep ? r->SetRepeatedDouble(m, f, i, nv) : r->SetDouble(m, f, nv);
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v = rep ? r->GetRepeatedBool(*m, f, i) : r->GetBool(*m, f);
      rep ? r->SetRepeatedBool(m, f, i, !v) : r->SetBool(m, f, !v);
      break;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto *e = f->enum_type();
      const auto *nv = e->value(pick(e->value_count()));
      rep ? r->SetRepeatedEnum(m, f, i, nv) : r->SetEnum(m, f, nv);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string v = rep ? r->GetRepeatedString(*m, f, i) : r->GetString(*m, f);
      std::string nv = interestingString(f, v);
      rep ? r->SetRepeatedString(m, f, i, nv) : r->SetString(m, f, nv);
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      editRepeated(s); // a repeated message element: delete, copy, swap
      break;
    }
  }

  std::minstd_rand rng;
  std::vector<Site> sites;
  std::vector<std::string> strings;
};

} // namespace

bool anvil::fuzz::mutateModel(onnx::ModelProto &model, uint32_t seed) {
  return Mutator(seed).run(model);
}
