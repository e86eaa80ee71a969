#include "standin/toolchain.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <sstream>

#include "standin/host.hpp"

namespace wyn::standin {

namespace {

bool is_file(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

bool read_file(const std::string& path, std::string& contents) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return false;
  contents.clear();
  char buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) contents.append(buffer, n);
  // A directory opens but does not read (EISDIR): it is not a source file.
  const bool ok = !std::ferror(file);
  std::fclose(file);
  return ok;
}

std::string write_file(const std::string& path, std::string_view contents) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) return "cannot write '" + path + "': " + std::strerror(errno);
  const bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
  const int saved = errno;
  if (std::fclose(file) != 0 || !written) {
    return "cannot write '" + path + "': " + std::strerror(written ? errno : saved);
  }
  return "";
}

std::string parent_directory(const std::string& path) {
  const size_t slash = path.find_last_of(k_path_separators);
  if (slash == std::string::npos) return "";
  if (slash == 0) return path.substr(0, 1);
  return path.substr(0, slash);
}

std::string join_path(const std::string& directory, const std::string& name) {
  if (directory.empty()) return name;
  if (k_path_separators.find(directory.back()) != std::string_view::npos) return directory + name;
  return directory + "/" + name;
}

std::string strip_extension(const std::string& path) {
  const size_t slash = path.find_last_of(k_path_separators);
  const size_t dot = path.find_last_of('.');
  // A leading dot names a hidden file, not an extension.
  const size_t name_start = slash == std::string::npos ? 0 : slash + 1;
  if (dot == std::string::npos || dot <= name_start) return path;
  return path.substr(0, dot);
}

std::vector<std::string> runtime_sources(const std::string& directory) {
  std::vector<std::string> sources;
  if (!is_file(join_path(directory, "wyn_wrapper.c"))) return sources;
  DIR* dir = opendir(directory.c_str());
  if (!dir) return sources;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.size() > 2 && name.compare(name.size() - 2, 2, ".c") == 0 &&
        is_file(join_path(directory, name))) {
      sources.push_back(join_path(directory, name));
    }
  }
  closedir(dir);
  std::sort(sources.begin(), sources.end());
  return sources;
}

std::string find_legacy_runtime(std::string& looked_in) {
  std::vector<std::string> candidates;
  if (const char* root = std::getenv("WYN_ROOT"); root && *root) {
    candidates.push_back(join_path(root, "src"));
  } else {
    candidates = {"src", "../src", "wyn/src"};
  }
  looked_in.clear();
  for (const std::string& candidate : candidates) {
    if (!runtime_sources(candidate).empty()) return candidate;
    looked_in += (looked_in.empty() ? "" : ", ") + candidate;
  }
  return "";
}

std::string find_build_runtime() {
  const std::string self = own_executable();
  if (self.empty()) return "";
  return join_path(parent_directory(self), "runtime");
}

std::vector<std::string> host_c_compiler() { return {WYN_STANDIN_HOST_CC}; }

namespace {

/// The words of environment variable `name` (none if unset), split at white
/// space without quoting, as a shell splits an unquoted `$WYN_CC`. The
/// stand-in links nothing of the harness it is a test double for (a bug the
/// two shared would hide itself), so wyn-cc's own word splitting is not used.
std::vector<std::string> env_words(const char* name) {
  const char* value = std::getenv(name);
  std::istringstream in(value ? value : "");
  return {std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()};
}

}  // namespace

std::vector<std::string> configured_cc_flags() { return env_words("WYN_STANDIN_CC_FLAGS"); }

std::vector<std::string> build_c_compiler() {
  if (std::vector<std::string> words = env_words("WYN_CC"); !words.empty()) return words;
  const char* path = std::getenv("PATH");
  for (const char* name : {"cc", "gcc", "clang"}) {
    const std::string dirs = path ? path : "/usr/bin:/bin";
    size_t begin = 0;
    while (begin <= dirs.size()) {
      const size_t end = std::min(dirs.find(k_path_list_separator, begin), dirs.size());
      // An empty PATH entry means the current directory, as for execvp.
      const std::string dir = end == begin ? "." : dirs.substr(begin, end - begin);
      if (has_program(dir, name)) return {name};
      begin = end + 1;
    }
  }
  return {"cc"};
}

// The codegen tag: a fixed-size array holding "wyn-standin-codegen-tag:" and
// the tag, NUL-padded. It occurs once in the binary, so that a benchmark or
// test can rewrite the tag in a copy of it ("a rebuilt compiler" whose output
// differs for the tagged programs only). Volatile: the compiler must read it
// from the binary at run time, not fold the initial value into the code.
extern "C" {
extern volatile const char wyn_standin_codegen_tag[64];
volatile const char wyn_standin_codegen_tag[64] = "wyn-standin-codegen-tag:1";
}

std::string codegen_tag() {
  std::string text;
  for (size_t i = 0; i < sizeof wyn_standin_codegen_tag && wyn_standin_codegen_tag[i]; ++i)
    text += wyn_standin_codegen_tag[i];
  return text.substr(text.find(':') + 1);
}

int configured_c_weight() {
  const char* text = std::getenv("WYN_STANDIN_C_WEIGHT");
  if (!text || !*text) return 0;
  char* end = nullptr;
  const long long n = std::strtoll(text, &end, 10);
  return *end == '\0' && n > 0 ? static_cast<int>(std::min(n, 1000000LL)) : 0;
}

std::string operand(const std::string& path) {
  return !path.empty() && path[0] == '-' ? "./" + path : path;
}

void burn_cpu(int64_t ms) {
  const double end = cpu_ms() + static_cast<double>(ms);
  volatile uint64_t spin = 0;
  while (cpu_ms() < end) {
    for (int i = 0; i < 10000; ++i) spin = spin + 1;
  }
}

void burn_configured_cpu() {
  const char* text = std::getenv("WYN_STANDIN_CPU_MS");
  if (!text || !*text) return;
  char* end = nullptr;
  const long long ms = std::strtoll(text, &end, 10);
  if (*end == '\0' && ms > 0) burn_cpu(ms);
}

void perform_actions(const std::vector<Action>& actions) {
  for (const Action& action : actions) {
    switch (action.kind) {
      case Action::Kind::abort:
        // The message a real LLVM-based compiler prints before aborting.
        std::fflush(stdout);
        std::fputs("LLVM ERROR: Cannot emit physreg copy instruction\n", stderr);
        die_by(SIGABRT);
      case Action::Kind::segv:
        die_by(SIGSEGV);
      case Action::Kind::sleep:
        sleep_ms(action.ms);
        break;
      case Action::Kind::burn:
        burn_cpu(action.ms);
        break;
      case Action::Kind::tagged:  // changes the generated C, nothing at compile time
        break;
    }
  }
}

bool use_colour() {
  const char* no_color = std::getenv("NO_COLOR");
  return !no_color || !*no_color;
}

}  // namespace wyn::standin
