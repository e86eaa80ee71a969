#include "toolchain/cc_command.hpp"

#include <algorithm>
#include <string_view>

namespace wyn {

namespace {

/// Where a known flag goes once the command is split.
enum class Role { compile, link, both };

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Flags taking a value, joined (`-Idir`) or as the next argument (`-I dir`).
struct ValueFlag {
  std::string_view name;
  Role role;
};
constexpr ValueFlag kValueFlags[] = {
    {"-I", Role::compile},       {"-D", Role::compile},      {"-U", Role::compile},
    {"-isystem", Role::compile}, {"-iquote", Role::compile}, {"-idirafter", Role::compile},
    {"-include", Role::compile}, {"-l", Role::link},         {"-L", Role::link},
};

/// Flags without a value, matched exactly.
struct ExactFlag {
  std::string_view name;
  Role role;
};
constexpr ExactFlag kExactFlags[] = {
    {"-w", Role::compile},    {"-g", Role::compile},        {"-g0", Role::compile},
    {"-g1", Role::compile},   {"-g2", Role::compile},       {"-g3", Role::compile},
    {"-ggdb", Role::compile}, {"-pedantic", Role::compile}, {"-pedantic-errors", Role::compile},
    {"-ansi", Role::compile}, {"-pthread", Role::both},     {"-m64", Role::both},
    {"-m32", Role::both},     {"-static", Role::link},      {"-no-pie", Role::link},
    {"-pie", Role::link},     {"-rdynamic", Role::link},    {"-s", Role::link},
    {"-shared", Role::link},
};

/// `-f` options that only change how one translation unit is compiled. Any
/// other `-f` (`-flto`, `-fsanitize=`, `-fprofile-*`, `-fopenmp`, `-fuse-ld=`
/// ...) also matters to the link, so it is not understood.
constexpr std::string_view kCompileOnlyF[] = {
    "-ffunction-sections",
    "-fdata-sections",
    "-fno-common",
    "-fcommon",
    "-fPIC",
    "-fpic",
    "-fPIE",
    "-fpie",
    "-fno-pic",
    "-fno-pie",
    "-fno-PIC",
    "-fno-PIE",
    "-fno-strict-aliasing",
    "-fstrict-aliasing",
    "-fwrapv",
    "-fno-omit-frame-pointer",
    "-fomit-frame-pointer",
    "-fdiagnostics-color",
    "-fno-diagnostics-color",
    "-fcolor-diagnostics",
    "-fno-color-diagnostics",
    "-fno-builtin",
    "-fsigned-char",
    "-funsigned-char",
    "-fstack-protector",
    "-fstack-protector-strong",
    "-fstack-protector-all",
    "-fno-stack-protector",
    "-fno-exceptions",
    "-fno-asynchronous-unwind-tables",
};

/// Compile-only flags with a value joined by '=' or directly (`-std=c11`, `-O2`).
bool is_compile_prefix_flag(std::string_view arg) {
  if (starts_with(arg, "-std=") || starts_with(arg, "-march=") || starts_with(arg, "-mtune=") ||
      starts_with(arg, "-fdiagnostics-color=") || starts_with(arg, "-fvisibility="))
    return true;
  if (starts_with(arg, "-O")) {
    const std::string_view level = arg.substr(2);
    return level.empty() || level == "0" || level == "1" || level == "2" || level == "3" ||
           level == "s" || level == "g" || level == "z" || level == "fast";
  }
  // Warnings (-Wall, -Wno-x, -Werror=y), but not -Wl, -Wa, -Wp, which pass
  // options to the linker, assembler or preprocessor.
  if (starts_with(arg, "-W") && arg.size() > 2 && !starts_with(arg, "-Wl,") &&
      !starts_with(arg, "-Wa,") && !starts_with(arg, "-Wp,"))
    return true;
  return std::find(std::begin(kCompileOnlyF), std::end(kCompileOnlyF), arg) !=
         std::end(kCompileOnlyF);
}

bool is_link_input(std::string_view arg) {
  return ends_with(arg, ".o") || ends_with(arg, ".a") || ends_with(arg, ".so") ||
         arg.find(".so.") != std::string_view::npos;
}

CcPlan pass_through(std::string reason) {
  CcPlan plan;
  plan.reason = std::move(reason);
  return plan;
}

}  // namespace

CcPlan plan_cc_command(const std::vector<std::string>& args) {
  CcPlan plan;
  bool have_output = false;
  const auto add = [&plan](Role role, const std::string& arg) {
    if (role != Role::link) plan.compile_flags.push_back(arg);
    if (role != Role::compile) plan.link.push_back({arg, -1});
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.empty()) return pass_through("an empty argument");
    if (arg == "-") return pass_through("input from stdin ('-')");
    if (arg[0] == '@') return pass_through("a response file ('" + arg + "')");
    if (arg[0] != '-') {
      if (ends_with(arg, ".c") && arg.size() > 2) {
        plan.link.push_back({arg, static_cast<int>(plan.sources.size())});
        plan.sources.push_back(arg);
      } else if (is_link_input(arg)) {
        plan.link.push_back({arg, -1});
      } else {
        return pass_through("an input of unknown kind ('" + arg + "')");
      }
      continue;
    }
    if (arg == "-o") {
      if (have_output || i + 1 >= args.size())
        return pass_through("-o given twice or without a file");
      have_output = true;
      plan.link.push_back({arg, -1});
      plan.link.push_back({args[++i], -1});
      continue;
    }
    if (arg == "-c") return pass_through("-c: the command only compiles");
    if (starts_with(arg, "-x")) return pass_through("an explicit language ('" + arg + "')");
    if (arg == "-E" || arg == "-S" || starts_with(arg, "-M"))
      return pass_through("'" + arg + "': not a compile and link");
    const auto exact = std::find_if(std::begin(kExactFlags), std::end(kExactFlags),
                                    [&](const ExactFlag& f) { return f.name == arg; });
    if (exact != std::end(kExactFlags)) {
      add(exact->role, arg);
      continue;
    }
    if (starts_with(arg, "-Wl,")) {
      add(Role::link, arg);
      continue;
    }
    if (is_compile_prefix_flag(arg)) {
      add(Role::compile, arg);
      continue;
    }
    const auto value = std::find_if(std::begin(kValueFlags), std::end(kValueFlags),
                                    [&](const ValueFlag& f) { return starts_with(arg, f.name); });
    if (value != std::end(kValueFlags) &&
        (arg.size() > value->name.size() || i + 1 < args.size())) {
      if (arg.size() == value->name.size()) {
        add(value->role, arg);
        add(value->role, args[++i]);
      } else {
        add(value->role, arg);
      }
      continue;
    }
    return pass_through("an option it does not know ('" + arg + "')");
  }
  if (plan.sources.empty()) return pass_through("no C source to compile");
  plan.split = true;
  return plan;
}

std::vector<std::string> compile_arguments(const CcPlan& plan, size_t i,
                                           const std::string& object) {
  std::vector<std::string> args = plan.compile_flags;
  args.insert(args.end(), {"-c", plan.sources.at(i), "-o", object});
  return args;
}

std::vector<std::string> link_arguments(const CcPlan& plan,
                                        const std::vector<std::string>& objects) {
  std::vector<std::string> args;
  args.reserve(plan.link.size());
  for (const LinkArg& a : plan.link) args.push_back(a.source >= 0 ? objects.at(a.source) : a.text);
  return args;
}

}  // namespace wyn
