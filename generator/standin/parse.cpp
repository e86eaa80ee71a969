#include "standin/parse.hpp"

#include <cctype>
#include <cstdio>
#include <limits>

namespace wyn::standin {

namespace {

struct Token {
  enum class Kind { identifier, integer, string, punct, arrow, end };
  Kind kind = Kind::end;
  std::string text;  ///< identifier name, punctuation character or decoded string
  int64_t integer = 0;
};

/// The tokens of one line with a read position; reading past the end yields
/// `end` tokens, so the parsers need no bounds checks.
class Cursor {
 public:
  explicit Cursor(std::vector<Token> tokens) : m_tokens(std::move(tokens)) {}
  const Token& peek() const { return m_pos < m_tokens.size() ? m_tokens[m_pos] : m_end; }
  const Token& next() {
    const Token& token = peek();
    if (m_pos < m_tokens.size()) ++m_pos;
    return token;
  }
  bool at_end() const { return peek().kind == Token::Kind::end; }
  bool at_punct(char c) const { return peek().kind == Token::Kind::punct && peek().text[0] == c; }
  bool at_word(std::string_view word) const {
    return peek().kind == Token::Kind::identifier && peek().text == word;
  }

 private:
  std::vector<Token> m_tokens;
  size_t m_pos = 0;
  Token m_end;
};

std::string printable(unsigned char c) {
  if (std::isprint(c)) return std::string(1, static_cast<char>(c));
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\x%02X", c);
  return buffer;
}

/// How a token is named in "expected X, got Y" messages.
std::string describe(const Token& token) {
  switch (token.kind) {
    case Token::Kind::identifier:
    case Token::Kind::punct:
      return "'" + token.text + "'";
    case Token::Kind::integer:
      return "'" + std::to_string(token.integer) + "'";
    case Token::Kind::string:
      return "string literal";
    case Token::Kind::arrow:
      return "'->'";
    case Token::Kind::end:
      break;
  }
  return "end of line";
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Decodes the string literal starting at the quote `line[i]`; advances `i`
/// past the closing quote. Returns an error message or "".
std::string lex_string(std::string_view line, size_t& i, std::string& bytes) {
  for (++i; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      ++i;
      return "";
    }
    if (c != '\\') {
      bytes += c;
      continue;
    }
    if (++i == line.size()) break;
    const char escape = line[i];
    if (escape == 'n' || escape == 't' || escape == '\\' || escape == '"') {
      bytes += escape == 'n' ? '\n' : escape == 't' ? '\t' : escape;
    } else if (escape == 'x') {
      const int high = i + 1 < line.size() ? hex_digit(line[i + 1]) : -1;
      const int low = i + 2 < line.size() ? hex_digit(line[i + 2]) : -1;
      if (high < 0 || low < 0) return "invalid escape sequence '\\x' (expected two hex digits)";
      bytes += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      return "invalid escape sequence '\\" + printable(escape) + "'";
    }
  }
  return "unterminated string literal";
}

/// Splits one line into tokens, stopping at a `//` comment. Returns an error
/// message or "".
std::string lex_line(std::string_view line, std::vector<Token>& tokens) {
  size_t i = 0;
  while (i < line.size()) {
    const unsigned char c = line[i];
    const bool digit_next =
        i + 1 < line.size() && std::isdigit(static_cast<unsigned char>(line[i + 1]));
    Token token;
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    } else if (line.compare(i, 2, "//") == 0) {
      break;
    } else if (std::isalpha(c) || c == '_') {
      const size_t start = i;
      while (i < line.size() &&
             (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_'))
        ++i;
      token.kind = Token::Kind::identifier;
      token.text = line.substr(start, i - start);
    } else if (std::isdigit(c) || (c == '-' && digit_next)) {
      const size_t start = i;
      const bool negative = c == '-';
      if (negative) ++i;
      // Accumulate as a negative number so that INT64_MIN fits.
      int64_t value = 0;
      for (; i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])); ++i) {
        const int d = line[i] - '0';
        if (value < (std::numeric_limits<int64_t>::min() + d) / 10)
          return "integer literal out of range";
        value = value * 10 - d;
      }
      if (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_'))
        return "invalid integer literal '" + std::string(line.substr(start, i + 1 - start)) + "'";
      if (!negative && value == std::numeric_limits<int64_t>::min())
        return "integer literal out of range";
      token.kind = Token::Kind::integer;
      token.integer = negative ? value : -value;
    } else if (c == '"') {
      token.kind = Token::Kind::string;
      std::string error = lex_string(line, i, token.text);
      if (!error.empty()) return error;
    } else if (c == '-' && line.compare(i, 2, "->") == 0) {
      token.kind = Token::Kind::arrow;
      token.text = "->";
      i += 2;
    } else if (std::string_view("(){},.=;:").find(static_cast<char>(c)) != std::string_view::npos) {
      token.kind = Token::Kind::punct;
      token.text = std::string(1, static_cast<char>(c));
      ++i;
    } else {
      return "unexpected character '" + printable(c) + "'";
    }
    tokens.push_back(std::move(token));
  }
  return "";
}

std::string expect_end(const Cursor& cursor, std::string_view after) {
  if (cursor.at_end()) return "";
  return "unexpected " + describe(cursor.peek()) + " after " + std::string(after);
}

std::string parse_import(Cursor& cursor, Import& import) {
  cursor.next();  // "import"
  if (cursor.at_punct('{')) {
    cursor.next();
    import.form = Import::Form::selective;
    while (true) {
      if (cursor.peek().kind != Token::Kind::identifier)
        return "expected a function name in import list, got " + describe(cursor.peek());
      import.names.push_back(cursor.next().text);
      if (cursor.at_punct('}')) break;
      if (!cursor.at_punct(',')) return "expected '}'";
      cursor.next();
    }
    cursor.next();
    if (!cursor.at_word("from")) return "expected 'from' after import list";
    cursor.next();
    if (cursor.peek().kind != Token::Kind::identifier) return "expected module name after 'from'";
    import.module = import.alias = cursor.next().text;
    return expect_end(cursor, "import");
  }
  if (cursor.peek().kind != Token::Kind::identifier) return "expected module name after 'import'";
  import.module = import.alias = cursor.next().text;
  if (cursor.at_word("as")) {
    cursor.next();
    if (cursor.peek().kind != Token::Kind::identifier) return "expected a name after 'as'";
    import.form = Import::Form::alias;
    import.alias = cursor.next().text;
  } else if (cursor.at_word("from")) {
    cursor.next();
    const std::string prefix = "wyn:";
    if (cursor.peek().kind != Token::Kind::string ||
        cursor.peek().text.compare(0, prefix.size(), prefix) != 0)
      return "expected a standard module like \"wyn:math\" after 'from'";
    import.form = Import::Form::stdlib;
    import.module = cursor.next().text.substr(prefix.size());
  }
  return expect_end(cursor, "import");
}

std::string parse_function_header(Cursor& cursor, Function& function) {
  cursor.next();  // "fn"
  if (cursor.peek().kind != Token::Kind::identifier) return "expected function name after 'fn'";
  function.name = cursor.next().text;
  if (!cursor.at_punct('(')) return "expected '('";
  cursor.next();
  if (!cursor.at_punct(')')) return "expected ')'";
  cursor.next();
  if (cursor.peek().kind == Token::Kind::arrow) {
    cursor.next();
    const Token& type = cursor.next();
    if (type.kind != Token::Kind::identifier) return "expected a return type after '->'";
    if (type.text != "int" && type.text != "void")
      return "unsupported return type '" + type.text + "'";
  }
  if (!cursor.at_punct('{')) return "expected '{'";
  cursor.next();
  return expect_end(cursor, "'{'");
}

std::string parse_statement(Cursor& cursor, Statement& statement) {
  const Token& first = cursor.next();
  if (first.kind != Token::Kind::identifier) return "expected a statement, got " + describe(first);
  if (first.text == "return") {
    statement.kind = Statement::Kind::ret;
    if (cursor.at_end()) return "";
    const Token& value = cursor.next();
    if (value.kind != Token::Kind::integer) return "expected an integer after 'return'";
    if (value.integer < std::numeric_limits<int>::min() ||
        value.integer > std::numeric_limits<int>::max())
      return "return value " + std::to_string(value.integer) + " out of range";
    statement.return_value = value.integer;
    return expect_end(cursor, "return value");
  }
  if (first.text == "import") return "import must be at top level";
  statement.callee = first.text;
  if (cursor.at_punct('.')) {
    cursor.next();
    if (cursor.peek().kind != Token::Kind::identifier) return "expected function name after '.'";
    statement.qualifier = first.text;
    statement.callee = cursor.next().text;
  }
  if (!cursor.at_punct('(')) return "expected '(' after '" + statement.callee + "'";
  cursor.next();
  while (!cursor.at_punct(')')) {
    const Token& token = cursor.next();
    Value value;
    if (token.kind == Token::Kind::integer) {
      value.integer = token.integer;
    } else if (token.kind == Token::Kind::string) {
      value.kind = Value::Kind::string;
      value.bytes = token.text;
    } else if (token.kind == Token::Kind::end) {
      return "expected ')'";
    } else {
      return "expected a string or integer literal, got " + describe(token);
    }
    statement.args.push_back(std::move(value));
    if (cursor.at_punct(',')) {
      cursor.next();
    } else if (!cursor.at_punct(')')) {
      return "expected ')'";
    }
  }
  cursor.next();
  return expect_end(cursor, "')'");
}

std::string_view trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t\r") + 1 - begin);
}

