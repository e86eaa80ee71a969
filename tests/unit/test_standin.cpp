// Tests of the stand-in compiler's pure half: parsing the Wyn subset and
// translating it to C. The CLIs around it are exercised by the e2e suites.

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "launcher/snapshot.hpp"
#include "process/subprocess.hpp"
#include "standin/parse.hpp"
#include "standin/translate.hpp"
#include "temp_dir.hpp"
#include "util/fs.hpp"

namespace wyn::standin {
namespace {

/// Modules served from memory; records which ones were asked for.
struct Modules {
  std::map<std::string, std::string> files;
  std::vector<std::string> requested;

  ModuleReader reader() {
    return [this](const std::string& name) -> std::optional<std::string> {
      requested.push_back(name);
      auto it = files.find(name);
      if (it == files.end()) return std::nullopt;
      return it->second;
    };
  }
};

Translation run(std::string_view source, Modules& modules) {
  return translate(source, modules.reader());
}

Translation run(std::string_view source) {
  Modules none;
  return run(source, none);
}

Translation run_debug(std::string_view source, Modules& modules, const std::string& path) {
  EmitOptions options;
  options.source_path = path;
  return translate(source, modules.reader(), options);
}

/// The program `fn main() -> int {` + body + `}`; its body starts on line 2.
std::string program(std::string_view body) {
  return "fn main() -> int {\n" + std::string(body) + "}\n";
}

std::string first_error(const Translation& t) {
  return t.errors.empty() ? "<no error>"
                          : std::to_string(t.errors[0].line) + ": " + t.errors[0].message;
}

const char kShapes[] =
    "// shapes: a module, no main\n"
    "fn area() -> int {\n"
    "    println(\"area 12\")\n"
    "}\n"
    "fn perimeter() {\n"
    "    println(\"perimeter 14\")\n"
    "}\n";

TEST(StandinParse, ImportsInEveryForm) {
  const ParsedFile p = parse_file(
      "import shapes\n"
      "import shapes as sh\n"
      "\n"
      "import { area, perimeter } from shapes\n"
      "import math from \"wyn:math\"\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].message;
  ASSERT_EQ(p.imports.size(), 4u);
  EXPECT_EQ(p.imports[0].form, Import::Form::plain);
  EXPECT_EQ(p.imports[0].module, "shapes");
  EXPECT_EQ(p.imports[0].alias, "shapes");
  EXPECT_EQ(p.imports[0].line, 1);
  EXPECT_EQ(p.imports[1].form, Import::Form::alias);
  EXPECT_EQ(p.imports[1].module, "shapes");
  EXPECT_EQ(p.imports[1].alias, "sh");
  EXPECT_EQ(p.imports[2].form, Import::Form::selective);
  EXPECT_EQ(p.imports[2].names, (std::vector<std::string>{"area", "perimeter"}));
  EXPECT_EQ(p.imports[2].line, 4);
  EXPECT_EQ(p.imports[3].form, Import::Form::stdlib);
  EXPECT_EQ(p.imports[3].module, "math");
}

TEST(StandinParse, FunctionsAndStatements) {
  const ParsedFile p = parse_file(
      "fn helper() {   // trailing comment\n"
      "    sh.area()\n"
      "}\n"
      "fn main() -> int {\n"
      "    write_file(\"out/a.txt\", \"x\")\n"
      "    return -7\n"
      "}\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].message;
  ASSERT_EQ(p.functions.size(), 2u);
  EXPECT_EQ(p.functions[0].name, "helper");
  ASSERT_EQ(p.functions[0].body.size(), 1u);
  EXPECT_EQ(p.functions[0].body[0].qualifier, "sh");
  EXPECT_EQ(p.functions[0].body[0].callee, "area");
  const std::vector<Statement>& body = p.functions[1].body;
  ASSERT_EQ(body.size(), 2u);
  EXPECT_EQ(body[0].line, 5);
  ASSERT_EQ(body[0].args.size(), 2u);
  EXPECT_EQ(body[0].args[0].bytes, "out/a.txt");
  EXPECT_EQ(body[1].kind, Statement::Kind::ret);
  EXPECT_EQ(body[1].return_value, -7);
}

TEST(StandinParse, StringEscapesDecodeToBytes) {
  const ParsedFile p = parse_file(program("println(\"a\\tb\\n\\\\ \\\"q\\\" \\x41\\x00\\xfF\")\n"));
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].message;
  EXPECT_EQ(p.functions[0].body[0].args[0].bytes, std::string("a\tb\n\\ \"q\" A\0\xff", 13));
}

TEST(StandinParse, StandinActions) {
  const ParsedFile p = parse_file(
      "// standin: abort\n  //standin: segv\n// standin: sleep 250\n// standin: burn 40\n"
      "// standin: tagged\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].message;
  ASSERT_EQ(p.actions.size(), 5u);
  EXPECT_EQ(p.actions[4].kind, Action::Kind::tagged);
  EXPECT_EQ(p.actions[0].kind, Action::Kind::abort);
  EXPECT_EQ(p.actions[1].kind, Action::Kind::segv);
  EXPECT_EQ(p.actions[2].kind, Action::Kind::sleep);
  EXPECT_EQ(p.actions[2].ms, 250);
  EXPECT_EQ(p.actions[3].kind, Action::Kind::burn);
  EXPECT_EQ(p.actions[3].line, 4);

  const ParsedFile bad = parse_file("fn main() {\n}\n// standin: nap 5\n");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].line, 3);
  // A directive that merely mentions the word is not an action.
  EXPECT_TRUE(parse_file("// NOTE: standin: abort would crash the compiler\n").actions.empty());
}

TEST(StandinTranslate, EveryStatementKindBecomesItsRuntimeCall) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"println(\"hi\")", "wyn_rt_println(\"hi\", 2);"},
      {"print(\"no newline\")", "wyn_rt_print(\"no newline\", 10);"},
      {"eprintln(\"oops\")", "wyn_rt_eprintln(\"oops\", 4);"},
      {"return -1", "return -1;"},
      {"return 300", "return 300;"},
      {"sleep_ms(1500)", "wyn_rt_sleep_ms((int64_t)1500);"},
      {"crash()", "wyn_rt_crash();"},
      {"abort()", "wyn_rt_abort();"},
      {"fpe()", "wyn_rt_fpe();"},
      {"hang()", "wyn_rt_hang();"},
      {"hang_ignoring_term()", "wyn_rt_hang_ignoring_term();"},
      {"flood(10000000000)", "wyn_rt_flood((int64_t)10000000000);"},
      {"flood_stderr(4096)", "wyn_rt_flood_stderr((int64_t)4096);"},
      {"spawn_orphan(3000)", "wyn_rt_spawn_orphan((int64_t)3000);"},
      {"write_file(\"d/f.txt\", \"x\\n\")", "wyn_rt_write_file(\"d/f.txt\", 7, \"x\\012\", 2);"},
      {"write_tmp(\"t.txt\", \"y\")", "wyn_rt_write_tmp(\"t.txt\", 5, \"y\", 1);"},
      {"print_file(\"d/f.txt\")", "wyn_rt_print_file(\"d/f.txt\", 7);"},
      {"print_tmp(\"t.txt\")", "wyn_rt_print_tmp(\"t.txt\", 5);"},
      {"print_env(\"HOME\")", "wyn_rt_print_env(\"HOME\", 4);"},
      {"print_args()", "wyn_rt_print_args();"},
      {"print_pid()", "wyn_rt_print_pid();"},
      {"read_stdin()", "wyn_rt_read_stdin();"},
      {"alloc_mb(64)", "wyn_rt_alloc_mb((int64_t)64);"},
      {"burn_ms(250)", "wyn_rt_burn_ms((int64_t)250);"},
      {"require_file(\"Makefile\", 2)", "wyn_rt_require_file(\"Makefile\", 8, (int64_t)2);"},
      {"require_dir(\"src\", 3)", "wyn_rt_require_dir(\"src\", 3, (int64_t)3);"},
  };
  for (const auto& [statement, c] : cases) {
    const Translation t = run(program("    " + statement + "\n"));
    ASSERT_TRUE(t.ok()) << statement << " -> " << first_error(t);
    EXPECT_NE(t.c_source.find("  " + c + "\n"), std::string::npos) << statement << " ->\n"
                                                                   << t.c_source;
  }
}

