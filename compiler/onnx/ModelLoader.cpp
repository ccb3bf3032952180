//===- ModelLoader.cpp - read, validate, pin an ONNX model ------*- C++ -*-===//
//
// libonnx reports problems by throwing; every call into it is wrapped so that
// a bad file becomes an llvm::Error with a message that names the file.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ModelLoader.h"
#include "dialects/anvil/IR/AnvilLimits.h"

#include "onnx/checker.h"
#include <google/protobuf/io/coded_stream.h>
#include "onnx/version_converter/convert.h"
#include "onnx/defs/parser.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <string>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace anvil;
using namespace anvil::onnx_import;

namespace {

llvm::Error fileError(llvm::StringRef path, const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 (path + ": " + msg).str());
}

/// The first line of a libonnx exception message (they can be long and
/// multi-line; the first line says what is wrong).
std::string firstLine(const char *what) {
  llvm::StringRef s(what);
  s = s.trim();
  auto nl = s.find('\n');
  return s.substr(0, nl).trim().str();
}

/// The byte size of one element of `dtype`, or 0 when it has no fixed size.
int64_t elementBytes(int32_t dtype) {
  switch (dtype) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return 4;
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::COMPLEX64:
    return 8;
  case onnx::TensorProto::COMPLEX128:
    return 16;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return 2;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    return 1;
  default:
    return 0;
  }
}

/// Defined by the sanitizer runtimes only (weak: null in release builds).
extern "C" void __sanitizer_set_death_callback(void (*callback)(void))
    __attribute__((weak));

/// Runs `transform` (libonnx's version converter or shape inference) on
/// `model` in a child process and takes its result: on some malformed models
/// libonnx dereferences null or reads past its buffers instead of throwing,
/// and that must end in an error naming the file, not in a crash of anvilc.
/// `transform` returns an error message, or "" on success. The child gets
/// kChildSeconds; a signal or the timeout is reported as `what` crashing.
/// Without `keepInitializers` the child sends the model back without its
/// initializers, which stay the parent's (shape inference does not change
/// them, and they are most of a model's bytes).
llvm::Error inChildProcess(
    llvm::StringRef path, const std::string &what, onnx::ModelProto &model,
    bool keepInitializers,
    const std::function<std::string(onnx::ModelProto &)> &transform) {
  constexpr unsigned kChildSeconds = 120;
  int fds[2];
  if (pipe(fds) != 0)
    return fileError(path, what + ": cannot create a pipe");
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return fileError(path, what + ": cannot fork");
  }
  if (pid == 0) { // the child: transform, send, _exit
    close(fds[0]);
    // Die of a crash at once and quietly (no LLVM stack dump: the parent
    // says what happened); interrupts are the parent's to clean up after.
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGFPE, SIGILL,
                    SIGABRT, SIGALRM})
      signal(sig, SIG_DFL);
    // Under a sanitizer (the fuzzers' builds) a crash here is reported by
    // the sanitizer, whose death callback is the fuzzer's: the parent
    // reports it instead.
    if (__sanitizer_set_death_callback)
      __sanitizer_set_death_callback(nullptr);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0)
      dup2(devnull, STDERR_FILENO);
    alarm(kChildSeconds);
    std::string error = transform(model);
    std::string out(1, error.empty() ? '\0' : '\1');
    if (error.empty()) {
      if (!keepInitializers)
        model.mutable_graph()->clear_initializer();
      out += model.SerializeAsString();
    } else {
      out += error;
    }
    for (size_t done = 0; done < out.size();) {
      ssize_t n = write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0)
        _exit(1);
      done += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string in;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    in.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
    return fileError(path, what + " did not finish in " +
                               llvm::Twine(kChildSeconds) + " s");
  if (WIFSIGNALED(status) || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      in.empty()) {
    std::string how = WIFSIGNALED(status)
                          ? std::string(strsignal(WTERMSIG(status)))
                          : "exit status " + std::to_string(WEXITSTATUS(status));
    return fileError(path, what + " crashed on this model (" + how +
                               "); it is malformed in a way libonnx does not "
                               "check");
  }
  if (in[0] != '\0')
    return fileError(path, in.substr(1));
  onnx::ModelProto result;
  if (in.size() - 1 > static_cast<size_t>(INT32_MAX) ||
      !result.ParseFromArray(in.data() + 1, static_cast<int>(in.size() - 1)))
    return fileError(path, what + " returned a model that does not parse");
  if (!keepInitializers)
    result.mutable_graph()->mutable_initializer()->Swap(
        model.mutable_graph()->mutable_initializer());
  model = std::move(result);
  return llvm::Error::success();
}

