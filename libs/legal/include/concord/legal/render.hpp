#pragma once

#include <string>
#include <string_view>

#include "concord/core/result.hpp"
#include "concord/legal/catalog.hpp"

namespace concord::legal {

/// Renders `request_json` for the receiver as plain text in `lang`: the request type, basis,
/// parties, offences and every structured field labelled in that language with the definitions
/// the fields use; free-text values are reproduced as written and marked as needing translation
/// (unless they are already in `lang`). kInvalidArgument if the JSON is unparseable or `lang`
/// is not one of the six languages.
Result<std::string> RenderRequest(
    const Catalog& catalog, std::string_view request_json, std::string_view lang
);

}  // namespace concord::legal