/// Recognises a whole-line `// standin: ACTION` comment. Returns false for any
/// other line; on a malformed action it returns true and sets `error`.
bool parse_action(std::string_view line, Action& action, std::string& error) {
  line = trim(line);
  if (line.compare(0, 2, "//") != 0) return false;
  line = trim(line.substr(2));
  const std::string_view key = "standin:";
  if (line.compare(0, key.size(), key) != 0) return false;
  const std::string_view rest = trim(line.substr(key.size()));
  const size_t blank = rest.find_first_of(" \t");
  const std::string_view verb = rest.substr(0, blank);
  const std::string_view arg = blank == std::string_view::npos ? "" : trim(rest.substr(blank));
  const bool timed = verb == "sleep" || verb == "burn";
  if ((verb == "abort" || verb == "segv" || verb == "tagged") && arg.empty()) {
    action.kind = verb == "abort"  ? Action::Kind::abort
                  : verb == "segv" ? Action::Kind::segv
                                   : Action::Kind::tagged;
    return true;
  }
  if (timed && !arg.empty() && arg.size() <= 9 &&
      arg.find_first_not_of("0123456789") == std::string_view::npos) {
    action.kind = verb == "sleep" ? Action::Kind::sleep : Action::Kind::burn;
    action.ms = std::stoll(std::string(arg));
    return true;
  }
  error = "bad stand-in action '" + std::string(rest) +
          "' (expected abort, segv, sleep MS, burn MS or tagged)";
  return true;
}

}  // namespace