/// True when `bytes` parse as a model once protobuf's nesting limit (100
/// levels; each subgraph takes three) is lifted: the parse failed on depth,
/// not on the bytes.
bool nestedTooDeep(llvm::StringRef bytes) {
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t *>(bytes.data()),
      static_cast<int>(bytes.size()));
  in.SetRecursionLimit(1000); // deep enough to tell, shallow enough for the stack
  onnx::ModelProto deep;
  return deep.ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
}

/// The size of `file` when it is a regular file; otherwise an error saying
/// what it is instead ("is a directory", "is a FIFO", ...).
llvm::Error regularFileSize(llvm::StringRef file,
                            std::optional<int64_t> &size) {
  llvm::sys::fs::file_status st;
  if (std::error_code ec = llvm::sys::fs::status(file, st))
    return llvm::createStringError(ec, "cannot be read: " + ec.message());
  using llvm::sys::fs::file_type;
  const char *kind = nullptr;
  switch (st.type()) {
  case file_type::regular_file:
    size = static_cast<int64_t>(st.getSize());
    return llvm::Error::success();
  case file_type::directory_file:
    kind = "a directory";
    break;
  case file_type::fifo_file:
    kind = "a FIFO";
    break;
  case file_type::character_file:
  case file_type::block_file:
    kind = "a device";
    break;
  case file_type::socket_file:
    kind = "a socket";
    break;
  default:
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "is not a regular file");
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 llvm::Twine("is ") + kind +
                                     ", not a regular file");
}

/// Replaces the external data reference of `tensor` by its bytes. The file
/// must lie inside `modelDir`: absolute paths, `..` escapes and symlinks that
/// resolve outside are refused.
llvm::Error inlineExternalData(llvm::StringRef path, llvm::StringRef modelDir,
                               onnx::TensorProto &tensor) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      long long v;
      if (llvm::StringRef(entry.value()).getAsInteger(10, v) || v < 0)
        return fileError(path, "external data of tensor '" + tensor.name() +
                                   "' has a bad " + entry.key() + " '" +
                                   entry.value() + "'");
      (entry.key() == "offset" ? offset : length) = v;
    }
  }
  std::string what =
      "external data '" + location + "' of tensor '" + tensor.name() + "'";
  if (location.empty())
    return fileError(path, "external data of tensor '" + tensor.name() +
                               "' has no location");
  if (tensor.has_raw_data())
    return fileError(path, what + ": the tensor also holds raw_data; it "
                                  "must hold its data in one place");
  if (llvm::sys::path::is_absolute(location) ||
      llvm::sys::path::is_absolute(location, llvm::sys::path::Style::windows))
    return fileError(path, what + " is an absolute path; external data must "
                                  "be a file inside the model's folder");
  // Walk the components: `..` must never climb above the model's folder.
  int depth = 0;
  for (auto it = llvm::sys::path::begin(location),
            end = llvm::sys::path::end(location);
       it != end; ++it) {
    if (*it == "..")
      --depth;
    else if (*it != ".")
      ++depth;
    if (depth < 0)
      return fileError(path, what + " points outside the model's folder");
  }
  llvm::SmallString<256> full(modelDir);
  llvm::sys::path::append(full, location);
  llvm::SmallString<256> realFull, realDir;
  if (llvm::sys::fs::real_path(full, realFull))
    return fileError(path, what + " does not exist");
  if (llvm::sys::fs::real_path(modelDir, realDir))
    return fileError(path, "cannot resolve the model's folder");
  llvm::SmallString<256> dirPrefix(realDir);
  if (!dirPrefix.ends_with("/"))
    dirPrefix += "/";
  if (!llvm::StringRef(realFull).starts_with(dirPrefix))
    return fileError(path, what + " resolves to '" + realFull +
                               "', outside the model's folder");
  // Only regular files: a FIFO would block the read forever, a device
  // (/dev/zero) would never end.
  std::optional<int64_t> fileSize;
  if (llvm::Error e = regularFileSize(realFull, fileSize))
    return fileError(path, what + " " + llvm::toString(std::move(e)));
  int64_t size = *fileSize;
  if (length < 0)
    length = size - std::min(offset, size);
  if (offset > size || length > size - offset)
    return fileError(path, what + ": offset " + llvm::Twine(offset) +
                               " + length " + llvm::Twine(length) +
                               " exceeds the file size " + llvm::Twine(size));
  std::optional<int64_t> numel = mlir::anvil::checkedElementCount(
      llvm::ArrayRef<int64_t>(tensor.dims().data(), tensor.dims_size()));
  if (!numel)
    return fileError(path, "tensor '" + tensor.name() + "' has shape [" +
                               dimsText(llvm::ArrayRef<int64_t>(
                                   tensor.dims().data(), tensor.dims_size())) +
                               "], negative or more than Anvil's limit of "
                               "2^36 elements per tensor");
  int64_t elt = elementBytes(tensor.data_type());
  if (elt && *numel * elt != length)
    return fileError(path, what + " holds " + llvm::Twine(length) +
                               " bytes, expected " + llvm::Twine(*numel * elt));
  auto buffer = llvm::MemoryBuffer::getFileSlice(realFull, length, offset,
                                                 /*IsVolatile=*/false);
  if (!buffer)
    return fileError(path,
                     what + " cannot be read: " + buffer.getError().message());
  tensor.set_raw_data((*buffer)->getBufferStart(), length);
  tensor.clear_external_data();
  tensor.set_data_location(onnx::TensorProto::DEFAULT);
  return llvm::Error::success();
}

