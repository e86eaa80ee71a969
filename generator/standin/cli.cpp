#include "standin/cli.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "standin/host.hpp"
#include "standin/run.hpp"
#include "standin/toolchain.hpp"
#include "standin/translate.hpp"

namespace wyn::standin {

namespace {

/// ANSI escapes, or empty strings when colour is off.
struct Colours {
  explicit Colours(bool on)
      : bold(on ? "\033[1m" : ""),
        red(on ? "\033[1;31m" : ""),
        yellow(on ? "\033[1;33m" : ""),
        reset(on ? "\033[0m" : "") {}
  const char* bold;
  const char* red;
  const char* yellow;
  const char* reset;
};

// The legacy front end's object is optimised, as LLVM's is; the runtime's
// deliberate crashes are written to survive it.
const char* const kFrontEndOptimisation = "-O1";

/// Reads `path` and translates it, reading imported modules beside it.
Translation translate_file(const std::string& path, const std::string& source,
                           const EmitOptions& options) {
  const std::string directory = parent_directory(path);
  const ModuleReader read_module =
      [&directory](const std::string& name) -> std::optional<std::string> {
    std::string text;
    if (!read_file(join_path(directory, name + ".wyn"), text)) return std::nullopt;
    return text;
  };
  return translate(source, read_module, options);
}

// ---- Generation 1: `wyn file.wyn` -----------------------------------------

/// What both command lines do first: read the file (saying so, as the real
/// compilers do, when it cannot be read), spend the configured CPU, translate
/// it, and carry out the compile-time actions its comments ask for.
bool front_end(const std::string& path, Translation& translation, const EmitOptions& options = {}) {
  std::string source;
  if (!read_file(path, source)) {
    std::fprintf(stderr, "Error: Could not open file '%s'\n", path.c_str());
    return false;
  }
  burn_configured_cpu();
  translation = translate_file(path, source, options);
  perform_actions(translation.actions);
  return true;
}

int legacy_usage(std::FILE* stream, int status) {
  std::fputs("Usage: wyn <file.wyn>\n       wyn --version\n", stream);
  return status;
}

int legacy_compile(const std::string& path) {
  const Colours colours(use_colour());
  Translation translation;
  EmitOptions options;
  options.codegen_tag = codegen_tag();  // into the ".ll", as into the build's C
  if (!front_end(path, translation, options)) return 1;
  for (const Diagnostic& error : translation.errors) {
    const std::string where = error.file.empty() ? "" : " in " + error.file;
    std::fprintf(stderr, "%sError%s at line %d:%s %s\n", colours.red, where.c_str(), error.line,
                 colours.reset, error.message.c_str());
  }
  if (!translation.ok()) return 1;

  // The ".ll" is the generated C behind a fake IR banner; it is what gets
  // compiled to the ".o", as the real compiler compiles its IR.
  const std::string base = strip_extension(path);
  const std::string ir = base + ".ll", object = base + ".o", executable = base + ".out";
  std::string module_id = path;
  for (char& c : module_id) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';  // a newline would end the comment
  }
  const std::string written = write_file(
      ir, "// ; ModuleID = '" + module_id + "' (stand-in: the IR is C)\n" + translation.c_source);
  if (!written.empty()) {
    std::fprintf(stderr, "Error: %s\n", written.c_str());
    return 1;
  }
  std::string looked_in;
  const std::string runtime = find_legacy_runtime(looked_in);
  if (runtime.empty()) {
    std::fprintf(stderr,
                 "Error: linking failed: Wyn runtime sources not found (no wyn_wrapper.c in %s); "
                 "set WYN_ROOT to the Wyn source tree\n",
                 looked_in.c_str());
    return 1;
  }
  // The front end: the real one emits the object itself (LLVM); the
  // stand-in's C compiler stands in for that, by absolute path, so that a
  // `clang` or `cc` the harness puts on PATH sees only the link below.
  std::vector<std::string> compile = host_c_compiler();
  compile.insert(compile.end(), {kFrontEndOptimisation, "-I", runtime, "-x", "c", "-c", operand(ir),
                                 "-o", object});
  std::string failure = run_command(compile);
  if (failure.empty()) {
    // The link, exactly as the real compiler runs it: `clang` from PATH,
    // recompiling every runtime source on every compile (its cost model).
    std::vector<std::string> link{"clang"};
    const std::vector<std::string> extra = configured_cc_flags();
    link.insert(link.end(), extra.begin(), extra.end());
    link.insert(link.end(), {"-o", executable, operand(object)});
    const std::vector<std::string> runtime_files = runtime_sources(runtime);
    for (const std::string& file : runtime_files) link.push_back(operand(file));
    link.push_back("-lm");
    failure = run_command(link);
    if (!failure.empty()) failure = "linking failed: " + failure;
  }
  if (!failure.empty()) {
    std::fprintf(stderr, "Error: %s\n", failure.c_str());
    return 1;
  }
  std::puts("Compiled successfully");
  return 0;
}

// ---- Generation 2: `wyn build file.wyn -o OUT` ----------------------------

int build_usage(std::FILE* stream, int status) {
  std::fputs(
      "Usage: wyn build <file.wyn> [--debug] [-o <output>]\n"
      "       wyn run <file.wyn> [args...]\n"
      "       wyn check <file.wyn>\n"
      "       wyn --version\n",
      stream);
  return status;
}

/// The build generation's warnings and errors for `path`, on stderr.
void print_diagnostics(const std::string& path, const Translation& translation) {
  const Colours colours(use_colour());
  const std::string directory = parent_directory(path);
  for (const Diagnostic& warning : translation.warnings) {
    std::fprintf(stderr, "%sWarning:%s %s\n", colours.yellow, colours.reset,
                 warning.message.c_str());
  }
  for (const Diagnostic& error : translation.errors) {
    const std::string file = error.file.empty() ? path : join_path(directory, error.file);
    std::fprintf(stderr, "%s:%d: %serror:%s %s\n", file.c_str(), error.line, colours.red,
                 colours.reset, error.message.c_str());
  }
}

/// Translates `path` and compiles it to `output` through `c_file`; prints
/// the diagnostics. `debug`: the generated C carries `#line` directives
/// naming `path` as given. False when it failed (everything said).
bool compile(const std::string& path, const std::string& c_file, const std::string& output,
             bool debug) {
  Translation translation;
  EmitOptions options;
  if (debug) options.source_path = path;
  options.codegen_tag = codegen_tag();
  options.weight = configured_c_weight();
  if (!front_end(path, translation, options)) return false;
  print_diagnostics(path, translation);
  if (!translation.ok()) return false;

  std::string failure = write_file(c_file, translation.c_source);
  const std::string runtime = find_build_runtime();
  const std::string archive = join_path(runtime, "libwyn_rt.a");
  if (failure.empty() && access(archive.c_str(), R_OK) != 0) {
    failure = "Wyn runtime not found (no " + archive + ")";
  }
  // One C compiler call, with the real compiler's flags and the runtime archive.
  std::vector<std::string> command = build_c_compiler();
  const std::vector<std::string> extra = configured_cc_flags();
  command.insert(command.end(), extra.begin(), extra.end());
  command.insert(command.end(), {"-std=c11", "-O0", "-w", "-ffunction-sections", "-fdata-sections",
                                 "-I", runtime, "-Wl,--allow-multiple-definition,--gc-sections",
                                 "-o", output, operand(c_file), archive, "-lpthread", "-lm"});
  if (failure.empty()) failure = run_command(command);
  if (!failure.empty()) {
    std::fprintf(stderr, "Error: %s\n", failure.c_str());
    return false;
  }
  return true;
}

/// `wyn build`: `debug`: the generated C carries `#line` directives naming
/// `path` as given.
int build(const std::string& path, const std::string& output, bool debug) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  std::printf("Building %s...\n", path.c_str());
  std::fflush(stdout);
  // Like the real compiler, the C file goes next to the source under a fixed
  // name, so two concurrent builds of one source share it.
  if (!compile(path, path + ".c", output, debug)) return 1;
  // On Windows the C compiler writes OUT.exe for an OUT without an
  // extension, and the message names OUT as given, as the real one's does.
  struct stat st {};
  if (stat(output.c_str(), &st) != 0)
    stat((output + std::string(k_executable_suffix)).c_str(), &st);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  std::printf("Built: %s (%lldKB, %lldms)\n", output.c_str(),
              static_cast<long long>((st.st_size + 1023) / 1024), static_cast<long long>(ms));
  return 0;
}

