#include "gen/scan.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <set>

#include "gen/register.hpp"
#include "gen/shard.hpp"
#include "suite/known_failures.hpp"
#include "util/fs.hpp"
#include "util/hash.hpp"
#include "util/json_io.hpp"
#include "util/text.hpp"

namespace wyn {

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void walk(const std::string& root, const std::string& relative_dir, int& hidden,
          std::vector<FoundFile>& files, std::vector<Diagnostic>& errors,
          std::vector<std::string>* directories, std::vector<std::string>* linked_dirs) {
  if (directories) directories->push_back(relative_dir);
  const std::string dir = relative_dir.empty() ? root : root + "/" + relative_dir;
  std::vector<std::string> names;
  if (!list_directory(dir, names)) {
    errors.push_back({dir, 0, "cannot read directory"});
    return;
  }
  std::sort(names.begin(), names.end());  // deterministic order, whatever the system gives

  for (const std::string& name : names) {
    const std::string relative = relative_dir.empty() ? name : relative_dir + "/" + name;
    const std::string path = root + "/" + relative;
    if (name[0] == '.') {
      ++hidden;
      continue;
    }
    FileStat link_info;
    if (!lstat_file(path, link_info)) continue;  // vanished while listing
    if (link_info.directory) {
      walk(root, relative, hidden, files, errors, directories, linked_dirs);
      continue;
    }
    FileStat target = link_info;
    const bool is_link = link_info.symlink;
    const bool resolves = !is_link || stat_file(path, target);
    const int link_errno = resolves ? 0 : errno;
    if (resolves && target.directory) {
      // A linked directory is not followed (links may form loops, or lead
      // anywhere); the configure account names it, so it is not a silent drop.
      if (linked_dirs) linked_dirs->push_back(to_valid_utf8(relative));
      continue;
    }
    if (!ends_with(name, ".wyn")) continue;  // data files beside the tests
    if (!resolves) {
      errors.push_back({path, 0,
                        link_errno == ELOOP ? "symbolic link loop"
                                            : "symbolic link to a file that does not exist"});
      continue;
    }
    if (is_link && !is_within(path, root)) {
      errors.push_back({path, 0, "symbolic link leads outside the suite directory " + root});
      continue;
    }
    if (!target.regular) {
      // Reading a FIFO or a device would hang or never end.
      errors.push_back({to_valid_utf8(path), 0, "not a regular file"});
      continue;
    }
    if (relative.find_first_of("\n\r") != std::string::npos) {
      errors.push_back({path, 0, "file name contains a line break, which CTest cannot carry"});
      continue;
    }
    if (to_valid_utf8(relative) != relative) {
      errors.push_back({to_valid_utf8(path), 0, "file name is not valid UTF-8"});
      continue;
    }
    files.push_back({relative, path});
  }
}

/// The first few names, for the one-line account printed at configure time
/// (a suite of thousands of files must not print thousands of names).
std::string some_of(const std::vector<std::string>& names) {
  constexpr size_t kShown = 10;
  if (names.size() <= kShown) return join(names, ", ");
  return join({names.begin(), names.begin() + kShown}, ", ") + " and " +
         std::to_string(names.size() - kShown) + " more";
}

}  // namespace

std::vector<FoundFile> find_wyn_files(const std::string& root, int& hidden,
                                      std::vector<Diagnostic>& errors,
                                      std::vector<std::string>* directories,
                                      std::vector<std::string>* linked_dirs) {
  std::vector<FoundFile> files;
  hidden = 0;
  walk(root, "", hidden, files, errors, directories, linked_dirs);
  return files;
}

std::string fileset_fingerprint(const std::vector<FoundFile>& files,
                                const std::vector<std::string>& directories, int hidden,
                                size_t errors) {
  Fnv1a64 h;
  for (const FoundFile& f : files) {
    h.update(f.relative);
    h.update(std::string_view("\0", 1));
  }
  h.update("/dirs/");
  for (const std::string& d : directories) {
    h.update(d);
    h.update(std::string_view("\0", 1));
  }
  h.update(std::to_string(hidden) + "/" + std::to_string(errors));
  return std::to_string(files.size()) + " files, " + std::to_string(directories.size()) +
         " directories: " + h.hex() + "\n";
}

int run_check(const std::string& suite_build_dir) {
  const SuiteConfig config = load_suite_config(suite_build_dir);
  std::vector<Diagnostic> errors;
  std::vector<std::string> directories;
  int hidden = 0;
  const auto files = find_wyn_files(config.root, hidden, errors, &directories);
  write_file_if_changed(suite_build_dir + "/fileset.stamp",
                        fileset_fingerprint(files, directories, hidden, errors.size()));
  return 0;
}