llvm::Error inlineAllExternalData(llvm::StringRef path,
                                  onnx::GraphProto &graph) {
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(path));
  if (dir.empty())
    dir = ".";
  auto visit = [&](onnx::TensorProto &t) -> llvm::Error {
    if (t.data_location() == onnx::TensorProto::EXTERNAL)
      return inlineExternalData(path, dir, t);
    return llvm::Error::success();
  };
  for (auto &t : *graph.mutable_initializer())
    if (llvm::Error e = visit(t))
      return e;
  for (auto &node : *graph.mutable_node())
    for (auto &attr : *node.mutable_attribute())
      if (attr.has_t())
        if (llvm::Error e = visit(*attr.mutable_t()))
          return e;
  return llvm::Error::success();
}

/// `name` printable: non-printable bytes as `\\xx` (llvm::printEscapedString).
std::string printableName(llvm::StringRef name) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::printEscapedString(name, os);
  return s;
}

/// "node 'NAME' (OpType)", an unnamed node called OpType_INDEX as the
/// importer calls it.
std::string nodeWhere(const onnx::NodeProto &node, int index) {
  std::string name = node.name().empty()
                         ? node.op_type() + "_" + std::to_string(index)
                         : node.name();
  return "node '" + printableName(name) + "' (" +
         printableName(node.op_type()) + ")";
}

/// What ONNX's checker refused in `model`, said with the node or value it
/// is about: the checker's own message (`what`) names neither in most cases.
/// The main graph's values and nodes are checked one by one, in order, with
/// the checker's own per-value and per-node checks.
std::string checkerProblem(const onnx::ModelProto &model, const char *what) {
  if (model.ir_version() > onnx::IR_VERSION)
    return "IR version " + std::to_string(model.ir_version()) +
           " is newer than the IR version " + std::to_string(onnx::IR_VERSION) +
           " this Anvil reads";
  const onnx::GraphProto &graph = model.graph();
  onnx::checker::CheckerContext ctx;
  ctx.set_ir_version(static_cast<int>(model.ir_version()));
  std::unordered_map<std::string, int> opsets;
  for (const auto &o : model.opset_import())
    opsets[o.domain()] = static_cast<int>(o.version());
  ctx.set_opset_imports(opsets);
  auto blame = [](const std::string &where, const char *msg) {
    return where + ": " + firstLine(msg);
  };
  llvm::StringSet<> defined;
  onnx::checker::LexicalScopeContext scope;
  auto define = [&](const std::string &name) {
    defined.insert(name);
    scope.add(name);
  };
  for (const auto &t : graph.initializer())
    define(t.name());
  for (const auto &t : graph.sparse_initializer())
    define(t.values().name());
  for (const auto &v : graph.input()) {
    try {
      onnx::checker::check_value_info(v, ctx);
    } catch (const std::exception &e) {
      return blame("graph input '" + printableName(v.name()) + "'", e.what());
    }
    define(v.name());
  }
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &node = graph.node(i);
    for (const std::string &in : node.input())
      if (!in.empty() && !defined.contains(in))
        return nodeWhere(node, i) + ": input '" + printableName(in) +
               "' is not produced before it (nodes must be in topological "
               "order, without cycles)";
    try {
      onnx::checker::check_node(node, ctx, scope);
    } catch (const std::exception &e) {
      return blame(nodeWhere(node, i), e.what());
    }
    for (const std::string &out : node.output())
      if (!out.empty())
        define(out);
  }
  for (int i = 0; i < graph.output_size(); ++i) {
    const onnx::ValueInfoProto &v = graph.output(i);
    std::string where = v.name().empty()
                            ? "graph output " + std::to_string(i)
                            : "graph output '" + printableName(v.name()) + "'";
    try {
      onnx::checker::check_value_info(v, ctx);
    } catch (const std::exception &e) {
      return blame(where, e.what());
    }
  }
  return firstLine(what);
}

/// Spells the default domain "" on every node of `graph` and its subgraphs
/// ("ai.onnx" is its other spelling).
void normalizeDefaultDomain(onnx::GraphProto &graph) {
  for (onnx::NodeProto &node : *graph.mutable_node()) {
    if (node.domain() == "ai.onnx")
      node.set_domain("");
    for (onnx::AttributeProto &a : *node.mutable_attribute()) {
      if (a.has_g())
        normalizeDefaultDomain(*a.mutable_g());
      for (onnx::GraphProto &g : *a.mutable_graphs())
        normalizeDefaultDomain(g);
    }
  }
}