/// `wyn check FILE`: the front end only, as the real one's: the diagnostics
/// `wyn build` would print, or `✓ FILE: no errors`; no C file, no C
/// compiler, nothing written. Exits 1 when the program has errors.
int check(const std::string& path) {
  Translation translation;
  if (!front_end(path, translation)) return 1;
  print_diagnostics(path, translation);
  if (!translation.ok()) return 1;
  std::printf("\xe2\x9c\x93 %s: no errors\n", path.c_str());  // U+2713, as the real one
  return 0;
}

/// `wyn run FILE [ARGS...]`: builds as `wyn build` does, into a temporary
/// directory (the C file too: nothing lands beside the source), says how
/// long that took on stderr as the real one does, and runs the program with
/// ARGS under a supervisor (run.hpp). Returns what `wyn run` exits with.
int run(const std::string& path, const std::vector<std::string>& program_args) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  std::string error;
  const std::string directory =
      make_unique_directory(join_path(temp_directory(), "wyn-run-"), error);
  if (directory.empty()) {
    std::fprintf(stderr, "Error: cannot create a directory for the program: %s\n", error.c_str());
    return 1;
  }
  std::string name = path.substr(path.find_last_of(k_path_separators) + 1);
  const std::string c_file = name + ".c";
  name = strip_extension(name);
  if (name + ".c" == c_file) name += ".out";  // "x.c" would be both
  name += k_executable_suffix;                // named in full, so that it can be removed
  const std::vector<std::string> files{c_file, name};
  if (!compile(path, join_path(directory, c_file), join_path(directory, name), false)) {
    for (const std::string& file : files) unlink(join_path(directory, file).c_str());
    rmdir(directory.c_str());
    return 1;
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  // Dim, whatever NO_COLOR says, as the real one prints it.
  std::fprintf(stderr, "\033[2mCompiled in %lldms\033[0m\n", static_cast<long long>(ms));
  std::vector<std::string> argv{join_path(directory, name)};
  argv.insert(argv.end(), program_args.begin(), program_args.end());
  return run_supervised(argv, directory, files);
}

}  // namespace

