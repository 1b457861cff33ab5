#pragma once

#include <string>
#include <string_view>

#include "concord/core/result.hpp"
#include "concord/legal/catalog.hpp"

namespace concord::legal {

/// JSON views of the catalogue, shared by `concord legal ... --json` and the local API
/// (/api/v1/legal/...). Texts are in `lang` (English when a text lacks it).

/// [{id, short_name, type, title, adopted, in_force, articles, verification}, ...]
std::string InstrumentsJson(const Catalog& catalog, std::string_view lang);

/// The request forms, for a form built from the data: [{id, name, emergency, emergency_allowed,
/// offences_required, bases: [{instrument, cite, verification}], fields: [{name, label, type,
/// required, list, max_length, max_items, values: [{value, label}], cites: [{ref,
/// verification}]}], example}], with `example` the request of instruments/examples (null when
/// the type has none or it does not parse).
std::string FormsJson(const Catalog& catalog, std::string_view lang);

/// The offences of one instrument: [{article, number, title, concept, verification, source}].
/// kInvalidArgument for an unknown instrument.
Result<std::string> OffencesJson(
    const Catalog& catalog, std::string_view instrument, std::string_view lang
);

/// {article, title, verification, concept, counterparts: [{instrument, articles: [...]}]} for
/// a citation "ID:ARTICLE"; an instrument with no corresponding article has an empty list.
Result<std::string> MappingJson(
    const Catalog& catalog, std::string_view citation, std::string_view lang
);

}  // namespace concord::legal