/// Refuses names that no C string can carry: a name holding a NUL byte would
/// reach the generated library's introspection strings cut short (every
/// other byte is carried intact and escaped where it reaches generated code,
/// codegen/CppWriter.h). Walks subgraphs too.
llvm::Error checkNames(llvm::StringRef path, const onnx::GraphProto &graph) {
  auto bad = [](const std::string &n) {
    return n.find('\0') != std::string::npos;
  };
  auto refuse = [&](const llvm::Twine &where, const std::string &n) {
    return fileError(path, where + " has the name '" + printableName(n) +
                               "', which holds a NUL byte; ONNX names are "
                               "text without NUL");
  };
  auto values = [&](const auto &list, const char *what) -> llvm::Error {
    for (const onnx::ValueInfoProto &v : list)
      if (bad(v.name()))
        return refuse(llvm::Twine("graph '") + printableName(graph.name()) +
                          "': " + what,
                      v.name());
    return llvm::Error::success();
  };
  if (bad(graph.name()))
    return refuse("a graph", graph.name());
  if (llvm::Error e = values(graph.input(), "an input"))
    return e;
  if (llvm::Error e = values(graph.output(), "an output"))
    return e;
  if (llvm::Error e = values(graph.value_info(), "a value_info"))
    return e;
  for (const onnx::TensorProto &t : graph.initializer())
    if (bad(t.name()))
      return refuse("an initializer", t.name());
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &node = graph.node(i);
    std::string where = nodeWhere(node, i);
    if (bad(node.name()) || bad(node.op_type()))
      return refuse("a node", bad(node.name()) ? node.name() : node.op_type());
    for (const std::string &n : node.input())
      if (bad(n))
        return refuse(where + ": an input", n);
    for (const std::string &n : node.output())
      if (bad(n))
        return refuse(where + ": an output", n);
    for (const onnx::AttributeProto &a : node.attribute()) {
      if (a.has_g())
        if (llvm::Error e = checkNames(path, a.g()))
          return e;
      for (const onnx::GraphProto &g : a.graphs())
        if (llvm::Error e = checkNames(path, g))
          return e;
    }
  }
  return llvm::Error::success();
}

/// The elements of a typed data field a tensor of `dtype` stores per
/// element, with the field's count; {0, -1} for types without one.
std::pair<int64_t, int64_t> typedDataCount(const onnx::TensorProto &t) {
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    return {1, t.float_data_size()};
  case onnx::TensorProto::COMPLEX64:
    return {2, t.float_data_size()};
  case onnx::TensorProto::DOUBLE:
    return {1, t.double_data_size()};
  case onnx::TensorProto::COMPLEX128:
    return {2, t.double_data_size()};
  case onnx::TensorProto::INT64:
    return {1, t.int64_data_size()};
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    return {1, t.uint64_data_size()};
  case onnx::TensorProto::STRING:
    return {1, t.string_data_size()};
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    return {1, t.int32_data_size()};
  default:
    return {0, -1};
  }
}

/// A tensor's data must hold exactly its shape's elements: libonnx's own
/// readers (shape inference's ParseData) write past their buffer otherwise,
/// and the importer would read past the data. Dims are non-negative and
/// their product fits in int64 bytes.
llvm::Error checkTensorData(llvm::StringRef path, const onnx::TensorProto &t,
                            const llvm::Twine &where) {
  auto refuse = [&](const llvm::Twine &msg) {
    return fileError(path, where + " '" + printableName(t.name()) + "' " + msg);
  };
  const std::string dims =
      dimsText(llvm::ArrayRef<int64_t>(t.dims().data(), t.dims_size()));
  for (int64_t d : t.dims())
    if (d < 0)
      return refuse("has a negative dim (" + llvm::Twine(d) + ")");
  std::optional<int64_t> elements = mlir::anvil::checkedElementCount(
      llvm::ArrayRef<int64_t>(t.dims().data(), t.dims_size()));
  if (!elements)
    return refuse("has shape [" + dims + "], more than Anvil's limit of 2^36 "
                  "elements per tensor");
  int64_t count = *elements;
  if (t.has_raw_data()) {
    int64_t bytes = elementBytes(t.data_type());
    if (bytes == 0)
      return llvm::Error::success(); // strings have no raw form; libonnx says
    int64_t want = count * bytes;
    if (int64_t(t.raw_data().size()) != want)
      return refuse("holds " + llvm::Twine(t.raw_data().size()) +
                    " bytes of raw data, but its shape [" + dims + "] of " + dataTypeName(t.data_type()) + " needs " +
                    llvm::Twine(want));
    return llvm::Error::success();
  }
  auto [perElement, have] = typedDataCount(t);
  if (have > 0 && have != count * perElement)
    return refuse("holds " + llvm::Twine(have) + " values, but its shape [" +
                  dims + "] needs " + llvm::Twine(count * perElement));
  return llvm::Error::success();
}

