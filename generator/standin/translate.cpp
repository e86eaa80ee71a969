#include "standin/translate.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

namespace wyn::standin {

namespace {

using ValueKind = Value::Kind;

/// A function the runtime provides as `wyn_rt_<name>`. Integer parameters are
/// sizes and durations, so they must not be negative.
struct Builtin {
  std::string_view name;
  std::vector<ValueKind> params;
};

const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> table = {
      {"abort", {}},
      {"alloc_mb", {ValueKind::integer}},
      {"burn_ms", {ValueKind::integer}},
      {"count_file", {ValueKind::string}},
      {"count_tmp", {ValueKind::string}},
      {"crash", {}},
      {"eprintln", {ValueKind::string}},
      {"fail_times", {ValueKind::string, ValueKind::integer}},
      {"flood", {ValueKind::integer}},
      {"flood_stderr", {ValueKind::integer}},
      {"fpe", {}},
      {"hang", {}},
      {"hang_ignoring_term", {}},
      {"print", {ValueKind::string}},
      {"print_args", {}},
      {"print_env", {ValueKind::string}},
      {"print_file", {ValueKind::string}},
      {"print_pid", {}},
      {"print_tmp", {ValueKind::string}},
      {"println", {ValueKind::string}},
      {"read_stdin", {}},
      {"require_dir", {ValueKind::string, ValueKind::integer}},
      {"require_file", {ValueKind::string, ValueKind::integer}},
      {"sleep_ms", {ValueKind::integer}},
      {"spawn_orphan", {ValueKind::integer}},
      {"write_file", {ValueKind::string, ValueKind::string}},
      {"write_tmp", {ValueKind::string, ValueKind::string}},
  };
  return table;
}

const Builtin* find_builtin(std::string_view name) {
  for (const Builtin& builtin : builtins()) {
    if (builtin.name == name) return &builtin;
  }
  return nullptr;
}

std::string signature(const std::vector<ValueKind>& kinds) {
  std::string out = "(";
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (i) out += ", ";
    out += kinds[i] == ValueKind::string ? "string" : "integer";
  }
  return out + ")";
}

/// One filler function for EmitOptions::weight; @N@ is its index, @M@, @L@
/// and @K@ constants derived from it, so that no two are the same code.
const char kWeightFunction[] = R"(long wyn_weight_@N@(long x, long y) {
  long a = x * @M@ + y, b = y ^ @N@;
  for (int i = 0; i < @L@; ++i) {
    a = a * 31 + (b >> @K@);
    if (a & 1) b += i * @K@; else b -= a / (i + 1);
  }
  switch ((a ^ b) & 7) {
    case 0: a += @N@; break;
    case 1: b -= a; break;
    case 2: a ^= b << 2; break;
    case 3: b = a % (b | 1); break;
    default: a = b - a;
  }
  return a + b * @K@;
}
)";

/// `count` filler functions. External, so that the C compiler compiles each
/// even at -O0 (the linker's --gc-sections then drops them).
std::string weight_functions(int count) {
  if (count <= 0) return "";
  std::string out = "\n/* Filler modelling the size of real generated C. */\n";
  for (int i = 0; i < count; ++i) {
    const std::pair<std::string_view, std::string> values[] = {
        {"@N@", std::to_string(i)},
        {"@M@", std::to_string(2 * i + 3)},
        {"@L@", std::to_string(i % 13 + 4)},
        {"@K@", std::to_string(i % 7 + 1)},
    };
    std::string text = kWeightFunction;
    for (const auto& [name, value] : values) {
      for (size_t at = 0; (at = text.find(name, at)) != std::string::npos; at += value.size())
        text.replace(at, name.size(), value);
    }
    out += text;
  }
  return out;
}

/// One file of the program and the names visible in it.
struct Unit {
  std::string file;    ///< "" for the file being compiled
  std::string module;  ///< "" for the file being compiled
  ParsedFile parsed;
  std::map<std::string, size_t> functions;  ///< name -> index in parsed.functions
  /// Qualifier ("shapes", "sh") -> unit of the module it names.
  std::map<std::string, size_t> qualified;
  /// Name imported with `import { name } from m` -> unit of m.
  std::map<std::string, size_t> selected;
  std::set<std::string> stdlib;  ///< qualifiers of "wyn:" modules
  /// Names whose import already failed; calls through them are not reported again.
  std::set<std::string> broken;
  std::map<std::string, size_t> import_of;  ///< qualifier or selected name -> import index
  std::vector<bool> import_used;            ///< or failed: either way, no "unused" warning
};