TEST(StandinTranslate, MainBecomesWynMainAndHelpersAreCalled) {
  const Translation t =
      run("fn helper() {\n    println(\"in helper\")\n}\n" + program("    helper()\n"));
  ASSERT_TRUE(t.ok()) << first_error(t);
  EXPECT_NE(t.c_source.find("#include \"wyn_rt.h\""), std::string::npos);
  EXPECT_NE(t.c_source.find("int wyn_main(void) {"), std::string::npos);
  EXPECT_NE(t.c_source.find("static int wyn_u0_helper(void) {"), std::string::npos);
  EXPECT_NE(t.c_source.find("(void)wyn_u0_helper();"), std::string::npos);
  EXPECT_TRUE(t.warnings.empty());
}

TEST(StandinTranslate, NulAndHighBytesAreWrittenWithExplicitLength) {
  const Translation t = run(program("    println(\"a\\x00\\x01\\xff1?\")\n"));
  ASSERT_TRUE(t.ok()) << first_error(t);
  // Octal escapes are three digits, so the '1' after \001 stays a separate byte.
  EXPECT_NE(t.c_source.find("wyn_rt_println(\"a\\000\\001\\3771\\?\", 6);"), std::string::npos)
      << t.c_source;
  EXPECT_EQ(c_string_literal(std::string("\"\\\n", 3)), "\"\\\"\\\\\\012\"");
}

TEST(StandinTranslate, ModuleInAllThreeImportForms) {
  Modules modules;
  modules.files["shapes"] = kShapes;
  const Translation t =
      run("import shapes\n"
          "import shapes as sh\n"
          "import { area } from shapes\n" +
              program("    shapes.perimeter()\n    sh.area()\n    area()\n"),
          modules);
  ASSERT_TRUE(t.ok()) << first_error(t);
  EXPECT_EQ(modules.requested, std::vector<std::string>{"shapes"});  // read once
  EXPECT_EQ(t.modules, std::vector<std::string>{"shapes.wyn"});
  EXPECT_NE(t.c_source.find("static int wyn_u1_area(void) {\n  wyn_rt_println(\"area 12\", 7);"),
            std::string::npos);
  EXPECT_NE(
      t.c_source.find("(void)wyn_u1_perimeter();\n  (void)wyn_u1_area();\n  (void)wyn_u1_area();"),
      std::string::npos)
      << t.c_source;
  EXPECT_TRUE(t.warnings.empty());
}

TEST(StandinTranslate, ModulesImportModulesAndTheirMainIsIgnored) {
  Modules modules;
  modules.files["outer"] =
      "import inner\nfn run() {\n    inner.deep()\n}\nfn main() {\n    crash()\n}\n";
  modules.files["inner"] = "fn deep() {\n    println(\"deep\")\n}\n";
  const Translation t = run("import outer\n" + program("    outer.run()\n"), modules);
  ASSERT_TRUE(t.ok()) << first_error(t);
  EXPECT_EQ(t.modules, (std::vector<std::string>{"outer.wyn", "inner.wyn"}));
  EXPECT_NE(t.c_source.find("(void)wyn_u2_deep();"), std::string::npos) << t.c_source;
  EXPECT_EQ(t.c_source.find("wyn_rt_crash"), std::string::npos) << "a module's main was emitted";
  EXPECT_EQ(t.c_source.find("outer.main"), std::string::npos);
}