/// The ops whose window attributes libonnx's shape inference divides by.
bool hasSlidingWindow(llvm::StringRef op) {
  return op == "Conv" || op == "ConvTranspose" || op == "ConvInteger" ||
         op == "QLinearConv" || op == "MaxPool" || op == "AveragePool" ||
         op == "LpPool" || op == "MaxUnpool" || op == "MaxRoiPool" ||
         op == "DeformConv" || op == "Col2Im";
}

/// The ranks a graph states before shape inference: its inputs and
/// value_infos with shapes, its initializers.
llvm::StringMap<int> statedRanks(const onnx::GraphProto &graph) {
  llvm::StringMap<int> ranks;
  auto add = [&](const onnx::ValueInfoProto &v) {
    if (v.type().has_tensor_type() && v.type().tensor_type().has_shape())
      ranks[v.name()] = v.type().tensor_type().shape().dim_size();
  };
  for (const auto &v : graph.input())
    add(v);
  for (const auto &v : graph.value_info())
    add(v);
  for (const auto &t : graph.initializer())
    ranks[t.name()] = t.dims_size();
  return ranks;
}

/// libonnx's convolution shape inference indexes the input's dims by the
/// weight's rank and the kernel's dims by the input's: a convolution whose
/// data and weight ranks differ (where the graph states both), or whose
/// kernel_shape does not match the data's spatial rank, is refused first.
llvm::Error checkWindowRanks(llvm::StringRef path, const onnx::NodeProto &node,
                             const std::string &where,
                             const llvm::StringMap<int> &ranks) {
  auto rankOf = [&](int i) -> int {
    if (i >= node.input_size())
      return -1;
    auto it = ranks.find(node.input(i));
    return it == ranks.end() ? -1 : it->second;
  };
  llvm::StringRef op = node.op_type();
  if (op == "Col2Im" || op == "MaxRoiPool") // other attribute layouts
    return llvm::Error::success();
  int weight = op == "QLinearConv" ? 3
               : (op == "Conv" || op == "ConvTranspose" ||
                  op == "ConvInteger" || op == "DeformConv")
                   ? 1
                   : -1;
  int dataRank = rankOf(0);
  if (weight >= 0 && dataRank >= 0 && rankOf(weight) >= 0 &&
      rankOf(weight) != dataRank)
    return fileError(path, where + ": its input '" + node.input(0) +
                               "' has rank " + llvm::Twine(dataRank) +
                               " and its weight '" + node.input(weight) +
                               "' rank " + llvm::Twine(rankOf(weight)) +
                               "; they must be equal");
  if (dataRank >= 0 && dataRank < 3)
    return fileError(path, where + ": its input '" + node.input(0) +
                               "' has rank " + llvm::Twine(dataRank) +
                               "; windows need rank 3 or more");
  for (const onnx::AttributeProto &a : node.attribute()) {
    int expected = a.name() == "pads" ? 2 : 1;
    if (a.name() != "pads" && a.name() != "kernel_shape" &&
        a.name() != "strides" && a.name() != "dilations")
      continue;
    if (dataRank >= 0 && a.ints_size() != expected * (dataRank - 2))
      return fileError(path, where + ": attribute " + a.name() + " has " +
                                 llvm::Twine(a.ints_size()) +
                                 " values for an input of rank " +
                                 llvm::Twine(dataRank) + "; it needs " +
                                 llvm::Twine(expected * (dataRank - 2)));
  }
  return llvm::Error::success();
}

/// What libonnx's checker and shape inference do not protect themselves
/// against, refused before they see it: window attributes out of range (a
/// zero stride is a division by zero in shape inference) and tensor data
/// that disagrees with its shape. Walks subgraphs too.
llvm::Error checkForLibonnx(llvm::StringRef path,
                            const onnx::GraphProto &graph) {
  for (const onnx::TensorProto &t : graph.initializer())
    if (llvm::Error e = checkTensorData(path, t, "initializer"))
      return e;
  llvm::StringMap<int> ranks = statedRanks(graph);
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &node = graph.node(i);
    std::string where = nodeWhere(node, i);
    bool window = node.domain().empty() && hasSlidingWindow(node.op_type());
    if (window)
      if (llvm::Error e = checkWindowRanks(path, node, where, ranks))
        return e;
    for (const onnx::AttributeProto &a : node.attribute()) {
      if (a.has_t())
        if (llvm::Error e =
                checkTensorData(path, a.t(), where + ": attribute tensor"))
          return e;
      for (const onnx::TensorProto &t : a.tensors())
        if (llvm::Error e =
                checkTensorData(path, t, where + ": attribute tensor"))
          return e;
      if (a.has_g())
        if (llvm::Error e = checkForLibonnx(path, a.g()))
          return e;
      for (const onnx::GraphProto &g : a.graphs())
        if (llvm::Error e = checkForLibonnx(path, g))
          return e;
      if (!window)
        continue;
      // Bounds that keep every window size computation far from overflow.
      constexpr int64_t kMaxWindow = int64_t(1) << 31;
      int64_t lo = 1;
      if (a.name() == "pads")
        lo = 0;
      else if (a.name() != "strides" && a.name() != "dilations" &&
               a.name() != "kernel_shape")
        continue;
      for (int64_t v : a.ints())
        if (v < lo || v > kMaxWindow)
          return fileError(path, where + ": attribute " + a.name() +
                                     " holds " + llvm::Twine(v) +
                                     "; it must lie in [" + llvm::Twine(lo) +
                                     ", 2^31]");
    }
  }
  return llvm::Error::success();
}

