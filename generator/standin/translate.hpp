#pragma once
// Translating a Wyn-subset program and the modules it imports into one C
// translation unit that links against the stand-in runtime (runtime/wyn_rt.h).
// Pure: modules are read through a callback, so no file system is touched here.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "standin/parse.hpp"

namespace wyn::standin {

/// Returns the source of module `name` (the file `name.wyn` beside the file
/// being compiled), or nullopt when there is no such module.
using ModuleReader = std::function<std::optional<std::string>(const std::string& name)>;

struct Translation {
  std::string c_source;              ///< empty when there are errors
  std::vector<Diagnostic> errors;    ///< in the order found: the main file first, then modules
  std::vector<Diagnostic> warnings;  ///< e.g. "unused import 'shapes'"
  /// `// standin:` actions of the file being compiled (not of its modules),
  /// for the compiler to carry out whether or not the program has errors.
  std::vector<Action> actions;
  /// File names of the modules read, in load order ("shapes.wyn").
  std::vector<std::string> modules;

  bool ok() const { return errors.empty(); }
};

/// How the C is written, beyond what the program says.
struct EmitOptions {
  /// When non-empty, every function and statement of the file being compiled
  /// is preceded by `/* @<source_path>:N */ ` and `#line N "<source_path>"`
  /// (the build generation's `--debug`, in the real compiler's form), and
  /// those of a module likewise by its `<module>.wyn`. The path is the only
  /// part of the C that depends on where the source is.
  std::string source_path;
  /// The compiler's codegen tag. A program whose file carries
  /// `// standin: tagged` gets it as an `#ident` (which also lands in the
  /// executable), so a compiler with another tag produces other C and another
  /// executable for exactly those programs.
  std::string codegen_tag;
  /// How many generated filler functions to append: deterministic, never
  /// called, each costing the C compiler about as much as the others, so that
  /// compiling the C costs what the real compiler's much larger output does.
  int weight = 0;
};

/// Translates `source`, the file being compiled, which must define `fn main`.
Translation translate(std::string_view source, const ModuleReader& read_module,
                      const EmitOptions& options = {});

/// `bytes` as a C string literal: printable ASCII kept, everything else as a
/// three-digit octal escape (unlike \x, it cannot swallow a following digit).
std::string c_string_literal(std::string_view bytes);

/// Names of the built-in functions, sorted.
std::vector<std::string> builtin_names();

}  // namespace wyn::standin
