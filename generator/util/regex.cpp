#include "util/regex.hpp"

#include <regex>

namespace wyn {

struct Regex::Impl {
  std::regex regex;
};

Regex::Regex(const std::string& pattern)
    : m_impl(std::make_shared<Impl>(Impl{std::regex(pattern, std::regex::ECMAScript)})) {}

std::string Regex::replace_all(const std::string& text, const std::string& replacement) const {
  return std::regex_replace(text, m_impl->regex, replacement);
}

std::string regex_error_message(const std::string& pattern) {
  try {
    Regex compiled(pattern);
  } catch (const std::regex_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace wyn