llvm::Error applyPins(llvm::StringRef path, const ImportOptions &opts,
                      onnx::GraphProto &graph) {
  llvm::StringSet<> initializers;
  for (const auto &t : graph.initializer())
    initializers.insert(t.name());
  for (const auto &[name, dims] : opts.shapePins) {
    onnx::ValueInfoProto *input = nullptr;
    for (auto &in : *graph.mutable_input())
      if (in.name() == name)
        input = &in;
    if (!input || initializers.contains(name)) {
      std::string names;
      for (const auto &in : graph.input())
        if (!initializers.contains(in.name()))
          names += (names.empty() ? "'" : ", '") + in.name() + "'";
      return fileError(path, "--shape " + name + "=" + dimsText(dims) +
                                 " names no graph input (inputs: " + names +
                                 ")");
    }
    auto *tensorType = input->mutable_type()->mutable_tensor_type();
    auto *shape = tensorType->mutable_shape();
    if (shape->dim_size() != 0 &&
        shape->dim_size() != static_cast<int>(dims.size()))
      return fileError(path, "--shape " + name + "=" + dimsText(dims) +
                                 ": input '" + name + "' has rank " +
                                 llvm::Twine(shape->dim_size()));
    for (size_t i = 0; i < dims.size(); ++i) {
      if (dims[i] <= 0)
        return fileError(path, "--shape " + name + "=" + dimsText(dims) +
                                   ": dims must be positive");
      if (static_cast<int>(i) < shape->dim_size() &&
          shape->dim(i).has_dim_value() && shape->dim(i).dim_value() != dims[i])
        return fileError(path, "--shape " + name + "=" + dimsText(dims) +
                                   ": input '" + name + "' has static dim " +
                                   llvm::Twine(i) + " = " +
                                   llvm::Twine(shape->dim(i).dim_value()));
    }
    shape->clear_dim();
    for (int64_t d : dims)
      shape->add_dim()->set_dim_value(d);
  }
  return llvm::Error::success();
}

/// Every graph input that is not an initializer becomes a function argument:
/// it needs a static f32 shape.
llvm::Error checkRuntimeInputs(llvm::StringRef path,
                               const onnx::GraphProto &graph) {
  llvm::StringSet<> initializers;
  for (const auto &t : graph.initializer())
    initializers.insert(t.name());
  std::vector<std::string> problems;
  for (const auto &in : graph.input()) {
    if (initializers.contains(in.name()))
      continue;
    const std::string &name = in.name();
    if (!in.type().has_tensor_type()) {
      problems.push_back("input '" + name + "' is not a tensor");
      continue;
    }
    const auto &tt = in.type().tensor_type();
    if (tt.elem_type() != onnx::TensorProto::FLOAT) {
      problems.push_back("input '" + name + "' has element type " +
                         dataTypeName(tt.elem_type()) +
                         "; runtime tensors must be float (f32)");
      continue;
    }
    if (!tt.has_shape()) {
      problems.push_back("input '" + name +
                         "' has no shape; pin it with --shape " + name +
                         "=D0xD1x...");
      continue;
    }
    std::string unknown, hint;
    int numUnknown = 0;
    llvm::SmallVector<int64_t> staticDims;
    bool empty = false;
    for (int i = 0; i < tt.shape().dim_size(); ++i) {
      const auto &d = tt.shape().dim(i);
      // A dim_value of 0 is a static empty dim, negative ones are invalid;
      // only a missing value (or a dim_param) is unknown.
      bool known = d.has_dim_value();
      staticDims.push_back(known ? d.dim_value() : 1);
      empty |= known && d.dim_value() == 0;
      if (i)
        hint += 'x';
      hint += known ? std::to_string(d.dim_value()) : std::string("1");
      if (known)
        continue;
      ++numUnknown;
      unknown += (unknown.empty() ? "" : ", ") + std::to_string(i);
      if (d.has_dim_param() && !d.dim_param().empty())
        unknown += " ('" + d.dim_param() + "')";
    }
    if (numUnknown) {
      problems.push_back("input '" + name + "' has unknown dim" +
                         (numUnknown > 1 ? "s " : " ") + unknown +
                         "; pin it with --shape " + name + "=" + hint);
      continue;
    }
    std::string dims = dimsText(staticDims);
    if (llvm::any_of(staticDims, [](int64_t d) { return d < 0; }))
      problems.push_back("input '" + name + "' has a negative dim (shape [" +
                         dims + "])");
    else if (empty)
      problems.push_back("input '" + name + "' is empty (shape [" + dims +
                         "]); " + kNoEmptyRuntimeTensors);
    else if (!mlir::anvil::isRepresentableShape(staticDims))
      problems.push_back("input '" + name + "' has shape [" + dims +
                         "], more than Anvil's limit of 2^36 elements per "
                         "tensor");
  }
  if (problems.empty())
    return llvm::Error::success();
  return fileError(path, llvm::join(problems, "; "));
}

} // namespace