TEST(StandinTranslate, StandardLibraryImportNeedsNoFile) {
  Modules modules;
  const Translation t = run("import math from \"wyn:math\"\n" + program("    return 0\n"), modules);
  ASSERT_TRUE(t.ok()) << first_error(t);
  EXPECT_TRUE(modules.requested.empty());
  EXPECT_TRUE(t.warnings.empty());
}

TEST(StandinTranslate, UnusedImportWarns) {
  Modules modules;
  modules.files["shapes"] = kShapes;
  const Translation t =
      run("import shapes\n\nimport { area } from shapes\n" + program("    area()\n"), modules);
  ASSERT_TRUE(t.ok()) << first_error(t);
  ASSERT_EQ(t.warnings.size(), 1u);
  EXPECT_EQ(t.warnings[0].message, "unused import 'shapes'");
  EXPECT_EQ(t.warnings[0].line, 1);
}

/// Each diagnostic the harness's error suites rely on, with its line.
struct DiagnosticCase {
  std::string source;
  int line;
  std::string message;
};

TEST(StandinTranslate, DiagnosticsCarryTheirLine) {
  const std::vector<DiagnosticCase> cases = {
      {program("    println(\"ok\")\n    foo()\n"), 3, "Undefined function 'foo'"},
      {program("    println(\"no paren\"\n"), 2, "expected ')'"},
      {program("    println \"x\"\n"), 2, "expected '(' after 'println'"},
      {program("    println(\"open\n"), 2, "unterminated string literal"},
      {program("\n    println(\"\\q\")\n"), 3, "invalid escape sequence '\\q'"},
      {program("    println(\"\\x4\")\n"), 2,
       "invalid escape sequence '\\x' (expected two hex digits)"},
      {program("    println(42)\n"), 2, "'println' expects (string), got (integer)"},
      {program("    sleep_ms(-5)\n"), 2, "'sleep_ms' needs a non-negative integer, got -5"},
      {program("    return 99999999999\n"), 2, "return value 99999999999 out of range"},
      {program("    flood(99999999999999999999)\n"), 2, "integer literal out of range"},
      {program("    sh.area()\n"), 2, "Undefined module 'sh' in call to 'sh.area'"},
      {"fn helper() {\n}\n", 1, "missing fn main"},
      {"// a comment\nimport nowhere\n" + program(""), 2, "module 'nowhere' not found"},
      {"let x = 1\n" + program(""), 1, "expected 'fn' or 'import', got 'let'"},
      {"fn main(x) {\n}\n", 1, "expected ')'"},
      {"fn main() -> str {\n}\n", 1, "unsupported return type 'str'"},
      {"fn main() {\n    println(\"x\")\n", 2, "expected '}' before end of file"},
      {"fn helper() {\nfn main() {\n}\n", 2, "expected '}' before 'fn'"},
      {program("") + "fn main() {\n}\n", 3, "function 'main' is already defined on line 1"},
      {"fn println() {\n}\n" + program(""), 1, "'println' is a built-in function"},
      {program("    println(\"a\") println(\"b\")\n"), 2, "unexpected 'println' after ')'"},
      {program("    x = 1\n"), 2, "expected '(' after 'x'"},
      {program("    println(\"a\" @)\n"), 2, "unexpected character '@'"},
  };
  for (const DiagnosticCase& c : cases) {
    const Translation t = run(c.source);
    ASSERT_FALSE(t.ok()) << c.source;
    EXPECT_TRUE(t.c_source.empty());
    EXPECT_EQ(t.errors[0].message, c.message) << c.source;
    EXPECT_EQ(t.errors[0].line, c.line) << c.source;
    EXPECT_EQ(t.errors[0].file, "") << c.source;
  }
}

TEST(StandinTranslate, ModuleDiagnostics) {
  Modules modules;
  modules.files["shapes"] = kShapes;
  modules.files["broken"] = "fn f() {\n    nope()\n}\n";
  modules.files["a"] = "import b\nfn fa() {\n}\n";
  modules.files["b"] = "\nimport a\nfn fb() {\n}\n";

  Translation t = run("import { area, volume } from shapes\n" + program("    area()\n"), modules);
  ASSERT_EQ(t.errors.size(), 1u);
  EXPECT_EQ(t.errors[0].line, 1);
  EXPECT_EQ(t.errors[0].message, "module 'shapes' has no function 'volume'");

  t = run("import shapes as sh\n" + program("    sh.volume()\n"), modules);
  ASSERT_EQ(t.errors.size(), 1u);
  EXPECT_EQ(t.errors[0].line, 3);
  EXPECT_EQ(t.errors[0].message, "module 'shapes' has no function 'volume'");

  // An error inside a module names the module's file.
  t = run("import broken\n" + program("    broken.f()\n"), modules);
  ASSERT_EQ(t.errors.size(), 1u);
  EXPECT_EQ(t.errors[0].file, "broken.wyn");
  EXPECT_EQ(t.errors[0].line, 2);
  EXPECT_EQ(t.errors[0].message, "Undefined function 'nope'");

  t = run("import a\n" + program("    a.fa()\n"), modules);
  ASSERT_EQ(t.errors.size(), 1u);
  EXPECT_EQ(t.errors[0].file, "b.wyn");
  EXPECT_EQ(t.errors[0].line, 2);
  EXPECT_EQ(t.errors[0].message, "import cycle: a -> b -> a");

  // A missing module is reported once, not again at every call through it.
  t = run("import gone as g\n" + program("    g.f()\n    g.h()\n"), modules);
  ASSERT_EQ(t.errors.size(), 1u);
  EXPECT_EQ(t.errors[0].message, "module 'gone' not found");
}

