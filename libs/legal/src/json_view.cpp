#include "concord/legal/json_view.hpp"

#include <fstream>
#include <sstream>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
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

namespace {

boost::json::array CitationsJson(const Catalog& catalog, const std::vector<std::string>& cites) {
    boost::json::array out;
    for (const std::string& cite : cites) {
        out.push_back(boost::json::object{
            {"ref", cite}, {"verification", VerificationName(Cite(catalog, cite).verification)}});
    }
    return out;
}

std::string_view Text(const Catalog& catalog, const std::string& key, std::string_view lang) {
    const auto it = catalog.messages.find(key);
    return it == catalog.messages.end() ? std::string_view(key) : Pick(it->second, lang);
}

// The example request of a type, or null.
boost::json::value Example(const Catalog& catalog, std::string_view id) {
    std::ifstream in(ExampleRequestFile(catalog, id), std::ios::binary);
    if (!in) {
        return nullptr;
    }
    std::ostringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text.str(), ec);
    return ec || !v.is_object() ? boost::json::value(nullptr) : v;
}

}  // namespace

std::string FormsJson(const Catalog& catalog, std::string_view lang) {
    boost::json::array out;
    for (const auto& [id, type] : catalog.request_types) {
        boost::json::array bases;
        for (const Basis& b : type.bases) {
            // The grounds a refusal or postponement under this basis may name (the lifecycle
            // checks the same list), and the paragraph leaving further refusals to national law.
            boost::json::array grounds;
            for (const std::string& g : b.refusal_grounds) {
                const auto ground = catalog.refusal_grounds.find(g);
                if (ground == catalog.refusal_grounds.end()) {
                    continue;
                }
                grounds.push_back(boost::json::object{
                    {"id", g},
                    {"text", Pick(ground->second.text, lang)},
                    {"cites", CitationsJson(catalog, ground->second.cites)}});
            }
            bases.push_back(boost::json::object{
                {"instrument", b.instrument},
                {"cite", b.cite},
                {"verification", VerificationName(Cite(catalog, b.cite).verification)},
                {"refusal_grounds", std::move(grounds)},
                {"refusal_law_cite", b.refusal_law_cite}});
        }
        boost::json::array fields;
        for (const FieldSpec& f : type.fields) {
            boost::json::array values;
            for (const std::string& v : f.values) {
                values.push_back(boost::json::object{
                    {"value", v}, {"label", Text(catalog, "value." + v, lang)}});
            }
            fields.push_back(boost::json::object{
                {"name", f.name},
                {"label", Text(catalog, "field." + f.name, lang)},
                {"type", f.type},
                {"required", f.required},
                {"list", f.list},
                {"max_length", f.max_length},
                {"max_items", f.max_items},
                {"values", std::move(values)},
                {"cites", CitationsJson(catalog, f.cites)}});
        }
        out.push_back(boost::json::object{
            {"id", id},
            {"name", Pick(type.name, lang)},
            {"emergency", type.emergency},
            {"emergency_allowed", type.emergency_allowed},
            {"offences_required", type.offences_required},
            {"bases", std::move(bases)},
            {"fields", std::move(fields)},
            {"example", Example(catalog, id)}});
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