std::string anvil::onnx_import::dimsText(llvm::ArrayRef<int64_t> dims) {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      s += 'x';
    s += std::to_string(dims[i]);
  }
  return s;
}

std::string anvil::onnx_import::dataTypeName(int32_t dtype) {
  switch (dtype) {
  case onnx::TensorProto::FLOAT:
    return "float";
  case onnx::TensorProto::UINT8:
    return "uint8";
  case onnx::TensorProto::INT8:
    return "int8";
  case onnx::TensorProto::UINT16:
    return "uint16";
  case onnx::TensorProto::INT16:
    return "int16";
  case onnx::TensorProto::INT32:
    return "int32";
  case onnx::TensorProto::INT64:
    return "int64";
  case onnx::TensorProto::STRING:
    return "string";
  case onnx::TensorProto::BOOL:
    return "bool";
  case onnx::TensorProto::FLOAT16:
    return "float16";
  case onnx::TensorProto::DOUBLE:
    return "double";
  case onnx::TensorProto::UINT32:
    return "uint32";
  case onnx::TensorProto::UINT64:
    return "uint64";
  case onnx::TensorProto::COMPLEX64:
    return "complex64";
  case onnx::TensorProto::COMPLEX128:
    return "complex128";
  case onnx::TensorProto::BFLOAT16:
    return "bfloat16";
  default:
    return "undefined";
  }
}