int run_legacy_cli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && args[0] == "--version") {
    std::puts("Wyn v1.6.0 (LLVM backend) [wyn-ctest stand-in]");
    return 0;
  }
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) return legacy_usage(stdout, 0);
  if (args.size() == 2 && args[0] == "--")
    args.erase(args.begin());
  else if (args.size() == 1 && args[0].size() > 1 && args[0][0] == '-')
    return legacy_usage(stderr, 1);
  if (args.size() != 1) return legacy_usage(stderr, 1);
  return legacy_compile(args[0]);
}

int run_build_cli(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return build_usage(stderr, 2);
  const std::string& command = args[0];
  if (command == "--version" || command == "-v" || command == "version") {
    // The real one prints these escapes whatever the terminal or NO_COLOR say.
    std::puts("\033[1mWyn v1.20.0\033[0m - compiled language: wyn-ctest stand-in");
    return 0;
  }
  if (command == "--help" || command == "-h" || command == "help") return build_usage(stdout, 0);
  if (command == "run") {
    // Everything after the file is the program's; a usage error exits 1, as the real one's.
    if (args.size() < 2 || (args[1].size() > 1 && args[1][0] == '-')) {
      std::fputs("Usage: wyn run <file.wyn> [args...]\n", stderr);
      return 1;
    }
    return run(args[1], std::vector<std::string>(args.begin() + 2, args.end()));
  }
  if (command == "check") {
    if (args.size() != 2 || (args[1].size() > 1 && args[1][0] == '-'))
      return build_usage(stderr, 2);
    return check(args[1]);
  }
  if (command != "build") {
    std::fprintf(stderr, "Error: unknown command '%s'\n", command.c_str());
    return build_usage(stderr, 2);
  }
  std::string path, output;
  bool has_path = false, has_output = false, debug = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--debug") {
      debug = true;
    } else if (args[i] == "-o") {
      if (has_output || i + 1 == args.size()) return build_usage(stderr, 2);
      output = args[++i];
      has_output = true;
    } else if (has_path || (args[i].size() > 1 && args[i][0] == '-')) {
      std::fprintf(stderr, "Error: unexpected argument '%s'\n", args[i].c_str());
      return build_usage(stderr, 2);
    } else {
      path = args[i];
      has_path = true;
    }
  }
  if (!has_path) return build_usage(stderr, 2);
  // Without -o the executable goes beside the source, named after it; a
  // source without an extension must not be overwritten by its own output.
  if (!has_output) output = strip_extension(path) == path ? path + ".out" : strip_extension(path);
  return build(path, output, debug);
}

}  // namespace wyn::standin
