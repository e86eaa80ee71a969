#include "cache/compile/compile_key.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "util/json_io.hpp"

namespace wyn {

namespace {

bool starts_path(std::string_view text, size_t at) {
  if (at == 0) return true;
  const char before = text[at - 1];
  if (before == ':' || before == ';' || before == ',' || before == '=' || before == '"' ||
      before == '\'' || std::isspace(static_cast<unsigned char>(before)))
    return true;
  // An option with its path attached: -I/x, -L/x.
  return at >= 2 && text[at - 2] == '-' && std::isalpha(static_cast<unsigned char>(before));
}

bool ends_component(std::string_view text, size_t at) {
  if (at == text.size()) return true;
  const char after = text[at];
  return after == '/' || after == ':' || after == ';' || after == ',' || after == '"' ||
         after == '\'' || std::isspace(static_cast<unsigned char>(after));
}

std::string trimmed(std::string tree) {
  while (tree.size() > 1 && tree.back() == '/') tree.pop_back();
  return tree;
}

}  // namespace

std::string location_independent(std::string_view text, const KeyLocations& where) {
  std::vector<std::pair<std::string, std::string>> trees;
  if (!where.source_tree.empty()) trees.emplace_back(trimmed(where.source_tree), "<source>");
  if (!where.build_tree.empty()) trees.emplace_back(trimmed(where.build_tree), "<build>");
  if (!where.home.empty()) trees.emplace_back(trimmed(where.home), "<home>");
  // The deeper tree first: <build> inside <source> must read as <build>.
  std::sort(trees.begin(), trees.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  trees.erase(std::remove_if(trees.begin(), trees.end(),
                             [](const auto& t) { return t.first.size() < 2; }),  // never "/"
              trees.end());
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    bool replaced = false;
    if (text[i] == '/' && starts_path(text, i)) {
      for (const auto& [tree, placeholder] : trees) {
        if (text.compare(i, tree.size(), tree) == 0 && ends_component(text, i + tree.size())) {
          out += placeholder;
          i += tree.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

CacheKey compile_cache_key(const CompileKeyInputs& in) {
  CacheKey key;
  key.add("format", kCompileKeyFormat);
  key.add("style", in.style);
  const std::string where = location_independent(in.compiler, in.where);
  const bool inside = where.rfind("<source>", 0) == 0 || where.rfind("<build>", 0) == 0 ||
                      where.rfind("<home>", 0) == 0;
  key.add("compiler", inside ? where : std::string("<outside the trees>"));
  key.add("compiler.sha256", in.compiler_sha256);
  key.add("command", json_text(in.command));
  auto stage = in.stage;
  if (stage.size() > 1) std::sort(stage.begin() + 1, stage.end());
  for (const auto& [name, hash] : stage) key.add("stage/" + name, hash);
  auto runtime = in.runtime;
  std::sort(runtime.begin(), runtime.end());
  for (const auto& [name, hash] : runtime) key.add("runtime/" + name, hash);
  std::vector<std::pair<std::string, std::string>> environment;
  for (const auto& [name, value] : in.environment)
    environment.emplace_back(name, "=" + location_independent(value, in.where));
  for (const std::string& name : in.unset) environment.emplace_back(name, "<unset>");
  std::sort(environment.begin(), environment.end());
  for (const auto& [name, value] : environment) key.add("env/" + name, value);
  return key;
}

}  // namespace wyn
