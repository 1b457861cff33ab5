#include "concord/legal/mapping.hpp"

#include <fmt/format.h>

namespace concord::legal {

std::vector<std::pair<const Instrument*, const Article*>> ArticlesForConcept(
    const Catalog& catalog, std::string_view concept_id
) {
    std::vector<std::pair<const Instrument*, const Article*>> out;
    if (concept_id.empty()) {
        return out;
    }
    for (const auto& [id, ins] : catalog.instruments) {
        for (const Article& a : ins.articles) {
            if (a.concept_id == concept_id) {
                out.emplace_back(&ins, &a);
            }
        }
    }
    return out;
}

Result<Mapping> MapArticle(const Catalog& catalog, std::string_view citation) {
    std::size_t colon = citation.find(':');
    if (colon == std::string_view::npos) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("'{}': expected INSTRUMENT:ARTICLE, e.g. budapest:2", citation)
        );
    }
    auto ins = catalog.instruments.find(citation.substr(0, colon));
    if (ins == catalog.instruments.end()) {
        return MakeError(
            ErrorCode::kNotFound, fmt::format("unknown instrument '{}'", citation.substr(0, colon))
        );
    }
    Mapping m;
    m.instrument = &ins->second;
    m.article = catalog.FindCitation(citation);
    if (m.article == nullptr) {
        return MakeError(ErrorCode::kNotFound, fmt::format("unknown article '{}'", citation));
    }
    if (auto c = catalog.concepts.find(m.article->concept_id); c != catalog.concepts.end()) {
        m.offence_concept = &c->second;
    }
    for (const auto& [id, other] : catalog.instruments) {
        if (&other == m.instrument) {
            continue;
        }
        Counterpart cp{id, {}, {}};
        for (const Article& a : other.articles) {
            if (m.offence_concept != nullptr && a.concept_id == m.offence_concept->id) {
                cp.articles.push_back(&a);
            }
        }
        if (m.offence_concept != nullptr) {
            // This concept corresponds in part to paragraphs of the other instrument...
            for (const std::string& cite : m.offence_concept->corresponds) {
                if (cite.starts_with(id + ":")) {
                    cp.partial.push_back(cite);
                }
            }
            // ...or a concept of the other instrument corresponds to a paragraph of this article.
            const std::string own = m.instrument->id + ":" + m.article->id;
            for (const auto& [cid, c] : catalog.concepts) {
                for (const std::string& cite : c.corresponds) {
                    if (cite == own || cite.starts_with(own + "(")) {
                        for (const Article& a : other.articles) {
                            if (a.concept_id == cid) {
                                cp.partial.push_back(id + ":" + a.id);
                            }
                        }
                    }
                }
            }
        }
        m.counterparts.push_back(std::move(cp));
    }
    return m;
}

}  // namespace concord::legal