llvm::Error anvil::onnx_import::loadModel(llvm::StringRef path,
                                          const ImportOptions &opts,
                                          onnx::ModelProto &model) {
  if (!llvm::sys::fs::exists(path))
    return fileError(path, "no such file");
  std::optional<int64_t> fileSize;
  if (llvm::Error e = regularFileSize(path, fileSize))
    return fileError(path, llvm::toString(std::move(e)) +
                               "; expected an ONNX model file");
  // Protobuf's limit; larger weights belong in external data files.
  if (*fileSize > INT32_MAX)
    return fileError(path, "larger than 2 GB; store the weights as external "
                           "data");
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/true);
  if (!buffer)
    return fileError(path, "cannot be read: " + buffer.getError().message());

  llvm::StringRef ext = llvm::sys::path::extension(path);
  if (ext == ".onnxtxt") {
    try {
      onnx::OnnxParser parser((*buffer)->getBufferStart());
      auto status = parser.Parse(model);
      if (!status.IsOK())
        return fileError(path, "not a valid ONNX model (" +
                                   firstLine(status.ErrorMessage().c_str()) +
                                   ")");
    } catch (const std::exception &e) {
      return fileError(path,
                       "not a valid ONNX model (" + firstLine(e.what()) + ")");
    }
  } else {
    llvm::StringRef bytes = (*buffer)->getBuffer();
    if (bytes.size() > static_cast<size_t>(INT32_MAX)) // grew since stat
      return fileError(path, "larger than 2 GB; store the weights as external "
                             "data");
    if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      if (nestedTooDeep(bytes))
        return fileError(path, "its subgraphs (If, Loop, Scan bodies) nest "
                               "deeper than protobuf's limit of 100 message "
                               "levels, about 33 subgraphs deep");
      return fileError(path, "not a valid ONNX model (protobuf parsing "
                             "failed: truncated or not an ONNX file)");
    }
  }
  if (!model.has_graph() || model.ir_version() <= 0)
    return fileError(path, "not a valid ONNX model (no graph or IR version)");

  // The default domain's opset decides every node's semantics. Older models
  // (opsets 1 to 6, e.g. early PyTorch exports) are upgraded to opset 7 with
  // ONNX's own version converter, which rewrites the legacy broadcast and
  // consumed_inputs attributes; the importer itself only knows 7 to 17.
  int64_t upgradeFrom = 0;
  // "ai.onnx" is the default domain's other spelling: one spelling ("") for
  // libonnx, which only knows that one, and for everything after this.
  for (auto &opset : *model.mutable_opset_import())
    if (opset.domain() == "ai.onnx")
      opset.set_domain("");
  normalizeDefaultDomain(*model.mutable_graph());
  llvm::StringSet<> domains;
  for (const auto &opset : model.opset_import())
    if (!domains.insert(opset.domain()).second)
      return fileError(path, "imports the opset of domain '" +
                                 printableName(opset.domain().empty()
                                                   ? "ai.onnx"
                                                   : opset.domain()) +
                                 "' twice");
  if (model.graph().output_size() == 0)
    return fileError(path, "the graph has no outputs");
  llvm::StringSet<> outputs;
  for (const auto &v : model.graph().output())
    if (!outputs.insert(v.name()).second)
      return fileError(path, "graph output '" + printableName(v.name()) +
                                 "' is listed twice");
  if (model.graph().sparse_initializer_size() > 0)
    return fileError(path, "sparse initializer '" +
                               printableName(model.graph()
                                                 .sparse_initializer(0)
                                                 .values()
                                                 .name()) +
                               "' is not supported; store it as a dense "
                               "initializer");
  for (const auto &opset : model.opset_import()) {
    if (!opset.domain().empty())
      continue;
    if (opset.version() < 1 || opset.version() > 17)
      return fileError(path, "opset " + llvm::Twine(opset.version()) +
                                 " of the default ONNX domain is not "
                                 "supported (Anvil accepts opsets 1 to 17)");
    if (opset.version() < 7)
      upgradeFrom = opset.version();
  }

  if (llvm::Error e = checkNames(path, model.graph()))
    return e;
  if (llvm::Error e = inlineAllExternalData(path, *model.mutable_graph()))
    return e;
  if (llvm::Error e = checkForLibonnx(path, model.graph()))
    return e;
  if (llvm::Error e = applyPins(path, opts, *model.mutable_graph()))
    return e;
  // The checker (and nothing else of libonnx) first: ONNX's version
  // converter dereferences what a malformed graph lacks.
  auto check = [&]() -> llvm::Error {
    try {
      onnx::checker::check_model(model);
    } catch (const std::exception &e) {
      return fileError(path, "not a valid ONNX model (" +
                                 checkerProblem(model, e.what()) + ")");
    }
    return llvm::Error::success();
  };
  if (upgradeFrom) {
    // An op the opset does not have, named (the checker would not name the
    // node).
    for (int i = 0; i < model.graph().node_size(); ++i) {
      const onnx::NodeProto &node = model.graph().node(i);
      if (node.domain().empty() &&
          !onnx::OpSchemaRegistry::Schema(node.op_type(), upgradeFrom, ""))
        return fileError(path, nodeWhere(node, i) +
                                   " is not an operator of ONNX opset " +
                                   llvm::Twine(upgradeFrom));
    }
    if (llvm::Error e = check())
      return e;
    // The checker does not ask that graph outputs be produced; the
    // converter dereferences their producer.
    llvm::StringSet<> defined;
    for (const auto &v : model.graph().input())
      defined.insert(v.name());
    for (const auto &t : model.graph().initializer())
      defined.insert(t.name());
    for (const auto &n : model.graph().node())
      for (const std::string &o : n.output())
        defined.insert(o);
    for (const auto &v : model.graph().output())
      if (!defined.contains(v.name()))
        return fileError(path, "graph output '" + printableName(v.name()) +
                                   "' is produced by no node, input or "
                                   "initializer");
    std::string problem = "opset " + std::to_string(upgradeFrom) +
                          " could not be upgraded to opset 7: ONNX's version "
                          "converter";
    if (llvm::Error e = inChildProcess(
            path, problem, model, /*keepInitializers=*/true,
            [&](onnx::ModelProto &m) -> std::string {
              try {
                m = onnx::version_conversion::ConvertVersion(m, 7);
              } catch (const std::exception &) {
                return problem + " has no adapter for one of its nodes";
              }
              return "";
            }))
      return e;
  }

  if (llvm::Error e = check())
    return e;
  // Runtime inputs first: shape inference's messages would not name them.
  if (llvm::Error e = checkRuntimeInputs(path, model.graph()))
    return e;
  return inChildProcess(
      path, "ONNX's shape inference", model, /*keepInitializers=*/false,
      [](onnx::ModelProto &m) -> std::string {
        try {
          onnx::ShapeInferenceOptions options(/*check_type_val=*/false,
                                              /*strict_mode_val=*/0,
                                              /*data_prop_val=*/false);
          onnx::shape_inference::InferShapes(
              m, onnx::OpSchemaRegistry::Instance(), options);
        } catch (const std::exception &e) {
          return "shape inference failed: " + firstLine(e.what());
        }
        return "";
      });
}
