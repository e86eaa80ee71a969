#include "cache/toolchain/object_memo.hpp"

#include <cstdio>
#include <ctime>

#include "cache/cache_key.hpp"
#include "util/fs.hpp"
#include "util/sha256.hpp"

namespace wyn {

namespace {

constexpr std::string_view kMagic = "wyn-cc-memo/1\n";

bool hash_file(const std::string& path, std::string& hex) {
  std::string bytes;
  if (!try_read_file(path, bytes)) return false;
  hex = sha256_hex(bytes);
  return true;
}

/// Reads one length-prefixed field ("<n>:<bytes>\n") at `pos`.
bool read_field(std::string_view text, size_t& pos, std::string& out) {
  const size_t colon = text.find(':', pos);
  if (colon == std::string_view::npos || colon == pos || colon - pos > 12) return false;
  size_t n = 0;
  for (size_t i = pos; i < colon; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    n = n * 10 + static_cast<size_t>(text[i] - '0');
  }
  if (colon + 1 + n + 1 > text.size() || text[colon + 1 + n] != '\n') return false;
  out.assign(text.substr(colon + 1, n));
  pos = colon + 1 + n + 1;
  return true;
}

void write_field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

}  // namespace

std::vector<std::string> parse_depfile(std::string_view text) {
  std::vector<std::string> paths;
  // Skip the target: everything up to the first unescaped ':' followed by
  // a blank, a line continuation or the end (not a drive's, as in "C:\x.o").
  size_t pos = 0;
  const auto continuation = [&](size_t i) {
    return i + 1 < text.size() && text[i] == '\\' && (text[i + 1] == '\n' || text[i + 1] == '\r');
  };
  for (; pos < text.size(); ++pos) {
    if (text[pos] == '\\' && pos + 1 < text.size()) {
      ++pos;
      continue;
    }
    if (text[pos] == ':' &&
        (pos + 1 == text.size() || text[pos + 1] == ' ' || text[pos + 1] == '\t' ||
         text[pos + 1] == '\n' || text[pos + 1] == '\r' || continuation(pos + 1)))
      break;
  }
  if (pos >= text.size()) return paths;
  ++pos;
  std::string word;
  const auto flush = [&] {
    if (!word.empty()) paths.push_back(word);
    word.clear();
  };
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c == '\\' && pos + 1 < text.size()) {
      const char next = text[pos + 1];
      if (next == '\n') {  // line continuation
        flush();
        ++pos;
      } else if (next == '\r' && pos + 2 < text.size() && text[pos + 2] == '\n') {
        flush();
        pos += 2;
      } else if (next == ' ' || next == '#' || next == '\\') {
        word += next;
        ++pos;
      } else {
        word += c;
      }
    } else if (c == '$' && pos + 1 < text.size() && text[pos + 1] == '$') {
      word += '$';
      ++pos;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      flush();
    } else if (c == '\n') {
      // The first rule ends here; later rules (-MP phony targets) add nothing.
      break;
    } else {
      word += c;
    }
  }
  flush();
  return paths;
}

std::string encode_memo_entry(const MemoEntry& entry) {
  std::string out(kMagic);
  write_field(out, entry.object_identity);
  write_field(out, entry.diagnostics);
  write_field(out, std::to_string(entry.dependencies.size()));
  for (const MemoDependency& d : entry.dependencies) {
    write_field(out, d.path);
    write_field(out, d.identity);
    write_field(out, d.sha256);
  }
  // A trailing checksum: a torn or edited entry reads as a miss.
  out += sha256_hex(out) + "\n";
  return out;
}

bool decode_memo_entry(std::string_view text, MemoEntry& entry) {
  if (text.size() < kMagic.size() + 65 || text.compare(0, kMagic.size(), kMagic) != 0) return false;
  const std::string_view body = text.substr(0, text.size() - 65);
  if (text.back() != '\n' || sha256_hex(body) != text.substr(text.size() - 65, 64)) return false;
  size_t pos = kMagic.size();
  MemoEntry e;
  std::string count;
  if (!read_field(body, pos, e.object_identity) || !read_field(body, pos, e.diagnostics) ||
      !read_field(body, pos, count))
    return false;
  char* end = nullptr;
  const unsigned long n = std::strtoul(count.c_str(), &end, 10);
  if (count.empty() || *end || n > 100000) return false;
  e.dependencies.resize(n);
  for (MemoDependency& d : e.dependencies)
    if (!read_field(body, pos, d.path) || !read_field(body, pos, d.identity) ||
        !read_field(body, pos, d.sha256))
      return false;
  if (pos != body.size()) return false;
  entry = std::move(e);
  return true;
}

std::string file_identity(const std::string& path) {
  FileStat st;
  if (!stat_file(path, st) || !st.regular) return "";
  return stat_identity(st);
}

bool ObjectMemo::lookup(const std::string& key, std::string& object,
                        std::string& diagnostics) const {
  std::string text;
  MemoEntry entry;
  if (!try_read_file(m_dir + "/" + key + ".memo", text) || !decode_memo_entry(text, entry))
    return false;
  const std::string path = object_path(key);
  if (entry.object_identity.empty() || file_identity(path) != entry.object_identity) return false;
  for (const MemoDependency& d : entry.dependencies) {
    if (!d.identity.empty() && file_identity(d.path) == d.identity) continue;
    std::string hex;
    if (!hash_file(d.path, hex) || hex != d.sha256) return false;
  }
  object = path;
  diagnostics = entry.diagnostics;
  return true;
}

bool ObjectMemo::store(const std::string& key, const std::string& compiled,
                       const std::string& depfile, const std::string& cwd,
                       const std::string& diagnostics, double started) const {
  std::string deps_text;
  if (!try_read_file(depfile, deps_text)) return false;
  MemoEntry entry;
  entry.diagnostics = diagnostics;
  for (std::string path : parse_depfile(deps_text)) {
    if (!is_absolute_path(path)) path = cwd + "/" + path;
    MemoDependency d;
    d.path = path;
    FileStat st;
    if (!stat_file(path, st) || !hash_file(path, d.sha256)) return false;
    // A file changed after the compile started may have changed within one
    // timestamp tick of what the compiler read: trust only its content.
    if (st.mtime() < started - 1 && st.ctime() < started - 1) d.identity = file_identity(path);
    entry.dependencies.push_back(std::move(d));
  }
  return keep(key, compiled, entry);
}

bool ObjectMemo::store_whole(const std::string& key, const std::string& compiled,
                             const std::string& diagnostics) const {
  MemoEntry entry;
  entry.diagnostics = diagnostics;
  return keep(key, compiled, entry);
}

bool ObjectMemo::keep(const std::string& key, const std::string& compiled, MemoEntry& entry) const {
  const std::string object = object_path(key);
  if (!rename_file(compiled, object)) return false;
  entry.object_identity = file_identity(object);
  try {
    write_file_atomic(m_dir + "/" + key + ".memo", encode_memo_entry(entry));
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

}  // namespace wyn
