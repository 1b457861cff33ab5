#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "concord/legal/catalog.hpp"

namespace concord::legal {

/// Interface message `key` of `catalog` (instruments/i18n/messages.toml) in `lang`, with the
/// named string arguments `args` filled in (ICU MessageFormat). For the command line and other
/// callers outside `legal`; never fails (an unknown key yields the key itself, which the tests
/// of the shipped catalogue rule out).
std::string FormatText(
    const Catalog& catalog,
    std::string_view key,
    std::string_view lang,
    const std::vector<std::pair<std::string, std::string>>& args = {}
);

}  // namespace concord::legal
