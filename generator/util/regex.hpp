#pragma once
// ECMAScript regular expressions (std::regex's default grammar) behind a
// small interface. <regex> is header-only: every file that compiled or
// applied a std::regex instantiated its compiler and executor again, some
// 50 KB of code and 3 s of the tools' build each. Here they are compiled
// once, in regex.cpp.

#include <memory>
#include <string>

namespace wyn {

/// A compiled ECMAScript regular expression.
class Regex {
 public:
  /// Throws std::regex_error (<regex>) when `pattern` is not a valid expression.
  explicit Regex(const std::string& pattern);

  /// `text` with every match replaced by `replacement`, read with
  /// ECMAScript rules (`$&` the match, `$1`..`$99` its groups, `$$` a '$'),
  /// as std::regex_replace does.
  std::string replace_all(const std::string& text, const std::string& replacement) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> m_impl;  ///< shared: copies of a Regex are cheap
};

/// Empty when `pattern` is a valid ECMAScript regular expression, else why
/// not (std::regex_error's message).
std::string regex_error_message(const std::string& pattern);

}  // namespace wyn
