#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/legal/catalog.hpp"

namespace concord::legal {

/// How serious a finding is. A request with any kError finding must not be sent.
enum class Severity : std::uint8_t { kError, kWarning, kNote };

/// "error", "warning" or "note".
std::string_view SeverityName(Severity s);

/// An article relied on by a finding, with how far that article was verified.
struct Citation {
    std::string ref;  ///< "budapest:29" or "budapest:29(3)"
    Verification verification{Verification::kUnverified};
};

/// One result of checking a request.
struct Finding {
    Severity severity{Severity::kNote};
    std::string code;  ///< stable snake_case, e.g. "field_invalid", "dual_criminality_not_required"
    std::string field;    ///< JSON path of the field concerned ("fields.identifiers[0]"), or empty
    std::string message;  ///< in the language asked for
    std::vector<Citation> citations;
};

/// Checks `request_json` (schema in docs/legal-data.md) against `catalog`: legal basis binding
/// both parties, request type allowed, required fields present and well formed, issuing
/// authority competent for the data categories, emergency criteria, the requested party's
/// reservations, and dual criminality. Messages are in `lang` (English if unsupported).
/// Unparseable JSON yields a single "request_malformed" error finding.
std::vector<Finding> CheckRequest(
    const Catalog& catalog, std::string_view request_json, std::string_view lang
);

/// True when any finding is an error.
bool HasErrors(const std::vector<Finding>& findings);

/// The findings as a JSON array of {severity, code, field?, message, citations:[{ref,
/// verification}]}.
std::string FindingsToJson(const std::vector<Finding>& findings);

/// Builds a Citation for `ref`, taking the verification status from the cited article
/// (kUnverified when the article is not in the catalog).
Citation Cite(const Catalog& catalog, std::string_view ref);

}  // namespace concord::legal
