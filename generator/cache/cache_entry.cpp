#include "cache/cache_entry.hpp"

#include <nlohmann/json.hpp>

#include "util/json_io.hpp"
#include "util/sha256.hpp"

namespace wyn {

namespace {

constexpr std::string_view kEntryMagic = "wyn-compile-cache-entry/1\n";

}  // namespace

std::string encode_cache_entry(const std::string& key, const CacheEntry& entry) {
  const nlohmann::json header = {{"key", key},
                                 {"status", entry.status},
                                 {"exit_code", entry.exit_code},
                                 {"signal", entry.signal},
                                 {"seconds", entry.seconds},
                                 {"log_bytes", entry.log.size()},
                                 {"executable_bytes", entry.executable.size()},
                                 {"codegen", entry.codegen},
                                 {"generated_bytes", entry.generated.size()}};
  std::string body = json_text(header, -1, true, nlohmann::json::error_handler_t::replace) + "\n";
  body += entry.log;
  body += entry.executable;
  body += entry.generated;
  return std::string(kEntryMagic) + sha256_hex(body) + "\n" + body;
}

bool decode_cache_entry(const std::string& key, std::string_view bytes, CacheEntry& entry,
                        std::string& problem) {
  if (bytes.substr(0, kEntryMagic.size()) != kEntryMagic) {
    problem = "not a compile cache entry";
    return false;
  }
  bytes.remove_prefix(kEntryMagic.size());
  if (bytes.size() < 65 || bytes[64] != '\n') {
    problem = "truncated entry";
    return false;
  }
  const std::string_view checksum = bytes.substr(0, 64);
  const std::string_view body = bytes.substr(65);
  if (sha256_hex(body) != checksum) {
    problem = "checksum mismatch (truncated or corrupt)";
    return false;
  }
  const size_t end = body.find('\n');
  if (end == std::string_view::npos) {
    problem = "no header";
    return false;
  }
  try {
    const nlohmann::json header = parse_json(body.substr(0, end));
    const uint64_t log_bytes = header.at("log_bytes").get<uint64_t>();
    const uint64_t executable_bytes = header.at("executable_bytes").get<uint64_t>();
    const uint64_t generated_bytes = header.value("generated_bytes", uint64_t{0});
    const std::string_view payload = body.substr(end + 1);
    CacheEntry e;
    e.status = header.at("status").get<std::string>();
    e.exit_code = header.at("exit_code").get<int>();
    e.signal = header.at("signal").get<int>();
    e.seconds = header.at("seconds").get<double>();
    e.codegen = header.value("codegen", "");
    if (header.at("key").get<std::string>() != key) {
      problem = "the entry belongs to another key";
      return false;
    }
    if (payload.size() != log_bytes + executable_bytes + generated_bytes ||
        log_bytes > payload.size() || executable_bytes > payload.size()) {
      problem = "sizes do not add up";
      return false;
    }
    const bool compiled = e.status == "compiled";
    if (!(compiled || e.status == "failed") || compiled != (executable_bytes > 0)) {
      problem = "inconsistent status";
      return false;
    }
    e.log = std::string(payload.substr(0, log_bytes));
    e.executable = std::string(payload.substr(log_bytes, executable_bytes));
    e.generated = std::string(payload.substr(log_bytes + executable_bytes));
    entry = std::move(e);
    return true;
  } catch (const nlohmann::json::exception& ex) {
    problem = std::string("bad header: ") + ex.what();
    return false;
  }
}

}  // namespace wyn