std::string test_id(const std::string& relative) {
  std::string stem = relative.substr(0, relative.size() - 4);  // without ".wyn"
  std::string readable;
  for (char c : stem) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.';
    readable += c == '/' ? '.' : (safe ? c : '_');
  }
  if (readable.size() > 80) readable.resize(80);
  if (!readable.empty() && readable[0] == '.') readable[0] = '_';
  return readable + "-" + fnv1a64_hex(relative).substr(0, 12);
}

std::string test_name(const std::string& suite, const std::string& relative) {
  return suite + "/" + relative.substr(0, relative.size() - 4);
}

std::string cmake_bracket(const std::string& text) {
  std::string equals = "=";
  while (text.find("]" + equals + "]") != std::string::npos || ends_with(text, "]" + equals))
    equals += "=";
  return "[" + equals + "[" + text + "]" + equals + "]";
}

std::string compile_key(const SuiteConfig& config) {
  // Exactly the settings a compile step reads: changing a run-time setting
  // such as the timeout must not recompile anything.
  const nlohmann::json key = {{"root", config.root},
                              {"compiler", config.compiler},
                              {"compiler_style", config.compiler_style},
                              {"wyn_root", config.wyn_root},
                              {"compiler_launcher", config.compiler_launcher},
                              {"no_expect", config.no_expect},
                              {"compile_timeout_seconds", config.compile_timeout_seconds},
                              {"strict_build", config.strict_build}};
  nlohmann::json with_extras = key;
  // Only when set, so that suites without them keep their key (and their builds).
  if (!config.compile_args.empty()) with_extras["compile_args"] = config.compile_args;
  if (!config.snapshot.empty()) with_extras["snapshot"] = config.snapshot;
  return dump_json(with_extras);
}

