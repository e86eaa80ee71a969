#include "compile/staging.hpp"

#include <algorithm>

#include "util/fs.hpp"

namespace wyn {

bool collect_modules(const std::string& source_dir, const std::string& suite_root,
                     const std::vector<Import>& imports, std::vector<StagedFile>& files,
                     std::set<std::string>& staged, DepLinks& deps, CompileRecord& record) {
  bool all_found = true;
  for (const Import& import : imports) {
    if (!staged.insert(import.module).second) continue;
    const std::string path = source_dir + "/" + import.module + ".wyn";
    std::string text;
    // A module outside the suite (through a link) is not read: the compiler then reports it
    // missing.
    if (!is_within(path, suite_root) || !try_read_file(path, text)) {
      all_found = false;
      continue;
    }
    deps.add("module." + import.module, path);
    record.imports.push_back(path);
    const ParsedSource parsed = parse_source(text, path);
    files.push_back({import.module + ".wyn", std::move(text)});
    all_found &=
        collect_modules(source_dir, suite_root, parsed.imports, files, staged, deps, record);
  }
  return all_found;
}

std::vector<std::string> add_runtime_deps(const std::string& wyn_root, DepLinks& deps) {
  const std::string src = wyn_root + "/src";
  deps.add("runtime-dir", src);  // a runtime file added or removed changes the directory
  std::vector<std::string> names;
  list_directory(src, names);  // none when it cannot be read
  names.erase(std::remove_if(names.begin(), names.end(),
                             [](const std::string& name) {
                               const auto dot = name.rfind('.');
                               if (dot == std::string::npos) return true;
                               const std::string ext = name.substr(dot);
                               return ext != ".c" && ext != ".h";
                             }),
              names.end());
  std::sort(names.begin(), names.end());
  std::vector<std::string> paths;
  for (size_t i = 0; i < names.size(); ++i) {
    paths.push_back(src + "/" + names[i]);
    deps.add("runtime." + std::to_string(i), paths.back());
  }
  return paths;
}

void write_stage(const std::string& stage, const std::vector<StagedFile>& files) {
  make_directories(stage);
  for (const StagedFile& f : files) write_file_atomic(stage + "/" + f.name, f.text);
}

}  // namespace wyn
