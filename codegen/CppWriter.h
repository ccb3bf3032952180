//===- CppWriter.h - A small typed printer for generated C++ ----*- C++ -*-===//
//
// The code generator prints C++ through these helpers instead of pasting
// strings at every call site: literals are formatted from typed values (so a
// float always round-trips and an infinity is spelled correctly), template
// calls and struct literals are assembled argument by argument, and lines
// are indented by block depth.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CODEGEN_CPPWRITER_H
#define ANVIL_CODEGEN_CPPWRITER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <initializer_list>
#include <string>

namespace anvil::codegen {

/// A decimal integer literal.
std::string cppInt(int64_t value);
/// An unsigned integer literal with a `u` suffix where it needs one.
std::string cppUnsigned(uint64_t value);
/// A float literal that round-trips exactly (`1.5f`, `-0.0f`,
/// `__builtin_inff()`, `__builtin_nanf("")`).
std::string cppFloat(float value);
/// `true` / `false`.
std::string cppBool(bool value);
/// A double-quoted string literal with C escapes (usable in C and C++).
std::string cppString(llvm::StringRef text);
/// Text from the model (a tensor or node name, a file name) made inert for a
/// comment line: printable ASCII stays as it is except `\\` (a line splice at
/// the end of a line) and `?` (a trigraph in the C modes that have them);
/// every other byte, line ends, NUL and non-ASCII included, becomes `\\xNN`,
/// and `*/` and `/*` are broken up so no block comment ends or opens. The
/// one place generated comments are escaped (CppWriter::comment and
/// blockComment apply it); cppString is its counterpart for literals.
std::string commentText(llvm::StringRef text);
/// A braced integer list: `{1, 2, 3}`.
std::string cppIntList(llvm::ArrayRef<int64_t> values);

/// A literal of an aggregate type: `Type{field, ...}` or, with designated
/// fields, `Type{.a = 1, .b = 2}`.
class StructLiteral {
public:
  explicit StructLiteral(llvm::StringRef type) : type(type.str()) {}
  StructLiteral &addInt(int64_t v) { return addRaw(cppInt(v)); }
  /// One field per value.
  StructLiteral &addInts(std::initializer_list<int64_t> vs) {
    for (int64_t v : vs)
      addInt(v);
    return *this;
  }
  StructLiteral &addFloat(float v) { return addRaw(cppFloat(v)); }
  StructLiteral &addBool(bool v) { return addRaw(cppBool(v)); }
  StructLiteral &addIntList(llvm::ArrayRef<int64_t> v) {
    return addRaw(cppIntList(v));
  }
  StructLiteral &addRaw(llvm::StringRef text) {
    fields.push_back(text.str());
    return *this;
  }
  /// A designated field: `.name = text` (fields in declaration order).
  StructLiteral &field(llvm::StringRef name, llvm::StringRef text) {
    std::string f = ".";
    f += name;
    f += " = ";
    f += text;
    return addRaw(f);
  }
  StructLiteral &field(llvm::StringRef name, int64_t v) {
    return field(name, cppInt(v));
  }
  std::string str() const;

private:
  std::string type;
  llvm::SmallVector<std::string> fields;
};

/// A function call with optional template arguments:
/// `callee<targ, ...>(arg, ...)`.
class CallExpr {
public:
  explicit CallExpr(llvm::StringRef callee) : callee(callee.str()) {}
  CallExpr &templateArg(llvm::StringRef text) {
    targs.push_back(text.str());
    return *this;
  }
  CallExpr &templateInt(int64_t v) { return templateArg(cppInt(v)); }
  CallExpr &arg(llvm::StringRef text) {
    args.push_back(text.str());
    return *this;
  }
  std::string str() const;

private:
  std::string callee;
  llvm::SmallVector<std::string> targs, args;
};

/// Line-oriented output with block indentation (two spaces per level).
class CppWriter {
public:
  /// Appends one line at the current indentation.
  void line(llvm::StringRef text);
  /// Appends `code // comment`, the comment through commentText (its line
  /// ends escaped too: it stays on this line).
  void line(llvm::StringRef code, llvm::StringRef comment);
  /// Appends `// text`, one comment line per line of `text`, each line
  /// through commentText.
  void comment(llvm::StringRef text);
  /// Appends a C block comment: `/*`, ` * line` per line of `text` (through
  /// commentText), ` */`.
  void blockComment(llvm::StringRef text);
  void blank() { out += "\n"; }
  /// `head {` and one level deeper.
  void open(llvm::StringRef head);
  /// One level shallower and `}` followed by `tail`.
  void close(llvm::StringRef tail = "");
  const std::string &str() const { return out; }

private:
  std::string out;
  int depth = 0;
};

} // namespace anvil::codegen

#endif // ANVIL_CODEGEN_CPPWRITER_H