TEST(StandinTranslate, ModuleWithoutMainIsAnErrorOnlyWhenCompiledDirectly) {
  Modules modules;
  modules.files["shapes"] = kShapes;
  EXPECT_EQ(first_error(run(kShapes)), "1: missing fn main");
  EXPECT_TRUE(run("import shapes\n" + program("    shapes.area()\n"), modules).ok());
}

TEST(StandinTranslate, ActionsOfTheMainFileSurviveErrors) {
  const Translation t = run("// standin: sleep 10\n" + program("    foo()\n"));
  EXPECT_FALSE(t.ok());
  ASSERT_EQ(t.actions.size(), 1u);
  EXPECT_EQ(t.actions[0].kind, Action::Kind::sleep);
  EXPECT_EQ(t.actions[0].ms, 10);
}

TEST(StandinTranslate, DebugLineDirectivesNameTheSourcePath) {
  Modules modules;
  modules.files["shapes"] = kShapes;
  const std::string source = "import shapes\n\n" + program("    shapes.area()\n    return 3\n");
  const Translation t = run_debug(source, modules, "/abs/dir/t.wyn");
  ASSERT_TRUE(t.ok()) << first_error(t);
  // main starts on line 3, its statements on lines 4 and 5: each is preceded
  // by the real compiler's location comment (a blank after it) and #line.
  EXPECT_NE(t.c_source.find("\n/* @/abs/dir/t.wyn:3 */ \n#line 3 \"/abs/dir/t.wyn\"\n"
                            "int wyn_main(void) {\n"
                            "  /* @/abs/dir/t.wyn:4 */ \n#line 4 \"/abs/dir/t.wyn\"\n"
                            "  (void)wyn_u1_area();\n"
                            "  /* @/abs/dir/t.wyn:5 */ \n#line 5 \"/abs/dir/t.wyn\"\n"
                            "  return 3;\n"),
            std::string::npos)
      << t.c_source;
  // A module is named by its file name alone.
  EXPECT_NE(t.c_source.find("/* @shapes.wyn:2 */ \n#line 2 \"shapes.wyn\"\n"
                            "static int wyn_u1_area(void) {\n"
                            "  /* @shapes.wyn:3 */ \n#line 3 \"shapes.wyn\"\n"
                            "  wyn_rt_println(\"area 12\", 7);\n"),
            std::string::npos)
      << t.c_source;
}

TEST(StandinTranslate, DebugOutputDependsOnlyOnThePathGiven) {
  Modules modules;
  modules.files["shapes"] = kShapes;
  const std::string source = "import shapes as sh\n" + program("    sh.perimeter()\n");
  const std::string relative = run_debug(source, modules, "tests/t.wyn").c_source;
  std::string absolute = run_debug(source, modules, "/home/me/wyn/tests/t.wyn").c_source;
  // The snapshot normalization makes both the C of the program compiled
  // from beside it: `#line N "t.wyn"`, `/* t.wyn:N */`.
  const std::string beside = run_debug(source, modules, "t.wyn").c_source;
  EXPECT_NE(relative, absolute);
  EXPECT_NE(normalize_snapshot(beside, "t.wyn"), beside);  // the '@' goes
  EXPECT_EQ(normalize_snapshot(relative, "t.wyn"), normalize_snapshot(beside, "t.wyn"));
  EXPECT_EQ(normalize_snapshot(absolute, "t.wyn"), normalize_snapshot(beside, "t.wyn"));
  EXPECT_NE(normalize_snapshot(beside, "t.wyn").find("\n/* t.wyn:2 */ \n#line 2 \"t.wyn\"\n"),
            std::string::npos)
      << normalize_snapshot(beside, "t.wyn");
  EXPECT_EQ(relative, run_debug(source, modules, "tests/t.wyn").c_source);  // deterministic
  // Without --debug no path and no #line appear at all.
  const std::string plain = run(source, modules).c_source;
  EXPECT_EQ(plain.find("#line"), std::string::npos) << plain;
  EXPECT_EQ(plain.find("t.wyn"), std::string::npos) << plain;
}

TEST(StandinTranslate, DebugPathIsAnEscapedStringLiteral) {
  Modules modules;
  const Translation t = run_debug(program(""), modules, "odd \"dir\"\\\n/t.wyn");
  ASSERT_TRUE(t.ok()) << first_error(t);
  EXPECT_NE(t.c_source.find("#line 1 \"odd \\\"dir\\\"\\\\\\012/t.wyn\"\n"), std::string::npos)
      << t.c_source;
  // The comment has it as it is; only a "*/", which would end it, is broken.
  EXPECT_NE(t.c_source.find("/* @odd \"dir\"\\\n/t.wyn:1 */ \n"), std::string::npos) << t.c_source;
  const Translation star = run_debug(program(""), modules, "a*/b*//t.wyn");
  EXPECT_NE(star.c_source.find("/* @a*\\/b*\\//t.wyn:1 */ \n#line 1 \"a*/b*//t.wyn\"\n"),
            std::string::npos)
      << star.c_source;
}