class Translator {
 public:
  Translator(const ModuleReader& read_module, const EmitOptions& options)
      : m_read_module(read_module), m_options(options) {}

  Translation run(std::string_view source) {
    load(source, "");
    for (size_t unit = 0; unit < m_units.size(); ++unit) check_calls(unit);
    // Report the file being compiled first, then modules in load order, each by line.
    std::stable_sort(m_errors.begin(), m_errors.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second.line < b.second.line;
    });
    for (auto& [unit, diagnostic] : m_errors) m_out.errors.push_back(std::move(diagnostic));
    m_out.actions = m_units.front().parsed.actions;
    if (m_out.ok()) emit();
    return std::move(m_out);
  }

 private:
  void error(size_t unit, int line, std::string message) {
    m_errors.emplace_back(unit, Diagnostic{m_units[unit].file, line, std::move(message)});
  }

  /// Parses a file, defines its functions and loads its imports, depth first.
  size_t load(std::string_view source, const std::string& module) {
    const size_t index = m_units.size();
    m_units.emplace_back();
    Unit& unit = m_units.back();  // a deque keeps references valid as it grows
    unit.module = module;
    unit.file = module.empty() ? "" : module + ".wyn";
    unit.parsed = parse_file(source);
    for (Diagnostic& diagnostic : unit.parsed.errors)
      error(index, diagnostic.line, diagnostic.message);
    if (!module.empty()) {
      m_loaded[module] = index;
      m_out.modules.push_back(unit.file);
    }

    for (size_t i = 0; i < unit.parsed.functions.size(); ++i) {
      const Function& function = unit.parsed.functions[i];
      // A module's main is how it was tested on its own; importers ignore it.
      if (!module.empty() && function.name == "main") continue;
      if (find_builtin(function.name)) {
        error(index, function.line, "'" + function.name + "' is a built-in function");
        continue;
      }
      auto [it, inserted] = unit.functions.emplace(function.name, i);
      if (!inserted) {
        error(index, function.line,
              "function '" + function.name + "' is already defined on line " +
                  std::to_string(unit.parsed.functions[it->second].line));
      }
    }
    if (module.empty() && !unit.functions.count("main")) error(index, 1, "missing fn main");

    m_loading.push_back(module);
    unit.import_used.assign(unit.parsed.imports.size(), false);
    for (size_t i = 0; i < unit.parsed.imports.size(); ++i) bind_import(index, i);
    m_loading.pop_back();
    return index;
  }

  /// The unit of `name`, loading it on first use; nullopt (reported) when it cannot be.
  std::optional<size_t> resolve_module(size_t from, const Import& import) {
    const auto loading = std::find(m_loading.begin(), m_loading.end(), import.module);
    if (loading != m_loading.end()) {
      std::string chain;
      for (auto it = loading; it != m_loading.end(); ++it) chain += *it + " -> ";
      error(from, import.line, "import cycle: " + chain + import.module);
      return std::nullopt;
    }
    if (auto it = m_loaded.find(import.module); it != m_loaded.end()) return it->second;
    std::optional<std::string> source = m_read_module(import.module);
    if (!source) {
      error(from, import.line, "module '" + import.module + "' not found");
      return std::nullopt;
    }
    return load(*source, import.module);
  }

  void bind_import(size_t index, size_t import_index) {
    const Import import = m_units[index].parsed.imports[import_index];
    if (import.form == Import::Form::stdlib) {
      m_units[index].stdlib.insert(import.alias);
      return;
    }
    const std::optional<size_t> module = resolve_module(index, import);
    Unit& unit = m_units[index];
    const std::vector<std::string> names = import.form == Import::Form::selective
                                               ? import.names
                                               : std::vector<std::string>{import.alias};
    if (!module) {
      unit.broken.insert(names.begin(), names.end());
      unit.import_used[import_index] = true;
      return;
    }
    if (import.form != Import::Form::selective) {
      if (!unit.qualified.emplace(import.alias, *module).second) {
        error(index, import.line, "duplicate import '" + import.alias + "'");
      }
      unit.import_of[import.alias] = import_index;
      return;
    }
    for (const std::string& name : import.names) {
      if (!m_units[*module].functions.count(name)) {
        error(index, import.line, "module '" + import.module + "' has no function '" + name + "'");
        unit.broken.insert(name);
      } else if (unit.functions.count(name) || !unit.selected.emplace(name, *module).second) {
        error(index, import.line, "'" + name + "' is already defined");
      } else {
        unit.import_of[name] = import_index;
      }
    }
  }

  void check_call(size_t index, const Statement& call) {
    Unit& unit = m_units[index];
    auto mark_used = [&unit](const std::string& name) {
      unit.import_used[unit.import_of.at(name)] = true;
    };
    if (!call.qualifier.empty()) {
      const std::string full = call.qualifier + "." + call.callee;
      if (unit.broken.count(call.qualifier)) return;
      if (unit.stdlib.count(call.qualifier)) {
        error(index, call.line,
              "standard library function '" + full + "' is not available in the stand-in");
      } else if (auto it = unit.qualified.find(call.qualifier); it == unit.qualified.end()) {
        error(index, call.line,
              "Undefined module '" + call.qualifier + "' in call to '" + full + "'");
      } else if (!m_units[it->second].functions.count(call.callee)) {
        mark_used(call.qualifier);
        error(index, call.line,
              "module '" + m_units[it->second].module + "' has no function '" + call.callee + "'");
      } else {
        mark_used(call.qualifier);
        if (!call.args.empty()) error(index, call.line, "'" + full + "' takes no arguments");
      }
      return;
    }
    if (const Builtin* builtin = find_builtin(call.callee)) {
      std::vector<ValueKind> kinds;
      for (const Value& arg : call.args) kinds.push_back(arg.kind);
      if (kinds != builtin->params) {
        error(index, call.line,
              "'" + call.callee + "' expects " + signature(builtin->params) + ", got " +
                  signature(kinds));
        return;
      }
      for (const Value& arg : call.args) {
        if (arg.kind == ValueKind::integer && arg.integer < 0) {
          error(index, call.line,
                "'" + call.callee + "' needs a non-negative integer, got " +
                    std::to_string(arg.integer));
        }
      }
      return;
    }
    const bool local = unit.functions.count(call.callee) > 0;
    if (!local && unit.broken.count(call.callee)) return;
    if (!local && !unit.selected.count(call.callee)) {
      error(index, call.line, "Undefined function '" + call.callee + "'");
      return;
    }
    if (!local) mark_used(call.callee);
    if (!call.args.empty()) error(index, call.line, "'" + call.callee + "' takes no arguments");
  }

  void check_calls(size_t index) {
    for (const auto& [name, function] : m_units[index].functions) {
      for (const Statement& statement : m_units[index].parsed.functions[function].body) {
        if (statement.kind == Statement::Kind::call) check_call(index, statement);
      }
    }
    const Unit& unit = m_units[index];
    for (size_t i = 0; i < unit.parsed.imports.size(); ++i) {
      const Import& import = unit.parsed.imports[i];
      if (import.form == Import::Form::stdlib || unit.import_used[i]) continue;
      m_out.warnings.push_back(
          Diagnostic{unit.file, import.line, "unused import '" + import.module + "'"});
    }
  }

  std::string c_name(size_t unit, const std::string& function) const {
    if (unit == 0 && function == "main") return "wyn_main";
    return "wyn_u" + std::to_string(unit) + "_" + function;
  }

  std::string c_call(size_t index, const Statement& call) const {
    const Unit& unit = m_units[index];
    if (!call.qualifier.empty())
      return "(void)" + c_name(unit.qualified.at(call.qualifier), call.callee) + "()";
    if (find_builtin(call.callee)) {
      std::string args;
      for (const Value& arg : call.args) {
        if (!args.empty()) args += ", ";
        args += arg.kind == ValueKind::string
                    ? c_string_literal(arg.bytes) + ", " + std::to_string(arg.bytes.size())
                    : "(int64_t)" + std::to_string(arg.integer);
      }
      return "wyn_rt_" + call.callee + "(" + args + ")";
    }
    if (unit.functions.count(call.callee)) return "(void)" + c_name(index, call.callee) + "()";
    return "(void)" + c_name(unit.selected.at(call.callee), call.callee) + "()";
  }

  /// Where a line of `unit` comes from, as the real compiler's `--debug`
  /// writes it before a function or statement: a comment `/* @FILE:N */ `
  /// (indented like the code, a blank after it) and `#line N "FILE"`.
  /// Nothing without debug info.
  std::string debug_location(const Unit& unit, int line, std::string_view indent) const {
    if (m_options.source_path.empty()) return "";
    // Modules are named by file name alone, so that only the path given on
    // the command line makes the C depend on where the sources are.
    const std::string& file = unit.module.empty() ? m_options.source_path : unit.file;
    // The path is written as it is; only a "*/" in it, which would end the
    // comment, is broken up.
    std::string in_comment = file;
    for (size_t at = 0; (at = in_comment.find("*/", at)) != std::string::npos; at += 3)
      in_comment.replace(at, 2, "*\\/");
    const std::string n = std::to_string(line);
    return std::string(indent) + "/* @" + in_comment + ":" + n + " */ \n#line " + n + " " +
           c_string_literal(file) + "\n";
  }

  void emit() {
    std::string declarations;
    std::string definitions;
    for (size_t index = 0; index < m_units.size(); ++index) {
      const Unit& unit = m_units[index];
      declarations +=
          "\n/* " + (unit.module.empty() ? "main file" : "module " + unit.file) + " */\n";
      for (const auto& [name, function] : unit.functions) {
        const Function& source_function = unit.parsed.functions[function];
        const std::string head =
            std::string(index == 0 && name == "main" ? "int " : "static int ") +
            c_name(index, name) + "(void)";
        declarations += head + ";\n";
        definitions += "\n" + debug_location(unit, source_function.line, "") + head + " {\n";
        for (const Statement& statement : source_function.body) {
          definitions += debug_location(unit, statement.line, "  ");
          definitions += statement.kind == Statement::Kind::ret
                             ? "  return " + std::to_string(statement.return_value) + ";\n"
                             : "  " + c_call(index, statement) + ";\n";
        }
        definitions += "  return 0;\n}\n";
      }
    }
    std::string tag;
    const std::vector<Action>& actions = m_units.front().parsed.actions;
    if (std::any_of(actions.begin(), actions.end(),
                    [](const Action& a) { return a.kind == Action::Kind::tagged; })) {
      tag = "#ident " + c_string_literal("wyn-standin codegen " + m_options.codegen_tag) + "\n";
    }
    m_out.c_source =
        "/* Generated by the wyn-ctest stand-in compiler, a test double: not real Wyn output. */\n"
        "#include \"wyn_rt.h\"\n" +
        tag + declarations + definitions + weight_functions(m_options.weight);
  }

  const ModuleReader& m_read_module;
  const EmitOptions& m_options;
  std::deque<Unit> m_units;
  std::map<std::string, size_t> m_loaded;  ///< module name -> unit
  std::vector<std::string> m_loading;      ///< modules being loaded, outermost first
  std::vector<std::pair<size_t, Diagnostic>> m_errors;
  Translation m_out;
};

}  // namespace

Translation translate(std::string_view source, const ModuleReader& read_module,
                      const EmitOptions& options) {
  return Translator(read_module, options).run(source);
}

std::string c_string_literal(std::string_view bytes) {
  static const char digits[] = "01234567";
  std::string out = "\"";
  for (unsigned char c : bytes) {
    if (c == '"' || c == '\\' || c == '?') {
      // '?' is escaped so no "??x" trigraph can form in compilers that still read them.
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += '\\';
      out += digits[c >> 6];
      out += digits[(c >> 3) & 7];
      out += digits[c & 7];
    }
  }
  return out + "\"";
}

std::vector<std::string> builtin_names() {
  std::vector<std::string> names;
  for (const Builtin& builtin : builtins()) names.emplace_back(builtin.name);
  return names;
}

}  // namespace wyn::standin
