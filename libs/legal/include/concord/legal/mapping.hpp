#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/legal/catalog.hpp"

namespace concord::legal {

/// The counterparts of one article in one other instrument.
struct Counterpart {
    std::string instrument;
    std::vector<const Article*> articles;  ///< empty: the instrument has no such offence
    /// Paragraphs corresponding in part, through a concept's `corresponds` (either way round).
    std::vector<std::string> partial;
};

/// What `concord legal map ID:ARTICLE` answers.
struct Mapping {
    const Instrument* instrument{nullptr};
    const Article* article{nullptr};
    const Concept* offence_concept{nullptr};  ///< nullptr when the article maps to no concept
    std::vector<Counterpart> counterparts;    ///< one per other instrument, in catalog order
};

/// Maps the article named by `citation` ("budapest:2") through its offence concept to the
/// articles of every other instrument. kNotFound for an unknown instrument or article.
Result<Mapping> MapArticle(const Catalog& catalog, std::string_view citation);

/// The offence articles of `catalog` carrying concept `concept_id`, over all instruments.
std::vector<std::pair<const Instrument*, const Article*>> ArticlesForConcept(
    const Catalog& catalog, std::string_view concept_id
);

}  // namespace concord::legal
