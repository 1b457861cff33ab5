#pragma once

// Reading one of a closed set of enum values back from its name, as use cases' inputs and
// stored rows carry them: the error names what was expected and every allowed name.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "concord/core/result.hpp"

namespace concord::app {

/// The value of `values` whose `name_of` is `name`; else kInvalidArgument "PREFIXunknown WHAT
/// 'NAME'; one of A, B, ..." (`prefix` e.g. "assistance_input: ", or empty).
template <class Enum, std::size_t N>
Result<Enum> EnumNamed(
    std::string_view what,
    std::string_view name,
    const std::array<Enum, N>& values,
    std::string_view (*name_of)(Enum),
    std::string_view prefix = {}
) {
    std::string allowed;
    for (Enum v : values) {
        if (name_of(v) == name) {
            return v;
        }
        allowed += (allowed.empty() ? "" : ", ") + std::string(name_of(v));
    }
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("{}unknown {} '{}'; one of {}", prefix, what, name, allowed)
    );
}

}  // namespace concord::app
