#include "concord/legal/json_view.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "concord/legal/check.hpp"
#include "concord/legal/mapping.hpp"

namespace concord::legal {

std::string InstrumentsJson(const Catalog& catalog, std::string_view lang) {
    boost::json::array out;
    for (const auto& [id, ins] : catalog.instruments) {
        out.push_back(boost::json::object{
            {"id", id},
            {"short_name", ins.short_name},
            {"type", ins.kind},
            {"title", Pick(ins.title, lang)},
            {"adopted", ins.adopted},
            {"in_force", ins.in_force},
            {"articles", ins.articles.size()},
            {"verification", VerificationName(ins.verification)}});
    }
    return boost::json::serialize(out);
}

Result<std::string> OffencesJson(
    const Catalog& catalog, std::string_view instrument, std::string_view lang
) {
    auto it = catalog.instruments.find(instrument);
    if (it == catalog.instruments.end()) {
        return MakeError(
            ErrorCode::kInvalidArgument, "unknown instrument '" + std::string(instrument) + "'"
        );
    }
    boost::json::array out;
    for (const Article& a : it->second.articles) {
        if (a.kind != "offence") {
            continue;
        }
        out.push_back(boost::json::object{
            {"article", std::string(instrument) + ":" + a.id},
            {"number", a.number},
            {"title", Pick(a.title, lang)},
            {"concept", a.concept_id},
            {"verification", VerificationName(a.verification)},
            {"source", a.source}});
    }
    return boost::json::serialize(out);
}

Result<std::string> MappingJson(
    const Catalog& catalog, std::string_view citation, std::string_view lang
) {
    CONCORD_ASSIGN_OR_RETURN(Mapping m, MapArticle(catalog, citation));
    boost::json::object out;
    out["article"] = citation;
    out["title"] = Pick(m.article->title, lang);
    out["verification"] = VerificationName(m.article->verification);
    out["concept"] = m.offence_concept != nullptr ? m.offence_concept->id : "";
    boost::json::array counterparts;
    for (const Counterpart& cp : m.counterparts) {
        boost::json::array articles;
        for (const Article* a : cp.articles) {
            articles.push_back(boost::json::object{
                {"article", cp.instrument + ":" + a->id},
                {"title", Pick(a->title, lang)},
                {"verification", VerificationName(a->verification)}});
        }
        boost::json::array partial;
        for (const std::string& cite : cp.partial) {
            partial.push_back(boost::json::object{
                {"cite", cite},
                {"verification", VerificationName(Cite(catalog, cite).verification)}});
        }
        counterparts.push_back(boost::json::object{
            {"instrument", cp.instrument},
            {"articles", std::move(articles)},
            {"partial", std::move(partial)}});
    }
    out["counterparts"] = std::move(counterparts);
    return boost::json::serialize(out);
}

}  // namespace concord::legal
