//===- CppWriter.cpp - A small typed printer for generated C++ ------------===//

#include "codegen/CppWriter.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>

using namespace anvil::codegen;

std::string anvil::codegen::cppInt(int64_t value) {
  // INT64_MIN has no literal of its own.
  if (value == INT64_MIN)
    return "(-9223372036854775807LL - 1)";
  std::string s = std::to_string(value);
  if (value > INT32_MAX || value < INT32_MIN)
    s += "LL";
  return s;
}

std::string anvil::codegen::cppUnsigned(uint64_t value) {
  std::string s = std::to_string(value);
  if (value > UINT32_MAX)
    s += "ull";
  else
    s += "u";
  return s;
}

std::string anvil::codegen::cppFloat(float value) {
  if (std::isnan(value))
    return "__builtin_nanf(\"\")";
  if (std::isinf(value))
    return value > 0 ? "__builtin_inff()" : "(-__builtin_inff())";
  // %.9g round-trips every float.
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", static_cast<double>(value));
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos)
    s += ".0";
  return s + "f";
}

std::string anvil::codegen::cppBool(bool value) {
  return value ? "true" : "false";
}

std::string anvil::codegen::cppString(llvm::StringRef text) {
  std::string s = "\"";
  for (unsigned char c : text) {
    switch (c) {
    case '"':
      s += "\\\"";
      break;
    case '\\':
      s += "\\\\";
      break;
    case '\n':
      s += "\\n";
      break;
    case '\t':
      s += "\\t";
      break;
    case '?': // never form a trigraph
      s += "\\?";
      break;
    default:
      if (c < 0x20 || c >= 0x7f) { // control bytes, and non-ASCII as bytes
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\%03o", c);
        s += buf;
      } else {
        // Octal escapes stop at three digits, so a digit after one is safe.
        s += static_cast<char>(c);
      }
    }
  }
  return s + "\"";
}

std::string anvil::codegen::commentText(llvm::StringRef text) {
  std::string s;
  s.reserve(text.size());
  char prev = 0;
  for (unsigned char c : text) {
    bool printable = c >= 0x20 && c < 0x7f;
    bool opensOrCloses = (prev == '*' && c == '/') || (prev == '/' && c == '*');
    if (!printable || c == '\\' || c == '?' || opensOrCloses) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      s += buf;
      prev = 0;
    } else {
      s += static_cast<char>(c);
      prev = static_cast<char>(c);
    }
  }
  return s;
}

std::string anvil::codegen::cppIntList(llvm::ArrayRef<int64_t> values) {
  std::string s = "{";
  llvm::ListSeparator sep(", ");
  for (int64_t v : values) {
    s += sep;
    s += cppInt(v);
  }
  return s + "}";
}

std::string StructLiteral::str() const {
  std::string s = type + "{";
  llvm::ListSeparator sep(", ");
  for (const std::string &f : fields) {
    s += sep;
    s += f;
  }
  return s + "}";
}

std::string CallExpr::str() const {
  std::string s = callee;
  if (!targs.empty()) {
    s += "<";
    llvm::ListSeparator sep(", ");
    for (const std::string &t : targs) {
      s += sep;
      s += t;
    }
    s += ">";
  }
  s += "(";
  llvm::ListSeparator sep(", ");
  for (const std::string &a : args) {
    s += sep;
    s += a;
  }
  return s + ")";
}

void CppWriter::line(llvm::StringRef text) {
  if (text.empty()) {
    out += "\n";
    return;
  }
  out.append(2 * depth, ' ');
  out += text;
  out += "\n";
}

void CppWriter::line(llvm::StringRef code, llvm::StringRef comment) {
  line(code.str() + " // " + commentText(comment));
}

void CppWriter::comment(llvm::StringRef text) {
  llvm::SmallVector<llvm::StringRef> lines;
  text.split(lines, '\n');
  for (llvm::StringRef l : lines)
    line(l.empty() ? std::string("//") : "// " + commentText(l));
}

void CppWriter::blockComment(llvm::StringRef text) {
  llvm::SmallVector<llvm::StringRef> lines;
  text.split(lines, '\n');
  line("/*");
  for (llvm::StringRef l : lines)
    line(l.empty() ? std::string(" *") : " * " + commentText(l));
  line(" */");
}

void CppWriter::open(llvm::StringRef head) {
  line(head.empty() ? std::string("{") : (head + " {").str());
  ++depth;
}

void CppWriter::close(llvm::StringRef tail) {
  if (depth > 0)
    --depth;
  line(("}" + tail).str());
}