TEST(StandinTranslate, TheCodegenTagReachesTaggedProgramsOnly) {
  Modules modules;
  modules.files["tagged_module"] = "// standin: tagged\nfn f() {\n}\n";
  EmitOptions options;
  options.codegen_tag = "v2";
  const Translation tagged =
      translate("// standin: tagged\n" + program("    return 1\n"), modules.reader(), options);
  ASSERT_TRUE(tagged.ok()) << first_error(tagged);
  EXPECT_NE(tagged.c_source.find("\n#ident \"wyn-standin codegen v2\"\n"), std::string::npos)
      << tagged.c_source;
  // A module's tag comment is not the program's.
  const std::string untagged = program("    tagged_module.f()\n");
  const Translation plain =
      translate("import tagged_module\n" + untagged, modules.reader(), options);
  ASSERT_TRUE(plain.ok()) << first_error(plain);
  EXPECT_EQ(plain.c_source.find("#ident"), std::string::npos) << plain.c_source;
  options.codegen_tag = "v3";
  EXPECT_EQ(translate("import tagged_module\n" + untagged, modules.reader(), options).c_source,
            plain.c_source);
}

TEST(StandinTranslate, WeightAppendsDistinctUncalledFunctions) {
  Modules modules;
  EmitOptions options;
  options.weight = 3;
  const std::string light = run(program("")).c_source;
  const std::string heavy = translate(program(""), modules.reader(), options).c_source;
  ASSERT_EQ(heavy.compare(0, light.size(), light), 0) << "the program itself changed";
  EXPECT_NE(heavy.find("long wyn_weight_0(long x, long y) {\n  long a = x * 3 + y, b = y ^ 0;"),
            std::string::npos)
      << heavy;
  EXPECT_NE(heavy.find("long wyn_weight_2(long x, long y) {\n  long a = x * 7 + y, b = y ^ 2;"),
            std::string::npos);
  EXPECT_EQ(heavy.find("wyn_weight_3"), std::string::npos);
  EXPECT_EQ(heavy.find('@'), std::string::npos) << "a placeholder was left";
  EXPECT_EQ(heavy, translate(program(""), modules.reader(), options).c_source);
  EXPECT_EQ(light.find("wyn_weight"), std::string::npos);
}

TEST(StandinTranslate, BuiltinNamesAreSortedAndComplete) {
  const std::vector<std::string> names = builtin_names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(names.size(), 27u);
  EXPECT_NE(std::find(names.begin(), names.end(), "spawn_orphan"), names.end());
}

// ---- The build generation's command line, run as a real process ----------

struct CliRun {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr
};

/// The current environment with `changes` ("NAME=value") replacing or adding entries.
std::vector<std::string> environment_with(const std::vector<std::string>& changes) {
  std::vector<std::string> env;
  for (const std::string& entry : current_environment()) {
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = name == "NO_COLOR";
    for (const std::string& change : changes)
      replaced = replaced || change.compare(0, name.size() + 1, name + "=") == 0;
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), changes.begin(), changes.end());
  env.push_back("NO_COLOR=1");
  return env;
}

/// Runs `compiler` with `args` in `cwd`, in the current environment plus `env`.
CliRun run_compiler(const std::string& compiler, const std::vector<std::string>& args,
                    const std::string& cwd, const std::vector<std::string>& env = {}) {
  SpawnOptions options;
  options.argv = {compiler};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.cwd = cwd;
  options.env = environment_with(env);
  options.stdout_path = cwd + "/compiler-output.txt";
  options.timeout_seconds = 120;
  const ProcessResult result = run_process(options);
  return CliRun{result.signal == 0 ? result.exit_code : 128 + result.signal,
                wyn::read_file(options.stdout_path)};
}

CliRun run_build_compiler(const std::vector<std::string>& args, const std::string& cwd,
                          const std::vector<std::string>& env = {}) {
  return run_compiler(WYN_STANDIN_BUILD_COMPILER, args, cwd, env);
}

/// The first executable `name` on PATH, or "".
std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (size_t begin = 0; begin <= dirs.size();) {
    const size_t end = std::min(dirs.find(':', begin), dirs.size());
    const std::string candidate = dirs.substr(begin, end - begin) + "/" + name;
    if (end > begin && access(candidate.c_str(), X_OK) == 0) return candidate;
    begin = end + 1;
  }
  return "";
}

/// A directory of C-compiler wrappers named clang, cc and gcc that append
/// "NAME ARGS..." to `log` and run the real program of that name: what a
/// harness's toolchain cache puts first on the compiler's PATH.
std::string make_wrappers(const std::string& dir, const std::string& log) {
  const std::string bin = dir + "/wrappers";
  make_directories(bin);
  for (const char* name : {"clang", "cc", "gcc"}) {
    const std::string real = find_program(name);
    const std::string script = bin + "/" + name;
    write_file_atomic(script, "#!/bin/sh\nprintf '%s\\n' \"" + std::string(name) + " $*\" >> '" +
                                  log + "'\nexec '" + real + "' \"$@\"\n");
    chmod(script.c_str(), 0755);
  }
  const char* path = std::getenv("PATH");
  return "PATH=" + bin + ":" + (path ? path : "/usr/bin:/bin");
}

std::vector<std::string> log_lines(const std::string& log) {
  std::vector<std::string> lines;
  std::string text;
  if (!try_read_file(log, text)) return lines;
  for (size_t begin = 0; begin < text.size();) {
    const size_t end = text.find('\n', begin);
    lines.push_back(text.substr(begin, end - begin));
    begin = end == std::string::npos ? text.size() : end + 1;
  }
  return lines;
}

const char kHello[] = "fn main() -> int {\n    println(\"hello\")\n    return 7\n}\n";

