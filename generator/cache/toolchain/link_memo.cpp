#include "cache/toolchain/link_memo.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "cache/compile_cache.hpp"
#include "cache/toolchain/object_memo.hpp"
#include "util/fs.hpp"

namespace wyn {

namespace {

/// Changes whenever the link key's composition changes.
constexpr const char* kLinkKeyFormat = "wyn-cc-link-key/1";

/// Environment variables that change what the driver and linker produce or print.
constexpr const char* kLinkEnvironment[] = {
    "LIBRARY_PATH", "GCC_EXEC_PREFIX", "COMPILER_PATH", "LD_RUN_PATH", "SOURCE_DATE_EPOCH",
    "LANG",         "LC_ALL",          "LC_MESSAGES",   "GCC_COLORS",  "TERM",
};

/// Linker options (-Wl,...) that change only the linked file itself: a link
/// with any other (-Map, --trace, -T script, --version-script, --verbose ...)
/// may read or write files the key does not see, so it is not memoised.
constexpr std::string_view kOutputOnlyLinkerOptions[] = {
    "--allow-multiple-definition",
    "--gc-sections",
    "--no-gc-sections",
    "--as-needed",
    "--no-as-needed",
    "--export-dynamic",
    "-E",
    "--strip-all",
    "-s",
    "--strip-debug",
    "-S",
    "--no-undefined",
    "--enable-new-dtags",
    "--disable-new-dtags",
    "--sort-common",
    "-O0",
    "-O1",
    "-O2",
    "--build-id",
    "--eh-frame-hdr",
    "--relax",
    "--no-relax",
};
/// Of those, the options whose value is the next comma-separated piece.
constexpr std::string_view kOutputOnlyLinkerOptionsWithValue[] = {"-z", "-rpath"};

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool is_input_file(const std::string& arg) {
  const auto ends = [&](const char* suffix) {
    const std::string_view x(suffix);
    return arg.size() > x.size() && arg.compare(arg.size() - x.size(), x.size(), x) == 0;
  };
  return ends(".o") || ends(".a") || ends(".so") || arg.find(".so.") != std::string::npos;
}

std::string joined(const std::string& cwd, const std::string& path) {
  return is_absolute_path(path) ? path : cwd + "/" + path;
}

/// The umask, read without changing it for longer than two calls.
mode_t current_umask() {
  const mode_t mask = ::umask(022);
  ::umask(mask);
  return mask;
}

/// True when every piece of a -Wl, argument is in the tables above.
bool only_output_linker_options(const std::string& arg) {
  std::vector<std::string> pieces;
  size_t start = 4;  // after "-Wl,"
  while (start <= arg.size()) {
    const size_t comma = arg.find(',', start);
    pieces.push_back(
        arg.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? arg.size() + 1 : comma + 1;
  }
  for (size_t i = 0; i < pieces.size(); ++i) {
    const std::string& p = pieces[i];
    const auto is = [&p](std::string_view name) { return p == name; };
    if (std::any_of(std::begin(kOutputOnlyLinkerOptionsWithValue),
                    std::end(kOutputOnlyLinkerOptionsWithValue), is)) {
      ++i;  // the value: a keyword (-z now) or a directory searched at run time
      continue;
    }
    if (p.rfind("--build-id=", 0) == 0 || p.rfind("--hash-style=", 0) == 0) continue;
    if (!std::any_of(std::begin(kOutputOnlyLinkerOptions), std::end(kOutputOnlyLinkerOptions), is))
      return false;
  }
  return true;
}

}  // namespace

LinkKey link_memo_key(const std::string& compiler, const std::string& compiler_sha256,
                      const std::vector<std::string>& args, const std::string& cwd,
                      const std::string& hash_memo_dir) {
  LinkKey result;
  result.output = "a.out";
  const FileHashMemo hashes(hash_memo_dir);
  CacheKey key;
  key.add("format", kLinkKeyFormat);
  key.add("compiler", compiler);
  key.add("compiler.sha256", compiler_sha256);
  std::vector<std::string> search_dirs;
  std::vector<std::string> libraries;
  bool shared = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (starts_with(arg, "-Wl,") && !only_output_linker_options(arg)) return result;
    if (arg == "-shared") shared = true;
    if (arg == "-o" && i + 1 < args.size()) {
      result.output = args[++i];
      key.add("arg", "-o");
      continue;
    }
    if ((arg == "-L" || arg == "-l") && i + 1 < args.size()) {
      (arg == "-L" ? search_dirs : libraries).push_back(args[i + 1]);
      key.add("arg", arg);
      key.add("arg", args[++i]);
      continue;
    }
    if (starts_with(arg, "-L")) search_dirs.push_back(arg.substr(2));
    if (starts_with(arg, "-l")) libraries.push_back(arg.substr(2));
    key.add("arg", arg);
    if (arg[0] != '-' && is_input_file(arg)) {
      std::string hex;
      if (!hashes.hash(joined(cwd, arg), hex)) return result;
      key.add("input.sha256", hex);
    }
  }
  // A shared library may record its own file name.
  if (shared) key.add("output", result.output);
  // -lNAME takes lib<NAME>.so or lib<NAME>.a from the first -L directory that
  // has either (before the system directories): those files are inputs too.
  for (const std::string& name : libraries) {
    for (const std::string& dir : search_dirs) {
      bool found = false;
      for (const char* suffix : {".so", ".a"}) {
        const std::string candidate = joined(cwd, dir) + "/lib" + name + suffix;
        std::string hex;
        if (!path_exists(candidate)) continue;
        if (!hashes.hash(candidate, hex)) return result;
        key.add("library", candidate);
        key.add("library.sha256", hex);
        found = true;
      }
      if (found) break;
    }
  }
  for (const std::string& dir : search_dirs)
    if (!is_absolute_path(dir)) key.add("cwd", cwd);
  for (const char* name : kLinkEnvironment) {
    const char* value = std::getenv(name);
    key.add(std::string("env/") + name, value ? "=" + std::string(value) : "<unset>");
  }
  result.hex = key.hex();
  return result;
}

bool LinkMemo::restore(const std::string& key, const std::string& output,
                       std::string& diagnostics) const {
  std::string text;
  MemoEntry entry;
  if (!try_read_file(m_dir + "/" + key + ".memo", text) || !decode_memo_entry(text, entry))
    return false;
  const std::string stored = m_dir + "/" + key + ".out";
  if (entry.object_identity.empty() || file_identity(stored) != entry.object_identity) return false;
  std::string bytes;
  if (!try_read_file(stored, bytes)) return false;
  try {
    // As the linker makes it: every permission the umask leaves.
    write_file_atomic(output, bytes);
    if (::chmod(output.c_str(), 0777 & ~current_umask()) != 0) return false;
  } catch (const std::exception&) {
    return false;
  }
  diagnostics = entry.diagnostics;
  return true;
}

bool LinkMemo::store(const std::string& key, const std::string& output,
                     const std::string& diagnostics) const {
  const std::string stored = m_dir + "/" + key + ".out";
  try {
    make_directories(m_dir);
    copy_file_atomic(output, stored);
    MemoEntry entry;
    entry.object_identity = file_identity(stored);
    entry.diagnostics = diagnostics;
    if (entry.object_identity.empty()) return false;
    write_file_atomic(m_dir + "/" + key + ".memo", encode_memo_entry(entry));
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

}  // namespace wyn
