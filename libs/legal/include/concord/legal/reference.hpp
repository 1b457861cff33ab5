#pragma once

#include <string>

#include "concord/legal/catalog.hpp"

namespace concord::legal {

/// The request-form reference of docs/legal-data.md, generated from request-types.toml: per
/// request type, its legal bases and a table of its fields (name, type, required, list and
/// size caps, cited articles). A test compares it with the doc, so the doc cannot drift; `concord
/// legal fields` prints it to paste in.
std::string FieldTablesMarkdown(const Catalog& catalog);

}  // namespace concord::legal
