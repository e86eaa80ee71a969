#include "report/codegen.hpp"

#include <unistd.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "suite/test_spec.hpp"
#include "util/diff.hpp"
#include "util/fs.hpp"
#include "util/hash.hpp"
#include "util/json_io.hpp"
#include "util/sha256.hpp"

namespace wyn {

namespace {

constexpr const char* kSchema = "wyn-ctest/codegen/1";

/// The baseline of the code the previous report saw.
std::string last_dir(const std::string& report_dir) { return report_dir + "/codegen/last"; }

/// How a test's code is named in a diff's header: its test name with the
/// file's extension.
std::string code_name(const std::string& test, const std::string& codegen) {
  return test + (codegen == "c" ? ".wyn.c" : "." + codegen);
}

/// A file name for a test's diff: readable, and unique through the hash of the name.
std::string diff_file_name(const std::string& test) {
  std::string safe;
  for (char c : test.substr(0, 80))
    safe += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return safe + "-" + fnv1a64_hex(test).substr(0, 8) + ".diff";
}

std::vector<std::string> file_names(const std::string& dir) {
  std::vector<std::string> names;
  list_directory(dir, names);  // none when it cannot be read
  return names;
}

}  // namespace

CodegenStates current_codegen(const std::vector<std::string>& test_dirs) {
  CodegenStates states;
  for (const std::string& dir : test_dirs) {
    std::string text;
    if (dir.empty() || !try_read_file(dir + "/compile.json", text)) continue;
    const nlohmann::json record = parse_json_or_discarded(text);
    if (!record.is_object() || record.value("status", "") != "compiled" ||
        record.value("codegen_hash", "").empty())
      continue;
    states[record.value("name", "")] = {
        record.value("codegen", ""), record.value("codegen_hash", ""),
        record.value("source_hash", ""), record.value("codegen_file", "")};
  }
  return states;
}

CodegenStates read_codegen_baseline(const std::string& dir) {
  CodegenStates states;
  const std::string path = dir + "/index.json";
  if (!path_exists(path)) return states;
  const nlohmann::json index = read_json_file(path);
  if (!index.is_object() || index.value("schema", "") != kSchema)
    throw Error(path + ": not a codegen baseline (schema " + kSchema + ")");
  const nlohmann::json tests = index.value("tests", nlohmann::json::object());
  for (const auto& [name, entry] : tests.items())
    states[name] = {entry.value("codegen", ""), entry.value("hash", ""),
                    entry.value("source_hash", ""), ""};
  return states;
}

CodegenImpact compare_codegen(const CodegenStates& now, const std::string& dir,
                              const std::string& label) {
  CodegenImpact impact;
  impact.computed = true;
  impact.baseline = label;
  const CodegenStates before = read_codegen_baseline(dir);
  for (const auto& [name, state] : now) {
    const auto it = before.find(name);
    if (it == before.end()) continue;
    ++impact.compared;
    const CodegenState& old = it->second;
    if (old.hash == state.hash) continue;
    CodegenChange change;
    change.name = name;
    change.codegen = state.codegen;
    change.source_changed = !old.source_hash.empty() && old.source_hash != state.source_hash;
    std::string old_text, new_text;
    if (old.codegen == state.codegen && !state.file.empty() &&
        try_read_file(dir + "/texts/" + old.hash, old_text) && try_read_file(state.file, new_text))
      change.diff =
          unified_diff(old_text, new_text, code_name(name, old.codegen) + " (" + label + ")",
                       code_name(name, state.codegen) + " (this build)");
    impact.changed.push_back(std::move(change));
  }
  return impact;
}

void update_codegen_baseline(const std::string& dir, const CodegenStates& states, bool replace) {
  CodegenStates index = replace ? CodegenStates{} : read_codegen_baseline(dir);
  const std::string texts = dir + "/texts";
  make_directories(texts);
  bool changed = replace;
  for (const auto& [name, state] : states) {
    const auto it = index.find(name);
    if (it != index.end() && it->second.hash == state.hash && it->second.codegen == state.codegen &&
        it->second.source_hash == state.source_hash)
      continue;
    if (!state.file.empty() && !path_exists(texts + "/" + state.hash)) {
      std::string text;
      // Only the text that was hashed: a build running meanwhile may have
      // replaced it. The entry then stays as it was.
      if (!try_read_file(state.file, text) || sha256_hex(text) != state.hash) continue;
      write_file_atomic(texts + "/" + state.hash, text);
    }
    index[name] = {state.codegen, state.hash, state.source_hash, ""};
    changed = true;
  }
  if (!changed) return;
  nlohmann::json tests = nlohmann::json::object();
  std::set<std::string> kept;
  for (const auto& [name, state] : index) {
    tests[name] = {
        {"codegen", state.codegen}, {"hash", state.hash}, {"source_hash", state.source_hash}};
    kept.insert(state.hash);
  }
  write_json_file(dir + "/index.json", {{"schema", kSchema}, {"tests", tests}});
  for (const std::string& name : file_names(texts))
    if (!kept.count(name)) ::unlink((texts + "/" + name).c_str());
}

void write_codegen_diffs(CodegenImpact& impact, const std::string& dir) {
  remove_tree(dir);
  for (CodegenChange& change : impact.changed) {
    if (change.diff.empty()) continue;
    make_directories(dir);
    change.diff_file = dir + "/" + diff_file_name(change.name);
    write_file_atomic(change.diff_file, change.diff);
  }
}

std::string codegen_baseline_dir(const std::string& report_dir, const std::string& name) {
  if (name.empty() || name == "." || name == "..")
    throw Error("a codegen baseline needs a name or a directory, not '" + name + "'");
  if (name.find('/') != std::string::npos) return absolute_path(name);
  return report_dir + "/codegen/baselines/" + name;
}

CodegenImpact codegen_impact(const std::vector<TestRecord>& records, const std::string& report_dir,
                             const std::string& pinned) {
  std::vector<std::string> test_dirs;
  for (const TestRecord& r : records) test_dirs.push_back(r.test_dir);
  const CodegenStates now = current_codegen(test_dirs);
  CodegenImpact impact;
  if (pinned.empty()) {
    try {
      impact = compare_codegen(now, last_dir(report_dir), "the previous run");
    } catch (const Error&) {
      // A damaged record of the previous run: this run starts a new one.
      remove_tree(last_dir(report_dir));
      impact = compare_codegen(now, last_dir(report_dir), "the previous run");
    }
  } else {
    const std::string dir = codegen_baseline_dir(report_dir, pinned);
    if (!path_exists(dir + "/index.json"))
      throw Error("no codegen baseline in " + dir +
                  " (wyn-report codegen-baseline save NAME CONFIG saves one)");
    impact = compare_codegen(now, dir, "baseline " + pinned);
    impact.pinned = true;
  }
  write_codegen_diffs(impact, report_dir + "/codegen/diffs");
  update_codegen_baseline(last_dir(report_dir), now, false);
  return impact;
}

std::string save_codegen_baseline(const std::vector<std::string>& suite_dirs,
                                  const std::string& report_dir, const std::string& name,
                                  size_t& saved) {
  std::vector<std::string> test_dirs;
  for (const std::string& dir : suite_dirs)
    for (const TestSpec& spec : read_json_as<std::vector<TestSpec>>(dir + "/manifest.json"))
      test_dirs.push_back(spec.test_dir);
  const CodegenStates now = current_codegen(test_dirs);
  const std::string dir = codegen_baseline_dir(report_dir, name);
  update_codegen_baseline(dir, now, true);
  saved = read_codegen_baseline(dir).size();
  return dir;
}

}  // namespace wyn