void write_known_failures(const SuiteConfig& config, const std::vector<ListedName>& tests) {
  nlohmann::json marks = nlohmann::json::object();
  if (!config.known_failures.empty()) {
    std::string text;
    if (!try_read_file(config.known_failures, text))
      throw Error("cannot read the known-failure list " + config.known_failures);
    const KnownFailureList list = parse_known_failures(text, config.known_failures);
    std::vector<Diagnostic> warnings = list.problems;
    for (const KnownFailure& entry : list.entries) {
      bool matched = false;
      for (const ListedName& test : tests) {
        if (entry.file_name != test.relative && entry.file_name != base_name(test.relative))
          continue;
        matched = true;
        if (marks.contains(test.test_name)) continue;  // the first line naming it counts
        marks[test.test_name] =
            KnownFailureMark{config.known_failures + ":" + std::to_string(entry.line), entry.kind};
      }
      if (!matched)
        warnings.push_back({config.known_failures, entry.line,
                            "'" + to_valid_utf8(entry.file_name) + "' matches no test of suite '" +
                                config.name + "'"});
    }
    std::sort(warnings.begin(), warnings.end(),
              [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    for (const Diagnostic& w : warnings)
      std::fprintf(stderr, "wyn-gen: warning: %s\n", w.str().c_str());
  }
  write_file_if_changed(config.build_dir + "/known-failures.json", dump_json(marks));
}

int run_scan(const SuiteConfig& config) {
  std::vector<Diagnostic> errors;
  std::vector<std::string> directories, linked_dirs;
  int hidden = 0;
  // Problems of one file never stop the rest of the suite: a file that
  // cannot be registered is named in a warning, a test file with bad
  // directives becomes a test that fails as a harness_error naming the
  // line. Only problems of the suite itself (no tests at all) are errors.
  std::vector<Diagnostic> warnings;
  const std::vector<FoundFile> files =
      find_wyn_files(config.root, hidden, warnings, &directories, &linked_dirs);
  const size_t listing_errors = warnings.size();
  for (Diagnostic& w : warnings) w.message += " (skipped)";
  if (files.empty()) {
    // Registering nothing would let `ctest` pass without running a test.
    errors.push_back(
        {config.root, 0,
         "no .wyn files in this directory or below: an empty or wrong test directory" +
             std::string(linked_dirs.empty() ? "" : " (linked directories are not followed)")});
  }

  int tests = 0, modules = 0, ignored = 0;
  std::vector<std::string> module_names, ignored_names;
  std::vector<TestSpec> specs;
  std::vector<std::string> test_names;  // the files that are tests: what shards split
  std::set<std::string> ids;
  for (const FoundFile& file : files) {
    std::string text;
    const bool readable = try_read_file(file.absolute, text);
    // An unreadable file stays a test: its compile step reports it.
    if (!readable)
      warnings.push_back({file.absolute, 0, "cannot read the file; the test will fail"});
    ParsedSource parsed = parse_source(text, file.absolute);
    for (Diagnostic problem : parsed.errors) {
      problem.message += "; the test will fail";
      warnings.push_back(std::move(problem));
    }
    const Directives& d = parsed.directives;
    if (!d.stdin_file.empty() &&
        !is_within(parent_path(file.absolute) + "/" + d.stdin_file, config.root)) {
      // The launcher refuses to open it: the test fails as a harness_error.
      warnings.push_back({file.absolute, parsed.directive_lines["STDIN"],
                          "STDIN file '" + to_valid_utf8(d.stdin_file) +
                              "' lies outside the suite directory " + config.root +
                              "; the test will fail"});
    }
    const std::string_view kind = file_kind(parsed, readable, config.no_expect);
    if (kind == "test") {
      ++tests;
      test_names.push_back(test_name(config.name, file.relative));
    } else if (kind == "module") {
      ++modules;
      module_names.push_back(file.relative);
    } else {
      ++ignored;
      ignored_names.push_back(file.relative);
    }
    TestSpec spec;
    spec.name = test_name(config.name, file.relative);
    spec.source = file.absolute;
    spec.relative = file.relative;
    const std::string id = test_id(file.relative);
    if (!ids.insert(id).second) {
      warnings.push_back(
          {file.absolute, 0,
           "two files map to the build directory " + id + "; this one is not registered"});
      continue;
    }
    spec.test_dir = config.build_dir + "/t/" + id;
    specs.push_back(spec);
  }

  for (const Diagnostic& w : warnings)
    std::fprintf(stderr, "wyn-gen: warning: %s\n", w.str().c_str());
  if (!errors.empty()) {
    for (const Diagnostic& e : errors)
      std::fprintf(stderr, "wyn-gen: error: %s\n", e.str().c_str());
    return 1;
  }

  std::vector<ListedName> listed;
  {
    const std::set<std::string> is_test(test_names.begin(), test_names.end());
    for (const TestSpec& spec : specs)
      if (is_test.count(spec.name)) listed.push_back({spec.relative, spec.name});
  }
  const std::string shard = keep_own_shard(config, test_names, specs);

  make_directories(config.build_dir + "/t");
  write_file_if_changed(config.build_dir + "/compile.key", compile_key(config));
  write_known_failures(config, listed);
  nlohmann::json manifest = nlohmann::json::array();
  std::string ids_cmake = "# Generated by wyn-gen for suite " + config.name +
                          ": one compile step per id.\nset(_wyn_ids\n";
  for (const TestSpec& spec : specs) {
    make_directories(spec.test_dir);
    write_file_if_changed(spec.test_dir + "/test.json", dump_json(spec));
    manifest.push_back(spec);
    ids_cmake += "  " + cmake_bracket(base_name(spec.test_dir)) + "\n";
  }
  ids_cmake += ")\n";

  // Ninja watches the suite's directories through links with plain names
  // (their own names may hold anything); see run_check. Where no symbolic
  // link can be made (Windows without the privilege, mingw's library, Wine),
  // it watches the directory by its own path, bracket-quoted.
  const std::string links = config.build_dir + "/dirs";
  remove_tree(links);
  make_directories(links);
  ids_cmake += "set(_wyn_dir_deps\n";
  for (size_t i = 0; i < directories.size(); ++i) {
    const std::string dir =
        directories[i].empty() ? config.root : config.root + "/" + directories[i];
    const std::string link = links + "/" + std::to_string(i);
    try {
      replace_symlink(dir, link);
      ids_cmake += "  " + cmake_bracket(link) + "\n";
    } catch (const Error&) {
      ids_cmake += "  " + cmake_bracket(dir) + "\n";
    }
  }
  ids_cmake += ")\n";
  write_file_if_changed(config.build_dir + "/fileset.stamp",
                        fileset_fingerprint(files, directories, hidden, listing_errors));
  write_file_if_changed(config.build_dir + "/manifest.json", dump_json(manifest));
  write_file_if_changed(config.build_dir + "/ids.cmake", ids_cmake);

  // Directories of tests that no longer exist would only confuse people reading the build tree.
  std::set<std::string> keep;
  for (const TestSpec& spec : specs) keep.insert(base_name(spec.test_dir));
  std::vector<std::string> existing;
  if (list_directory(config.build_dir + "/t", existing)) {
    for (const std::string& name : existing)
      if (!keep.count(name)) remove_tree(config.build_dir + "/t/" + name);
  }

  std::string account = "suite '" + config.name + "' (" + config.root +
                        "): " + (shard.empty() ? std::to_string(tests) + " tests" : shard);
  if (modules)
    account += ", " + std::to_string(modules) + " modules (" + some_of(module_names) + ")";
  if (ignored)
    account += ", " + std::to_string(ignored) + " without expectations ignored (" +
               some_of(ignored_names) + ")";
  if (hidden) account += ", " + std::to_string(hidden) + " hidden entries skipped";
  if (!linked_dirs.empty())
    account += ", " + std::to_string(linked_dirs.size()) + " linked directories not followed (" +
               join(linked_dirs, ", ") + ")";
  std::printf("%s\n", account.c_str());
  return 0;
}

}  // namespace wyn