TEST(StandinBuildCli, DebugComesInAnyOrderAndNamesThePathGiven) {
  TempDir dir;
  make_directories(dir.path() + "/tests");
  write_file_atomic(dir.path() + "/tests/t.wyn", kHello);
  const std::string c_file = dir.path() + "/tests/t.wyn.c";

  CliRun cli = run_build_compiler({"build", "tests/t.wyn", "--debug", "-o", "out1"}, dir.path());
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  const std::string relative = wyn::read_file(c_file);
  EXPECT_NE(relative.find("/* @tests/t.wyn:1 */ \n#line 1 \"tests/t.wyn\"\nint wyn_main(void) {\n"),
            std::string::npos)
      << relative;
  EXPECT_TRUE(path_exists(dir.path() + "/out1"));

  const std::string absolute_path = dir.path() + "/tests/t.wyn";
  cli = run_build_compiler({"build", "--debug", "-o", "out2", absolute_path}, dir.path());
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  const std::string absolute = wyn::read_file(c_file);
  EXPECT_NE(absolute.find("  /* @" + absolute_path + ":2 */ \n#line 2 \"" + absolute_path + "\"\n"),
            std::string::npos)
      << absolute;

  cli = run_build_compiler({"build", "-o", "out3", "tests/t.wyn", "--debug"}, dir.path());
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  EXPECT_EQ(wyn::read_file(c_file), relative) << "the generated C is not deterministic";

  // The program built with #line directives behaves as without them.
  SpawnOptions program;
  program.argv = {dir.path() + "/out3"};
  program.env = current_environment();
  program.stdout_path = dir.path() + "/program-output.txt";
  const ProcessResult ran = run_process(program);
  EXPECT_EQ(ran.exit_code, 7);
  EXPECT_EQ(wyn::read_file(program.stdout_path), "hello\n");
}

TEST(StandinBuildCli, RequireFileAndDirLookInTheWorkingDirectory) {
  TempDir dir;
  write_file_atomic(dir.path() + "/t.wyn",
                    "fn main() -> int {\n    require_file(\"Makefile\", 2)\n"
                    "    require_dir(\"src\", 3)\n    println(\"in the root\")\n"
                    "    return 0\n}\n");
  const CliRun cli = run_build_compiler({"build", "t.wyn", "-o", "t"}, dir.path());
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  const auto run_in = [&](const std::string& cwd) {
    SpawnOptions program;
    program.argv = {dir.path() + "/t"};
    program.cwd = cwd;
    program.env = current_environment();
    program.stdout_path = dir.path() + "/program-output.txt";
    const ProcessResult ran = run_process(program);
    return CliRun{ran.exit_code, wyn::read_file(program.stdout_path)};
  };
  const std::string root = dir.path() + "/root";
  make_directories(root);
  CliRun ran = run_in(root);
  EXPECT_EQ(ran.exit_code, 2);
  EXPECT_EQ(ran.output, "require_file: 'Makefile' is not a file in " + root + "\n");
  make_directories(root + "/Makefile");  // a directory is not a file
  EXPECT_EQ(run_in(root).exit_code, 2);
  remove_tree(root + "/Makefile");
  write_file_atomic(root + "/Makefile", "all:\n");
  write_file_atomic(root + "/src", "");  // nor a file a directory
  ran = run_in(root);
  EXPECT_EQ(ran.exit_code, 3);
  EXPECT_EQ(ran.output, "require_dir: 'src' is not a directory in " + root + "\n");
  remove_tree(root + "/src");
  make_directories(root + "/src");
  ran = run_in(root);
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_EQ(ran.output, "in the root\n");
}

TEST(StandinBuildCli, WithoutDebugTheGeneratedCNamesNoPath) {
  TempDir dir;
  write_file_atomic(dir.path() + "/t.wyn", kHello);
  const CliRun cli = run_build_compiler({"build", dir.path() + "/t.wyn", "-o", "out"}, dir.path());
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  const std::string c = wyn::read_file(dir.path() + "/t.wyn.c");
  EXPECT_EQ(c.find("#line"), std::string::npos) << c;
  EXPECT_EQ(c.find("t.wyn"), std::string::npos) << c;
}

TEST(StandinBuildCli, UnknownOptionsAreStillUsageErrors) {
  TempDir dir;
  write_file_atomic(dir.path() + "/t.wyn", kHello);
  const CliRun cli = run_build_compiler({"build", "t.wyn", "--debugg"}, dir.path());
  EXPECT_EQ(cli.exit_code, 2) << cli.output;
  EXPECT_NE(cli.output.find("unexpected argument '--debugg'"), std::string::npos) << cli.output;
  EXPECT_NE(cli.output.find("[--debug]"), std::string::npos) << cli.output;
}

