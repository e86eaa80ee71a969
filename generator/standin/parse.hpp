#pragma once
// Parsing one file of the stand-in compiler's Wyn subset into imports,
// functions and fault-injection comments. Pure: text in, syntax and
// diagnostics out. Name resolution across files lives in translate.hpp.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// A namespace of its own: the harness's core library also defines
// wyn::Diagnostic and wyn::Import, and the unit tests link both.
namespace wyn::standin {

/// A compile error or warning. Its message text is the same under both CLI
/// generations; only the location prefix differs.
struct Diagnostic {
  /// Empty for the file being compiled, else the module's file name ("shapes.wyn").
  std::string file;
  int line = 0;  ///< 1-based
  std::string message;
};

/// A literal argument of a call.
struct Value {
  enum class Kind { integer, string };
  Kind kind = Kind::integer;
  int64_t integer = 0;
  std::string bytes;  ///< the decoded string, any byte values including NUL
};

/// One line of a function body: a call or a return.
struct Statement {
  enum class Kind { call, ret };
  Kind kind = Kind::call;
  int line = 0;
  std::string qualifier;  ///< "sh" in `sh.area()`; empty when unqualified
  std::string callee;
  std::vector<Value> args;
  int64_t return_value = 0;  ///< a bare `return` returns 0
};

struct Function {
  std::string name;
  int line = 0;
  std::vector<Statement> body;
};

struct Import {
  enum class Form {
    plain,      ///< import shapes
    alias,      ///< import shapes as sh
    selective,  ///< import { area, perimeter } from shapes
    stdlib,     ///< import math from "wyn:math" (needs no file)
  };
  Form form = Form::plain;
  int line = 0;
  std::string module;              ///< "shapes"; for stdlib the part after "wyn:"
  std::string alias;               ///< the name calls are qualified with (plain: module)
  std::vector<std::string> names;  ///< selective form only
};

/// What a `// standin: ...` comment asks the compiler itself to do, so tests of
/// the harness can make the compiler crash, hang or cost CPU on purpose, or
/// make its output depend on the compiler's codegen tag (`tagged`).
struct Action {
  enum class Kind { abort, segv, sleep, burn, tagged };
  Kind kind = Kind::abort;
  int64_t ms = 0;  ///< sleep and burn only
  int line = 0;
};

struct ParsedFile {
  std::vector<Import> imports;
  std::vector<Function> functions;
  std::vector<Action> actions;
  std::vector<Diagnostic> errors;  ///< their `file` is left empty
};

/// Parses one source file. Never throws on bad input; every problem becomes
/// an entry in `errors` with its line.
ParsedFile parse_file(std::string_view source);

}  // namespace wyn::standin