ParsedFile parse_file(std::string_view source) {
  ParsedFile out;
  auto error = [&out](int line, std::string message) {
    out.errors.push_back(Diagnostic{"", line, std::move(message)});
  };
  bool in_function = false;
  bool keep_function = false;  // false while inside a function whose header was broken
  Function function;
  int line_no = 0;
  size_t pos = 0;
  while (pos < source.size()) {
    const size_t newline = source.find('\n', pos);
    const std::string_view line = source.substr(
        pos, newline == std::string_view::npos ? std::string_view::npos : newline - pos);
    pos = newline == std::string_view::npos ? source.size() : newline + 1;
    ++line_no;

    Action action;
    std::string message;
    if (parse_action(line, action, message)) {
      action.line = line_no;
      if (message.empty())
        out.actions.push_back(action);
      else
        error(line_no, message);
      continue;
    }
    std::vector<Token> tokens;
    message = lex_line(line, tokens);
    if (!message.empty()) {
      error(line_no, message);
      continue;
    }
    if (tokens.empty()) continue;
    const bool starts_fn = tokens[0].kind == Token::Kind::identifier && tokens[0].text == "fn";
    const bool closes =
        tokens.size() == 1 && tokens[0].kind == Token::Kind::punct && tokens[0].text == "}";
    const bool opens = tokens.back().kind == Token::Kind::punct && tokens.back().text == "{";
    if (in_function && (closes || starts_fn)) {
      // A `fn` inside a body means the previous function was not closed;
      // report it and carry on with the new function.
      if (starts_fn) error(line_no, "expected '}' before 'fn'");
      if (keep_function) out.functions.push_back(std::move(function));
      in_function = false;
      if (closes) continue;
    }
    Cursor cursor(std::move(tokens));
    if (in_function) {
      Statement statement;
      statement.line = line_no;
      message = parse_statement(cursor, statement);
      if (message.empty()) function.body.push_back(std::move(statement));
    } else if (starts_fn) {
      function = Function{};
      function.line = line_no;
      message = parse_function_header(cursor, function);
      // Enter the body even after a broken header that ends in '{', so that
      // its statements are not each reported as stray top-level code.
      in_function = opens;
      keep_function = message.empty();
    } else if (cursor.at_word("import")) {
      Import import;
      import.line = line_no;
      message = parse_import(cursor, import);
      if (message.empty()) out.imports.push_back(std::move(import));
    } else {
      message = "expected 'fn' or 'import', got " + describe(cursor.peek());
    }
    if (!message.empty()) error(line_no, message);
  }
  if (in_function) {
    error(line_no, "expected '}' before end of file");
    if (keep_function) out.functions.push_back(std::move(function));
  }
  return out;
}

}  // namespace wyn::standin