/// The names in `dir`, sorted, without "." and "..".
std::vector<std::string> directory_names(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (const dirent* entry = readdir(d)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(StandinRunCli, RunsTheProgramWithItsArgumentsAndPassesItsStatusOn) {
  TempDir dir;
  make_directories(dir.path() + "/tmp");
  const std::vector<std::string> env = {"TMPDIR=" + dir.path() + "/tmp"};
  write_file_atomic(dir.path() + "/t.wyn",
                    "fn main() -> int {\n    println(\"hello\")\n    print_args()\n"
                    "    return 7\n}\n");
  CliRun cli = run_build_compiler({"run", "t.wyn", "one", "two words"}, dir.path(), env);
  EXPECT_EQ(cli.exit_code, 7) << cli.output;
  EXPECT_NE(cli.output.find("hello\none\ntwo words\n"), std::string::npos) << cli.output;
  // On stderr, dim even with NO_COLOR set, as the real one prints it.
  EXPECT_NE(cli.output.find("\033[2mCompiled in "), std::string::npos) << cli.output;
  // Built and run in a temporary directory, removed afterwards; nothing beside the source.
  EXPECT_EQ(directory_names(dir.path() + "/tmp"), std::vector<std::string>{});
  EXPECT_EQ(directory_names(dir.path()),
            (std::vector<std::string>{"compiler-output.txt", "t.wyn", "tmp"}));

  // Killed by a signal: 128+N, as a shell would say.
  write_file_atomic(dir.path() + "/crash.wyn", "fn main() -> int {\n    crash()\n}\n");
  cli = run_build_compiler({"run", "crash.wyn"}, dir.path(), env);
  EXPECT_EQ(cli.exit_code, 139) << cli.output;
  EXPECT_EQ(directory_names(dir.path() + "/tmp"), std::vector<std::string>{});
}

TEST(StandinRunCli, CompileAndUsageErrorsExit1) {
  TempDir dir;
  make_directories(dir.path() + "/tmp");
  const std::vector<std::string> env = {"TMPDIR=" + dir.path() + "/tmp"};
  write_file_atomic(dir.path() + "/bad.wyn", "fn main() -> int {\n    frobnicate()\n}\n");
  CliRun cli = run_build_compiler({"run", "bad.wyn"}, dir.path(), env);
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  EXPECT_NE(cli.output.find("bad.wyn:2: error: Undefined function 'frobnicate'"), std::string::npos)
      << cli.output;
  EXPECT_EQ(directory_names(dir.path() + "/tmp"), std::vector<std::string>{});
  cli = run_build_compiler({"run"}, dir.path(), env);
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  EXPECT_NE(cli.output.find("Usage: wyn run <file.wyn> [args...]"), std::string::npos)
      << cli.output;
  cli = run_build_compiler({"run", "missing.wyn"}, dir.path(), env);
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  EXPECT_NE(cli.output.find("Error: Could not open file 'missing.wyn'"), std::string::npos)
      << cli.output;
}

TEST(StandinCheckCli, TheFrontEndOnlyNoCCompilerNothingWritten) {
  TempDir dir;
  write_file_atomic(dir.path() + "/t.wyn", kHello);
  write_file_atomic(dir.path() + "/bad.wyn", "fn main() -> int {\n    frobnicate()\n}\n");
  const std::string log = dir.path() + "/calls.log";
  const std::string path = make_wrappers(dir.path(), log);
  CliRun cli = run_build_compiler({"check", "t.wyn"}, dir.path(), {path});
  EXPECT_EQ(cli.exit_code, 0) << cli.output;
  EXPECT_EQ(cli.output, "\xe2\x9c\x93 t.wyn: no errors\n");
  cli = run_build_compiler({"check", "bad.wyn"}, dir.path(), {path});
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  EXPECT_NE(cli.output.find("bad.wyn:2: error: Undefined function 'frobnicate'"), std::string::npos)
      << cli.output;
  cli = run_build_compiler({"check", "missing.wyn"}, dir.path(), {path});
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  EXPECT_NE(cli.output.find("Error: Could not open file 'missing.wyn'"), std::string::npos);
  cli = run_build_compiler({"check"}, dir.path(), {path});
  EXPECT_EQ(cli.exit_code, 2) << cli.output;
  EXPECT_EQ(log_lines(log), std::vector<std::string>{}) << "check ran a C compiler";
  EXPECT_EQ(directory_names(dir.path()),
            (std::vector<std::string>{"bad.wyn", "compiler-output.txt", "t.wyn", "wrappers"}));
}

TEST(StandinBuildCli, OneCompilerCallWithTheRealFlagsAndTheRuntimeArchive) {
  TempDir dir;
  write_file_atomic(dir.path() + "/t.wyn", kHello);
  const std::string log = dir.path() + "/calls.log";
  const std::string path = make_wrappers(dir.path(), log);
  CliRun cli = run_build_compiler({"build", "t.wyn", "-o", "t.bin"}, dir.path(), {path});
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  const std::string runtime = parent_path(WYN_STANDIN_BUILD_COMPILER) + "/runtime";
  const std::string expected = "-std=c11 -O0 -w -ffunction-sections -fdata-sections -I " + runtime +
                               " -Wl,--allow-multiple-definition,--gc-sections -o t.bin t.wyn.c " +
                               runtime + "/libwyn_rt.a -lpthread -lm";
  EXPECT_EQ(log_lines(log), std::vector<std::string>{"cc " + expected});

  // $WYN_CC, split on blanks, takes precedence over PATH.
  remove_tree(log);
  cli = run_build_compiler({"build", "t.wyn", "-o", "t.bin"}, dir.path(),
                           {path, "WYN_CC=" + dir.path() + "/wrappers/gcc -DFROM_WYN_CC"});
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  EXPECT_EQ(log_lines(log), std::vector<std::string>{"gcc -DFROM_WYN_CC " + expected});

  // WYN_STANDIN_CC_FLAGS come right after the compiler.
  remove_tree(log);
  cli = run_build_compiler({"build", "t.wyn", "-o", "t.bin"}, dir.path(),
                           {path, "WYN_STANDIN_CC_FLAGS=-fno-ident  -DX"});
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  EXPECT_EQ(log_lines(log), std::vector<std::string>{"cc -fno-ident -DX " + expected});

  // The filler functions of WYN_STANDIN_C_WEIGHT go into that one compile.
  cli =
      run_build_compiler({"build", "t.wyn", "-o", "t.bin"}, dir.path(), {"WYN_STANDIN_C_WEIGHT=5"});
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  const std::string c = wyn::read_file(dir.path() + "/t.wyn.c");
  EXPECT_NE(c.find("long wyn_weight_4("), std::string::npos);
  EXPECT_EQ(c.find("long wyn_weight_5("), std::string::npos);
}

TEST(StandinLegacyCli, OnlyTheLinkGoesThroughPathsClang) {
  TempDir dir;
  write_file_atomic(dir.path() + "/t.wyn", kHello);
  const std::string log = dir.path() + "/calls.log";
  const std::string root = parent_path(WYN_STANDIN_LEGACY_COMPILER);
  const CliRun cli = run_compiler(WYN_STANDIN_LEGACY_COMPILER, {"t.wyn"}, dir.path(),
                                  {make_wrappers(dir.path(), log), "WYN_ROOT=" + root});
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  EXPECT_EQ(cli.output, "Compiled successfully\n");
  // The front end made t.o without any PATH compiler; the link is the real
  // compiler's command: every runtime source, sorted, on one command line.
  const std::string src = root + "/src/";
  const std::string link =
      "-o t.out t.o " + src + "wyn_io.c " + src + "wyn_proc.c " + src + "wyn_wrapper.c -lm";
  EXPECT_EQ(log_lines(log), std::vector<std::string>{"clang " + link});
  remove_tree(log);
  const CliRun flagged = run_compiler(
      WYN_STANDIN_LEGACY_COMPILER, {"t.wyn"}, dir.path(),
      {make_wrappers(dir.path(), log), "WYN_ROOT=" + root, "WYN_STANDIN_CC_FLAGS=-fno-ident"});
  ASSERT_EQ(flagged.exit_code, 0) << flagged.output;
  EXPECT_EQ(log_lines(log), std::vector<std::string>{"clang -fno-ident " + link});
  SpawnOptions program;
  program.argv = {dir.path() + "/t.out"};
  program.env = current_environment();
  EXPECT_EQ(run_process(program).exit_code, 7);
}

/// `compiler`'s codegen tag rewritten in place, as a benchmark makes "a
/// rebuilt compiler": the marker occurs exactly once.
void patch_codegen_tag(const std::string& compiler, const std::string& tag) {
  std::string binary = wyn::read_file(compiler);
  const std::string marker = "wyn-standin-codegen-tag:";
  const size_t at = binary.find(marker);
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(binary.find(marker, at + 1), std::string::npos);
  const size_t payload = at + marker.size(), room = 64 - marker.size();
  ASSERT_LT(tag.size(), room);
  binary.replace(payload, room, tag + std::string(room - tag.size(), '\0'));
  write_file_atomic(compiler, binary);
  chmod(compiler.c_str(), 0755);
}

TEST(StandinBuildCli, APatchedCodegenTagChangesTaggedProgramsOnly) {
  TempDir dir;
  // A copy of the compiler with its runtime, as it is installed.
  const std::string home = parent_path(WYN_STANDIN_BUILD_COMPILER);
  make_directories(dir.path() + "/rebuilt/runtime");
  copy_file_atomic(WYN_STANDIN_BUILD_COMPILER, dir.path() + "/rebuilt/wyn");
  for (const char* file : {"/runtime/wyn_rt.h", "/runtime/libwyn_rt.a"})
    copy_file_atomic(home + file, dir.path() + "/rebuilt" + file);
  patch_codegen_tag(dir.path() + "/rebuilt/wyn", "rebuilt-2");

  write_file_atomic(dir.path() + "/tagged.wyn", "// standin: tagged\n" + std::string(kHello));
  write_file_atomic(dir.path() + "/plain.wyn", kHello);
  std::map<std::string, std::string> c, exe;
  for (const std::string& compiler :
       {std::string(WYN_STANDIN_BUILD_COMPILER), dir.path() + "/rebuilt/wyn"}) {
    for (const std::string name : {"tagged", "plain"}) {
      const CliRun run =
          run_compiler(compiler, {"build", name + ".wyn", "-o", name + ".bin"}, dir.path());
      ASSERT_EQ(run.exit_code, 0) << run.output;
      const std::string key = name + (compiler == WYN_STANDIN_BUILD_COMPILER ? "" : "'");
      c[key] = wyn::read_file(dir.path() + "/" + name + ".wyn.c");
      exe[key] = wyn::read_file(dir.path() + "/" + name + ".bin");
    }
  }
  EXPECT_NE(c["tagged'"].find("#ident \"wyn-standin codegen rebuilt-2\""), std::string::npos)
      << c["tagged'"];
  EXPECT_NE(c["tagged"], c["tagged'"]);
  EXPECT_NE(exe["tagged"], exe["tagged'"]);
  EXPECT_EQ(c["plain"], c["plain'"]);
  EXPECT_EQ(exe["plain"], exe["plain'"]);
}

TEST(StandinLegacyCli, APatchedCodegenTagChangesTheIrOfTaggedProgramsOnly) {
  TempDir dir;
  const std::string rebuilt = dir.path() + "/rebuilt-wyn";
  copy_file_atomic(WYN_STANDIN_LEGACY_COMPILER, rebuilt);
  patch_codegen_tag(rebuilt, "rebuilt-2");
  write_file_atomic(dir.path() + "/tagged.wyn", "// standin: tagged\n" + std::string(kHello));
  write_file_atomic(dir.path() + "/plain.wyn", kHello);
  const std::string root = "WYN_ROOT=" + parent_path(WYN_STANDIN_LEGACY_COMPILER);
  std::map<std::string, std::string> ir;
  for (const std::string& compiler : {std::string(WYN_STANDIN_LEGACY_COMPILER), rebuilt}) {
    for (const std::string name : {"tagged", "plain"}) {
      const CliRun run = run_compiler(compiler, {name + ".wyn"}, dir.path(), {root});
      ASSERT_EQ(run.exit_code, 0) << run.output;
      ir[name + (compiler == rebuilt ? "'" : "")] = wyn::read_file(dir.path() + "/" + name + ".ll");
    }
  }
  EXPECT_NE(ir["tagged"].find("#ident \"wyn-standin codegen 1\""), std::string::npos)
      << ir["tagged"];
  EXPECT_NE(ir["tagged'"].find("#ident \"wyn-standin codegen rebuilt-2\""), std::string::npos);
  EXPECT_EQ(ir["plain"], ir["plain'"]);
}

}  // namespace
}  // namespace wyn::standin
