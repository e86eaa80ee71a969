#pragma once
// Script tests report many sub-checks in one run. The real Wyn gate's
// scripts print `  ok    <what>` or `  FAIL  <what> (details)` per check;
// TAP producers print `ok N - what` / `not ok N - what`. Pure parsing.

#include <string>
#include <string_view>
#include <vector>

#include "records/record.hpp"

namespace wyn {

/// Every sub-check line of `output`, in order (ANSI colours are ignored).
std::vector<SubCheck> parse_subchecks(std::string_view output);

/// "a (details); b" for the failing sub-checks, at most `limit` named, the
/// rest counted; empty when none failed.
std::string failing_subchecks(const std::vector<SubCheck>& checks, size_t limit = 5);

}  // namespace wyn
