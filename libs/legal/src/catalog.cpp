#include "concord/legal/catalog.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "message_format.hpp"
#include "toml_reader.hpp"

namespace concord::legal {
namespace {

using detail::TomlReader;

// Files of the instruments directory that are not instruments.
constexpr std::array<std::string_view, 6> kSpecialFiles = {
    "concepts.toml",
    "request-types.toml",
    "refusal-grounds.toml",
    "lifecycle.toml",
    "deadlines.toml",
    "obligations.toml"};

// Citations are "ID:ARTICLE" optionally followed by paragraph parts "(4)(a)".
std::pair<std::string_view, std::string_view> SplitCitation(std::string_view citation) {
    std::size_t colon = citation.find(':');
    if (colon == std::string_view::npos) {
        return {citation, {}};
    }
    std::string_view article = citation.substr(colon + 1);
    article = article.substr(0, article.find('('));
    return {citation.substr(0, colon), article};
}

std::vector<std::filesystem::path> TomlFiles(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".toml") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

// The status a paragraph inherits: `paragraph_verification`, else the article's. A paragraph can
// never be better attested than its article says, so a stronger status is refused.
Result<void> ReadParagraphStatus(const TomlReader& r, const toml::table& t, Article& a) {
    CONCORD_ASSIGN_OR_RETURN(std::string inherited, r.String(t, "paragraph_verification", false));
    a.paragraph_verification = a.verification;
    if (!inherited.empty()) {
        auto v = VerificationNamed(inherited);
        if (!v) {
            return r.Fail(t, "paragraph_verification must be verified, secondary or unverified");
        }
        a.paragraph_verification = *v;
    }
    CONCORD_ASSIGN_OR_RETURN(auto paragraphs, r.Tables(t, "paragraphs"));
    for (const toml::table* p : paragraphs) {
        CONCORD_ASSIGN_OR_RETURN(std::string id, r.String(*p, "id", true));
        CONCORD_ASSIGN_OR_RETURN(Verification v, r.Status(*p));
        CONCORD_ASSIGN_OR_RETURN(std::string source, r.String(*p, "source", true));
        if (id.empty() || id.front() != '(') {
            return r.Fail(*p, fmt::format("paragraph id '{}' must start with '('", id));
        }
        a.paragraphs.emplace_back(std::move(id), v);
    }
    return {};
}

// Reads the fields shared by articles, reservations and definitions.
Result<Article> ReadArticle(const TomlReader& r, const toml::table& t) {
    Article a;
    CONCORD_ASSIGN_OR_RETURN(a.id, r.String(t, "id", true));
    CONCORD_ASSIGN_OR_RETURN(a.number, r.String(t, "number", false));
    CONCORD_ASSIGN_OR_RETURN(a.kind, r.String(t, "kind", true));
    CONCORD_ASSIGN_OR_RETURN(a.chapter, r.String(t, "chapter", false));
    CONCORD_ASSIGN_OR_RETURN(a.concept_id, r.String(t, "concept", false));
    CONCORD_ASSIGN_OR_RETURN(a.title, r.Texts(t, "title", true));
    CONCORD_ASSIGN_OR_RETURN(a.verification, r.Status(t));
    CONCORD_ASSIGN_OR_RETURN(a.source, r.String(t, "source", true));
    CONCORD_ASSIGN_OR_RETURN(a.note, r.String(t, "note", false));
    if (a.kind == "offence" && a.concept_id.empty()) {
        return r.Fail(t, fmt::format("offence article '{}' needs a 'concept'", a.id));
    }
    CONCORD_ASSIGN_OR_RETURN(a.criminalisation, r.String(t, "criminalisation", false));
    if ((a.kind == "offence" || (a.kind == "ancillary" && !a.concept_id.empty())) &&
        a.criminalisation.empty()) {
        a.criminalisation = "mandatory";
    }
    if (!a.criminalisation.empty() && a.criminalisation != "mandatory" &&
        a.criminalisation != "optional") {
        return r.Fail(t, "criminalisation must be mandatory or optional");
    }
    CONCORD_RETURN_IF_ERROR(ReadParagraphStatus(r, t, a));
    return a;
}

Result<void> ReadArticles(
    const TomlReader& r, const toml::table& root, const Catalog& catalog, Instrument& ins
) {
    CONCORD_ASSIGN_OR_RETURN(auto tables, r.Tables(root, "article"));
    for (const toml::table* t : tables) {
        CONCORD_ASSIGN_OR_RETURN(Article a, ReadArticle(r, *t));
        if (!a.concept_id.empty() && !catalog.concepts.contains(a.concept_id)) {
            return r.Fail(
                *t, fmt::format("unknown concept '{}' (see concepts.toml)", a.concept_id)
            );
        }
        if (ins.FindArticle(a.id) != nullptr) {
            return r.Fail(*t, fmt::format("article '{}' listed twice", a.id));
        }
        ins.articles.push_back(std::move(a));
    }
    return {};
}

// Cites are written without the instrument id ("5(4)") and stored as full citations.
Result<std::string> InstrumentCite(
    const TomlReader& r, const toml::table& t, const Instrument& ins, const std::string& cite
) {
    if (ins.FindArticle(std::string(SplitCitation(":" + cite).second)) == nullptr) {
        return r.Fail(t, fmt::format("citation of unknown article '{}'", cite));
    }
    return ins.id + ":" + cite;
}

Result<void> ReadReservations(const TomlReader& r, const toml::table& root, Instrument& ins) {
    CONCORD_ASSIGN_OR_RETURN(auto tables, r.Tables(root, "reservation"));
    for (const toml::table* t : tables) {
        Reservation res;
        CONCORD_ASSIGN_OR_RETURN(res.id, r.String(*t, "id", true));
        CONCORD_ASSIGN_OR_RETURN(res.article, r.String(*t, "article", true));
        CONCORD_ASSIGN_OR_RETURN(res.effect, r.String(*t, "effect", false));
        CONCORD_ASSIGN_OR_RETURN(res.scope_except, r.Strings(*t, "scope_except"));
        for (const std::string& a : res.scope_except) {
            if (ins.FindArticle(a) == nullptr) {
                return r.Fail(*t, fmt::format("scope_except names unknown article '{}'", a));
            }
        }
        CONCORD_ASSIGN_OR_RETURN(std::string scope_cite, r.String(*t, "scope_cite", false));
        if (!scope_cite.empty()) {
            CONCORD_ASSIGN_OR_RETURN(res.scope_cite, InstrumentCite(r, *t, ins, scope_cite));
        } else if (!res.scope_except.empty()) {
            return r.Fail(*t, "scope_except needs a 'scope_cite'");
        }
        CONCORD_ASSIGN_OR_RETURN(res.title, r.Texts(*t, "title", true));
        CONCORD_ASSIGN_OR_RETURN(res.verification, r.Status(*t));
        CONCORD_ASSIGN_OR_RETURN(res.source, r.String(*t, "source", true));
        if (ins.FindArticle(res.article) == nullptr) {
            return r.Fail(*t, fmt::format("reservation to unknown article '{}'", res.article));
        }
        ins.reservations.push_back(std::move(res));
    }
    return {};
}

Result<void> ReadDefinitions(const TomlReader& r, const toml::table& root, Instrument& ins) {
    CONCORD_ASSIGN_OR_RETURN(auto tables, r.Tables(root, "definition"));
    for (const toml::table* t : tables) {
        Definition d;
        CONCORD_ASSIGN_OR_RETURN(d.term, r.String(*t, "term", true));
        CONCORD_ASSIGN_OR_RETURN(d.article, r.String(*t, "article", true));
        CONCORD_ASSIGN_OR_RETURN(d.text, r.Texts(*t, "text", true));
        CONCORD_ASSIGN_OR_RETURN(d.verification, r.Status(*t));
        CONCORD_ASSIGN_OR_RETURN(d.source, r.String(*t, "source", true));
        if (ins.FindArticle(std::string(SplitCitation(":" + d.article).second)) == nullptr) {
            return r.Fail(*t, fmt::format("definition in unknown article '{}'", d.article));
        }
        ins.definitions.push_back(std::move(d));
    }
    return {};
}

Result<void> ReadPenaltyThresholds(
    const TomlReader& r, const toml::table& root, const Catalog& catalog, Instrument& ins
) {
    CONCORD_ASSIGN_OR_RETURN(auto tables, r.Tables(root, "penalty_threshold"));
    for (const toml::table* t : tables) {
        PenaltyThreshold p;
        CONCORD_ASSIGN_OR_RETURN(p.id, r.String(*t, "id", true));
        CONCORD_ASSIGN_OR_RETURN(p.min_years, r.Int(*t, "min_years", 0));
        if (p.min_years <= 0) {
            return r.Fail(*t, "penalty threshold needs 'min_years' > 0");
        }
        CONCORD_ASSIGN_OR_RETURN(p.request_types, r.Strings(*t, "request_types"));
        CONCORD_ASSIGN_OR_RETURN(p.categories, r.Strings(*t, "categories"));
        CONCORD_ASSIGN_OR_RETURN(std::string applies, r.String(*t, "applies_to", true));
        if (applies != "all_offences" && applies != "other_offences") {
            return r.Fail(*t, "applies_to must be all_offences or other_offences");
        }
        p.other_offences_only = applies == "other_offences";
        CONCORD_ASSIGN_OR_RETURN(auto cites, r.Strings(*t, "cite"));
        if (cites.empty()) {
            return r.Fail(*t, "penalty threshold needs a 'cite'");
        }
        for (const std::string& c : cites) {
            CONCORD_ASSIGN_OR_RETURN(std::string full, InstrumentCite(r, *t, ins, c));
            p.cites.push_back(std::move(full));
        }
        CONCORD_ASSIGN_OR_RETURN(p.exempt_concepts, r.Strings(*t, "exempt_concepts"));
        for (const std::string& c : p.exempt_concepts) {
            if (!catalog.concepts.contains(c)) {
                return r.Fail(*t, fmt::format("unknown concept '{}' (see concepts.toml)", c));
            }
        }
        CONCORD_ASSIGN_OR_RETURN(std::string exempt_cite, r.String(*t, "exempt_cite", false));
        if (!exempt_cite.empty()) {
            CONCORD_ASSIGN_OR_RETURN(p.exempt_cite, InstrumentCite(r, *t, ins, exempt_cite));
        } else if (!p.exempt_concepts.empty()) {
            return r.Fail(*t, "exempt_concepts need an 'exempt_cite'");
        }
        CONCORD_ASSIGN_OR_RETURN(p.definition, r.String(*t, "definition", false));
        if (!p.definition.empty() && ins.FindDefinition(p.definition) == nullptr) {
            return r.Fail(*t, fmt::format("'{}' is not a definition of {}", p.definition, ins.id));
        }
        CONCORD_ASSIGN_OR_RETURN(p.verification, r.Status(*t));
        CONCORD_ASSIGN_OR_RETURN(p.source, r.String(*t, "source", true));
        ins.penalty_thresholds.push_back(std::move(p));
    }
    return {};
}

Result<void> LoadInstrument(const std::filesystem::path& file, Catalog& catalog) {
    TomlReader r(file);
    CONCORD_ASSIGN_OR_RETURN(toml::table root, r.Parse());
    Instrument ins;
    ins.file = file;
    CONCORD_ASSIGN_OR_RETURN(ins.id, r.String(root, "id", true));
    if (ins.id + ".toml" != file.filename().string()) {
        return r.Fail(root, fmt::format("id '{}' does not match the file name", ins.id));
    }
    CONCORD_ASSIGN_OR_RETURN(ins.short_name, r.String(root, "short_name", true));
    CONCORD_ASSIGN_OR_RETURN(ins.kind, r.String(root, "type", true));
    CONCORD_ASSIGN_OR_RETURN(ins.title, r.Texts(root, "title", true));
    CONCORD_ASSIGN_OR_RETURN(ins.adopted, r.String(root, "adopted", false));
    CONCORD_ASSIGN_OR_RETURN(ins.in_force, r.String(root, "in_force", false));
    CONCORD_ASSIGN_OR_RETURN(ins.applies_from, r.String(root, "applies_from", false));
    CONCORD_ASSIGN_OR_RETURN(ins.status_note, r.String(root, "status_note", false));
    CONCORD_ASSIGN_OR_RETURN(ins.source, r.String(root, "source", true));
    CONCORD_ASSIGN_OR_RETURN(ins.verification, r.Status(root));
    CONCORD_ASSIGN_OR_RETURN(
        ins.opened_for_signature, r.String(root, "opened_for_signature", false)
    );
    CONCORD_ASSIGN_OR_RETURN(ins.group, r.String(root, "group", false));
    CONCORD_ASSIGN_OR_RETURN(ins.group_not_bound, r.Strings(root, "group_not_bound"));
    CONCORD_ASSIGN_OR_RETURN(ins.replaces, r.Strings(root, "replaces"));
    CONCORD_RETURN_IF_ERROR(ReadArticles(r, root, catalog, ins));
    CONCORD_ASSIGN_OR_RETURN(std::string replaces_cite, r.String(root, "replaces_cite", false));
    if (!replaces_cite.empty()) {
        CONCORD_ASSIGN_OR_RETURN(ins.replaces_cite, InstrumentCite(r, root, ins, replaces_cite));
    }
    if (!ins.group.empty() && (ins.replaces.empty() || ins.replaces_cite.empty())) {
        return r.Fail(root, "a group instrument needs 'replaces' and 'replaces_cite'");
    }
    CONCORD_RETURN_IF_ERROR(ReadReservations(r, root, ins));
    CONCORD_RETURN_IF_ERROR(ReadDefinitions(r, root, ins));
    CONCORD_RETURN_IF_ERROR(ReadPenaltyThresholds(r, root, catalog, ins));
    std::string id = ins.id;
    catalog.instruments.emplace(std::move(id), std::move(ins));
    return {};
}

// Flattens nested tables into dotted keys; a table holding "en" is a six-language text.
Result<void> ReadMessages(
    const TomlReader& r, const toml::table& t, const std::string& prefix, Catalog& catalog
) {
    if (t.contains("en")) {
        CONCORD_ASSIGN_OR_RETURN(Localized text, r.LanguageTable(t, prefix));
        if (!catalog.messages.emplace(prefix, std::move(text)).second) {
            return r.Fail(t, fmt::format("message '{}' defined twice", prefix));
        }
        return {};
    }
    for (const auto& [k, v] : t) {
        const auto* sub = v.as_table();
        if (sub == nullptr) {
            return r.Fail(v, fmt::format("'{}' must be a table", k.str()));
        }
        std::string key =
            prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        CONCORD_RETURN_IF_ERROR(ReadMessages(r, *sub, key, catalog));
    }
    return {};
}

Result<void> LoadMessages(const std::filesystem::path& dir, Catalog& catalog) {
    for (const auto& file : TomlFiles(dir)) {
        TomlReader r(file);
        CONCORD_ASSIGN_OR_RETURN(toml::table root, r.Parse());
        CONCORD_RETURN_IF_ERROR(ReadMessages(r, root, "", catalog));
    }
    return {};
}

Result<void> LoadConcepts(const std::filesystem::path& file, Catalog& catalog) {
    TomlReader r(file);
    CONCORD_ASSIGN_OR_RETURN(toml::table root, r.Parse());
    CONCORD_ASSIGN_OR_RETURN(auto tables, r.Tables(root, "concept"));
    for (const toml::table* t : tables) {
        Concept c;
        CONCORD_ASSIGN_OR_RETURN(c.id, r.String(*t, "id", true));
        CONCORD_ASSIGN_OR_RETURN(c.group, r.String(*t, "group", true));
        CONCORD_ASSIGN_OR_RETURN(c.title, r.Texts(*t, "title", true));
        CONCORD_ASSIGN_OR_RETURN(c.note, r.Texts(*t, "note", false));
        CONCORD_ASSIGN_OR_RETURN(c.corresponds, r.Strings(*t, "corresponds"));
        std::string id = c.id;
        if (!catalog.concepts.emplace(std::move(id), std::move(c)).second) {
            return r.Fail(*t, "concept listed twice");
        }
    }
    return {};
}

Result<void> CheckCitation(
    const TomlReader& r, const toml::node& where, const Catalog& catalog, std::string_view citation
) {
    if (catalog.FindCitation(citation) == nullptr) {
        return r.Fail(
            where, fmt::format("citation '{}' names no article of the catalog", citation)
        );
    }
    return {};
}

Result<void> LoadRefusalGrounds(const std::filesystem::path& file, Catalog& catalog) {
    TomlReader r(file);
    CONCORD_ASSIGN_OR_RETURN(toml::table root, r.Parse());
    CONCORD_ASSIGN_OR_RETURN(auto tables, r.Tables(root, "ground"));
    for (const toml::table* t : tables) {
        RefusalGround g;
        CONCORD_ASSIGN_OR_RETURN(g.id, r.String(*t, "id", true));
        CONCORD_ASSIGN_OR_RETURN(g.text, r.Texts(*t, "text", true));
        CONCORD_ASSIGN_OR_RETURN(g.cites, r.Strings(*t, "cite"));
        CONCORD_ASSIGN_OR_RETURN(g.categories, r.Strings(*t, "categories"));
        for (const std::string& c : g.cites) {
            CONCORD_RETURN_IF_ERROR(CheckCitation(r, *t, catalog, c));
        }
        std::string id = g.id;
        if (!catalog.refusal_grounds.emplace(std::move(id), std::move(g)).second) {
            return r.Fail(*t, "refusal ground listed twice");
        }
    }
    return {};
}

struct FieldDictionary {
    std::map<std::string, FieldSpec, std::less<>> fields;
};

Result<FieldDictionary> ReadFieldDictionary(
    const TomlReader& r, const toml::table& root, const Catalog& catalog
) {
    static const std::set<std::string, std::less<>> kTypes = {
        "text",      "authority", "person",         "persons", "identifier",      "ip_endpoint",
        "timestamp", "date",      "time_range",     "email",   "phone",           "domain",
        "url",       "iban",      "crypto_address", "money",   "data_categories", "enum",
        "boolean",   "country",   "account",        "integer"};
    FieldDictionary dict;
    const auto* fields = root["field"].as_table();
    if (fields == nullptr) {
        return r.Fail(root, "missing [field.<name>] tables");
    }
    for (const auto& [k, v] : *fields) {
        const auto* t = v.as_table();
        if (t == nullptr) {
            return r.Fail(v, "field definitions must be tables");
        }
        FieldSpec f;
        f.name = std::string(k.str());
        CONCORD_ASSIGN_OR_RETURN(f.type, r.String(*t, "type", true));
        if (!kTypes.contains(f.type)) {
            return r.Fail(*t, fmt::format("unknown field type '{}'", f.type));
        }
        CONCORD_ASSIGN_OR_RETURN(f.list, r.Bool(*t, "list", false));
        CONCORD_ASSIGN_OR_RETURN(f.values, r.Strings(*t, "values"));
        CONCORD_ASSIGN_OR_RETURN(f.definition, r.String(*t, "definition", false));
        CONCORD_ASSIGN_OR_RETURN(std::int64_t max_length, r.Int(*t, "max_length", 0));
        if (max_length <= 0) {
            return r.Fail(*t, fmt::format("field '{}' needs 'max_length' > 0", f.name));
        }
        f.max_length = static_cast<std::size_t>(max_length);
        CONCORD_ASSIGN_OR_RETURN(std::int64_t max_items, r.Int(*t, "max_items", 0));
        if (f.list != (max_items > 0)) {
            return r.Fail(
                *t, fmt::format("field '{}': 'max_items' > 0 is required for lists only", f.name)
            );
        }
        f.max_items = static_cast<std::size_t>(max_items);
        if (!catalog.messages.contains("field." + f.name)) {
            return r.Fail(*t, fmt::format("no label 'field.{}' in i18n/", f.name));
        }
        for (const std::string& value : f.values) {
            if (!catalog.messages.contains("value." + value)) {
                return r.Fail(*t, fmt::format("no label 'value.{}' in i18n/", value));
            }
        }
        dict.fields.emplace(f.name, std::move(f));
    }
    return dict;
}

Result<void> ReadLimits(const TomlReader& r, const toml::table& root, RequestLimits& limits) {
    const auto* t = root["limits"].as_table();
    if (t == nullptr) {
        return r.Fail(root, "missing [limits] table");
    }
    for (auto [key, out] :
         {std::pair<const char*, std::size_t*>{"name_length", &limits.name_length},
          {"text_length", &limits.text_length},
          {"offences", &limits.offences}}) {
        CONCORD_ASSIGN_OR_RETURN(std::int64_t v, r.Int(*t, key, 0));
        if (v <= 0) {
            return r.Fail(*t, fmt::format("[limits] needs '{}' > 0", key));
        }
        *out = static_cast<std::size_t>(v);
    }
    return {};
}

Result<IssuerRule> ReadIssuerRule(
    const TomlReader& r, const toml::table& t, const Catalog& catalog
) {
    IssuerRule rule;
    CONCORD_ASSIGN_OR_RETURN(rule.categories, r.Strings(t, "categories"));
    CONCORD_ASSIGN_OR_RETURN(rule.roles, r.Strings(t, "roles"));
    CONCORD_ASSIGN_OR_RETURN(rule.validator_roles, r.Strings(t, "validator_roles"));
    CONCORD_ASSIGN_OR_RETURN(rule.cite, r.String(t, "cite", true));
    CONCORD_RETURN_IF_ERROR(CheckCitation(r, t, catalog, rule.cite));
    return rule;
}

Result<Deadline> ReadDeadline(const TomlReader& r, const toml::table& t, const Catalog& catalog) {
    Deadline d;
    CONCORD_ASSIGN_OR_RETURN(d.kind, r.String(t, "kind", true));
    CONCORD_ASSIGN_OR_RETURN(d.amount, r.Int(t, "amount", 0));
    CONCORD_ASSIGN_OR_RETURN(d.unit, r.String(t, "unit", false));
    CONCORD_ASSIGN_OR_RETURN(d.cite, r.String(t, "cite", true));
    CONCORD_RETURN_IF_ERROR(CheckCitation(r, t, catalog, d.cite));
    CONCORD_ASSIGN_OR_RETURN(d.when, r.String(t, "when", false));
    if (d.when.empty()) {
        d.when = "always";
    }
    if (d.when != "always" && d.when != "emergency" && d.when != "not_emergency") {
        return r.Fail(t, "deadline 'when' must be always, emergency or not_emergency");
    }
    if (!catalog.messages.contains("deadline." + d.kind)) {
        return r.Fail(t, fmt::format("no text 'deadline.{}' in i18n/", d.kind));
    }
    return d;
}

Result<Basis> ReadBasis(const TomlReader& r, const toml::table& t, const Catalog& catalog) {
    static const std::set<std::string, std::less<>> kDual = {
        "not_required", "required", "discretionary", "deemed"};
    Basis b;
    CONCORD_ASSIGN_OR_RETURN(b.instrument, r.String(t, "instrument", true));
    CONCORD_ASSIGN_OR_RETURN(b.article, r.String(t, "article", true));
    b.cite = b.instrument + ":" + b.article;
    CONCORD_RETURN_IF_ERROR(CheckCitation(r, t, catalog, b.cite));
    CONCORD_ASSIGN_OR_RETURN(b.dual_criminality, r.String(t, "dual_criminality", true));
    if (!kDual.contains(b.dual_criminality)) {
        return r.Fail(
            t, "dual_criminality must be not_required, required, discretionary or deemed"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(b.dual_criminality_cite, r.String(t, "dual_criminality_cite", true));
    CONCORD_RETURN_IF_ERROR(CheckCitation(r, t, catalog, b.dual_criminality_cite));
    CONCORD_ASSIGN_OR_RETURN(b.reservation_effect, r.String(t, "reservation_effect", false));
    CONCORD_ASSIGN_OR_RETURN(b.addressee, r.String(t, "addressee", true));
    CONCORD_ASSIGN_OR_RETURN(b.refusal_grounds, r.Strings(t, "refusal_grounds"));
    for (const std::string& g : b.refusal_grounds) {
        if (!catalog.refusal_grounds.contains(g)) {
            return r.Fail(t, fmt::format("unknown refusal ground '{}'", g));
        }
    }
    CONCORD_ASSIGN_OR_RETURN(b.emergency_cites, r.Strings(t, "emergency_cite"));
    for (const std::string& c : b.emergency_cites) {
        CONCORD_RETURN_IF_ERROR(CheckCitation(r, t, catalog, c));
    }
    CONCORD_ASSIGN_OR_RETURN(b.emergency_risks, r.Strings(t, "emergency_risks"));
    for (const std::string& risk : b.emergency_risks) {
        if (!catalog.messages.contains("value." + risk)) {
            return r.Fail(t, fmt::format("no label 'value.{}' in i18n/", risk));
        }
    }
    if (b.emergency_cites.empty() != b.emergency_risks.empty()) {
        return r.Fail(t, "emergency_cite and emergency_risks go together");
    }
    CONCORD_ASSIGN_OR_RETURN(b.offence_scope, r.String(t, "offence_scope", false));
    if (b.offence_scope.empty()) {
        b.offence_scope = "all";
    }
    if (b.offence_scope != "all" && b.offence_scope != "own") {
        return r.Fail(t, "offence_scope must be all or own");
    }
    CONCORD_ASSIGN_OR_RETURN(b.offence_scope_cite, r.String(t, "offence_scope_cite", false));
    if (b.offence_scope == "own") {
        if (b.offence_scope_cite.empty()) {
            return r.Fail(t, "offence_scope = \"own\" needs an 'offence_scope_cite'");
        }
        CONCORD_RETURN_IF_ERROR(CheckCitation(r, t, catalog, b.offence_scope_cite));
    }
    CONCORD_ASSIGN_OR_RETURN(b.refusal_law_cite, r.String(t, "refusal_law_cite", false));
    if (!b.refusal_law_cite.empty()) {
        CONCORD_RETURN_IF_ERROR(CheckCitation(r, t, catalog, b.refusal_law_cite));
    }
    CONCORD_ASSIGN_OR_RETURN(auto deadlines, r.Tables(t, "deadline"));
    for (const toml::table* d : deadlines) {
        CONCORD_ASSIGN_OR_RETURN(Deadline deadline, ReadDeadline(r, *d, catalog));
        b.deadlines.push_back(std::move(deadline));
    }
    CONCORD_ASSIGN_OR_RETURN(auto value_rules, r.Tables(t, "value_rule"));
    for (const toml::table* v : value_rules) {
        ValueRule rule;
        CONCORD_ASSIGN_OR_RETURN(rule.field, r.String(*v, "field", true));
        CONCORD_ASSIGN_OR_RETURN(rule.values, r.Strings(*v, "values"));
        CONCORD_ASSIGN_OR_RETURN(rule.cite, r.String(*v, "cite", true));
        CONCORD_RETURN_IF_ERROR(CheckCitation(r, *v, catalog, rule.cite));
        if (rule.values.empty()) {
            return r.Fail(*v, "a value_rule lists at least one value");
        }
        b.value_rules.push_back(std::move(rule));
    }
    CONCORD_ASSIGN_OR_RETURN(auto rules, r.Tables(t, "issuer_rule"));
    for (const toml::table* rule_table : rules) {
        CONCORD_ASSIGN_OR_RETURN(IssuerRule rule, ReadIssuerRule(r, *rule_table, catalog));
        b.issuer_rules.push_back(std::move(rule));
    }
    return b;
}

Result<FieldSpec> ReadFormField(
    const TomlReader& r, const toml::table& t, const FieldDictionary& dict, const Catalog& catalog
) {
    CONCORD_ASSIGN_OR_RETURN(std::string name, r.String(t, "name", true));
    auto it = dict.fields.find(name);
    if (it == dict.fields.end()) {
        return r.Fail(t, fmt::format("field '{}' is not defined under [field.{}]", name, name));
    }
    FieldSpec f = it->second;
    CONCORD_ASSIGN_OR_RETURN(f.required, r.Bool(t, "required", false));
    CONCORD_ASSIGN_OR_RETURN(f.cites, r.Strings(t, "cite"));
    for (const std::string& c : f.cites) {
        CONCORD_RETURN_IF_ERROR(CheckCitation(r, t, catalog, c));
    }
    return f;
}

Result<void> LoadRequestTypes(const std::filesystem::path& file, Catalog& catalog) {
    TomlReader r(file);
    CONCORD_ASSIGN_OR_RETURN(toml::table root, r.Parse());
    CONCORD_ASSIGN_OR_RETURN(FieldDictionary dict, ReadFieldDictionary(r, root, catalog));
    CONCORD_RETURN_IF_ERROR(ReadLimits(r, root, catalog.limits));
    CONCORD_ASSIGN_OR_RETURN(auto tables, r.Tables(root, "request_type"));
    for (const toml::table* t : tables) {
        RequestType rt;
        CONCORD_ASSIGN_OR_RETURN(rt.id, r.String(*t, "id", true));
        CONCORD_ASSIGN_OR_RETURN(rt.name, r.Texts(*t, "name", true));
        CONCORD_ASSIGN_OR_RETURN(rt.emergency, r.Bool(*t, "emergency", false));
        CONCORD_ASSIGN_OR_RETURN(
            rt.emergency_allowed, r.Bool(*t, "emergency_allowed", rt.emergency)
        );
        CONCORD_ASSIGN_OR_RETURN(rt.offences_required, r.Bool(*t, "offences_required", true));
        CONCORD_ASSIGN_OR_RETURN(auto fields, r.Tables(*t, "fields"));
        for (const toml::table* f : fields) {
            CONCORD_ASSIGN_OR_RETURN(FieldSpec spec, ReadFormField(r, *f, dict, catalog));
            rt.fields.push_back(std::move(spec));
        }
        CONCORD_ASSIGN_OR_RETURN(auto bases, r.Tables(*t, "basis"));
        if (bases.empty()) {
            return r.Fail(
                *t, fmt::format("request type '{}' has no [[request_type.basis]]", rt.id)
            );
        }
        for (const toml::table* b : bases) {
            CONCORD_ASSIGN_OR_RETURN(Basis basis, ReadBasis(r, *b, catalog));
            // A value rule names an enum field of this form and values of that field.
            for (const ValueRule& rule : basis.value_rules) {
                const FieldSpec* field = rt.FindField(rule.field);
                if (field == nullptr || field->type != "enum") {
                    return r.Fail(
                        *b,
                        fmt::format("value_rule: '{}' is not an enum field of the form", rule.field)
                    );
                }
                for (const std::string& value : rule.values) {
                    if (std::find(field->values.begin(), field->values.end(), value) ==
                        field->values.end()) {
                        return r.Fail(
                            *b,
                            fmt::format(
                                "value_rule: '{}' is not a value of '{}'", value, rule.field
                            )
                        );
                    }
                }
            }
            rt.bases.push_back(std::move(basis));
        }
        std::string id = rt.id;
        if (!catalog.request_types.emplace(std::move(id), std::move(rt)).second) {
            return r.Fail(*t, "request type listed twice");
        }
    }
    return {};
}

Result<PartyInstrument> ReadPartyInstrument(
    const TomlReader& r, const toml::table& t, const Catalog& catalog
) {
    PartyInstrument pi;
    CONCORD_ASSIGN_OR_RETURN(pi.instrument, r.String(t, "id", true));
    auto ins = catalog.instruments.find(pi.instrument);
    if (ins == catalog.instruments.end()) {
        return r.Fail(t, fmt::format("unknown instrument '{}'", pi.instrument));
    }
    CONCORD_ASSIGN_OR_RETURN(pi.signed_on, r.String(t, "signed", false));
    CONCORD_ASSIGN_OR_RETURN(pi.ratified, r.String(t, "ratified", false));
    CONCORD_ASSIGN_OR_RETURN(pi.consent_kind, r.String(t, "consent_kind", false));
    CONCORD_ASSIGN_OR_RETURN(pi.note, r.String(t, "note", false));
    CONCORD_ASSIGN_OR_RETURN(pi.in_force, r.String(t, "in_force", false));
    CONCORD_ASSIGN_OR_RETURN(pi.reservations, r.Strings(t, "reservations"));
    for (const std::string& res : pi.reservations) {
        if (ins->second.FindReservation(res) == nullptr) {
            return r.Fail(
                t, fmt::format("'{}' is not a reservation point of {}", res, pi.instrument)
            );
        }
    }
    CONCORD_ASSIGN_OR_RETURN(pi.declarations, r.Strings(t, "declarations"));
    CONCORD_ASSIGN_OR_RETURN(pi.reservations_complete, r.Bool(t, "reservations_complete", false));
    CONCORD_ASSIGN_OR_RETURN(pi.source, r.String(t, "source", true));
    CONCORD_ASSIGN_OR_RETURN(pi.as_of, r.String(t, "as_of", true));
    CONCORD_ASSIGN_OR_RETURN(pi.verification, r.Status(t));
    return pi;
}

Result<void> LoadParty(const std::filesystem::path& file, Catalog& catalog) {
    TomlReader r(file);
    CONCORD_ASSIGN_OR_RETURN(toml::table root, r.Parse());
    Party p;
    p.file = file;
    CONCORD_ASSIGN_OR_RETURN(p.code, r.String(root, "code", true));
    CONCORD_ASSIGN_OR_RETURN(p.name, r.Texts(root, "name", true));
    CONCORD_ASSIGN_OR_RETURN(p.groups, r.Strings(root, "groups"));
    CONCORD_ASSIGN_OR_RETURN(p.languages, r.Strings(root, "languages"));
    CONCORD_ASSIGN_OR_RETURN(p.source, r.String(root, "source", true));
    CONCORD_ASSIGN_OR_RETURN(p.as_of, r.String(root, "as_of", true));
    CONCORD_ASSIGN_OR_RETURN(auto instruments, r.Tables(root, "instrument"));
    for (const toml::table* t : instruments) {
        CONCORD_ASSIGN_OR_RETURN(PartyInstrument pi, ReadPartyInstrument(r, *t, catalog));
        p.instruments.push_back(std::move(pi));
    }
    CONCORD_ASSIGN_OR_RETURN(auto authorities, r.Tables(root, "authority"));
    for (const toml::table* t : authorities) {
        Authority a;
        CONCORD_ASSIGN_OR_RETURN(a.role, r.String(*t, "role", true));
        CONCORD_ASSIGN_OR_RETURN(a.name, r.String(*t, "name", true));
        CONCORD_ASSIGN_OR_RETURN(a.instrument, r.String(*t, "instrument", false));
        CONCORD_ASSIGN_OR_RETURN(a.article, r.String(*t, "article", false));
        CONCORD_ASSIGN_OR_RETURN(a.note, r.String(*t, "note", false));
        CONCORD_ASSIGN_OR_RETURN(a.source, r.String(*t, "source", true));
        CONCORD_ASSIGN_OR_RETURN(a.as_of, r.String(*t, "as_of", true));
        CONCORD_ASSIGN_OR_RETURN(a.verification, r.Status(*t));
        if (!catalog.messages.contains("role." + a.role)) {
            return r.Fail(*t, fmt::format("unknown role '{}' (see i18n role.*)", a.role));
        }
        if (!a.instrument.empty() &&
            (a.article.empty() ? !catalog.instruments.contains(a.instrument)
                               : catalog.FindCitation(a.instrument + ":" + a.article) == nullptr)) {
            return r.Fail(
                *t, fmt::format("unknown instrument or article '{}:{}'", a.instrument, a.article)
            );
        }
        p.authorities.push_back(std::move(a));
    }
    // The file replaces an earlier party of the same code, but the rows that party has from the
    // status charts stay for the instruments the file does not name.
    if (auto old = catalog.parties.find(p.code); old != catalog.parties.end()) {
        for (PartyInstrument& pi : old->second.instruments) {
            if (!pi.chart.empty() && p.Find(pi.instrument) == nullptr) {
                p.instruments.push_back(std::move(pi));
            }
        }
    }
    std::string code = p.code;
    catalog.parties.insert_or_assign(std::move(code), std::move(p));
    return {};
}

bool IsSpecialFile(const std::filesystem::path& file) {
    const std::string name = file.filename().string();
    return std::find(kSpecialFiles.begin(), kSpecialFiles.end(), name) != kSpecialFiles.end();
}

}  // namespace

bool IsSupportedLanguage(std::string_view lang) {
    return std::find(kLanguages.begin(), kLanguages.end(), lang) != kLanguages.end();
}

std::filesystem::path ExampleRequestFile(const Catalog& catalog, std::string_view request_type) {
    std::string name(request_type);
    std::replace(name.begin(), name.end(), '_', '-');
    return catalog.dir / "examples" / (name + ".json");
}

std::string_view Pick(const Localized& text, std::string_view lang) {
    if (auto it = text.find(lang); it != text.end()) {
        return it->second;
    }
    if (auto it = text.find("en"); it != text.end()) {
        return it->second;
    }
    return {};
}

std::optional<Verification> VerificationNamed(std::string_view name) {
    if (name == "verified") {
        return Verification::kVerified;
    }
    if (name == "secondary") {
        return Verification::kSecondary;
    }
    if (name == "unverified") {
        return Verification::kUnverified;
    }
    return std::nullopt;
}

std::string_view VerificationName(Verification v) {
    switch (v) {
        case Verification::kVerified:
            return "verified";
        case Verification::kSecondary:
            return "secondary";
        case Verification::kUnverified:
            return "unverified";
    }
    return "unverified";
}

const Article* Instrument::FindArticle(std::string_view article_id) const {
    for (const Article& a : articles) {
        if (a.id == article_id) {
            return &a;
        }
    }
    return nullptr;
}

const Reservation* Instrument::FindReservation(std::string_view reservation_id) const {
    for (const Reservation& r : reservations) {
        if (r.id == reservation_id) {
            return &r;
        }
    }
    return nullptr;
}

const Definition* Instrument::FindDefinition(std::string_view term) const {
    for (const Definition& d : definitions) {
        if (d.term == term) {
            return &d;
        }
    }
    return nullptr;
}

const PartyInstrument* Party::Find(std::string_view instrument) const {
    for (const PartyInstrument& pi : instruments) {
        if (pi.instrument == instrument) {
            return &pi;
        }
    }
    return nullptr;
}

bool Party::BoundBy(std::string_view instrument, std::string_view date) const {
    const PartyInstrument* pi = Find(instrument);
    return pi != nullptr && !pi->in_force.empty() && pi->in_force <= date;
}

const FieldSpec* RequestType::FindField(std::string_view field_name) const {
    for (const FieldSpec& f : fields) {
        if (f.name == field_name) {
            return &f;
        }
    }
    return nullptr;
}

const Basis* RequestType::FindBasis(std::string_view instrument) const {
    for (const Basis& b : bases) {
        if (b.instrument == instrument) {
            return &b;
        }
    }
    return nullptr;
}

const Article* Catalog::FindCitation(std::string_view citation) const {
    auto [instrument, article] = SplitCitation(citation);
    auto it = instruments.find(instrument);
    return it == instruments.end() ? nullptr : it->second.FindArticle(article);
}

std::string Catalog::Text(std::string_view key, std::string_view lang) const {
    auto it = messages.find(key);
    if (it == messages.end()) {
        return std::string(key);
    }
    return std::string(Pick(it->second, lang));
}

std::filesystem::path DefaultInstrumentsDir() {
    const char* env = std::getenv("CONCORD_INSTRUMENTS_DIR");  // NOLINT(concurrency-mt-unsafe)
    if (env != nullptr && *env != '\0') {
        return env;
    }
    return CONCORD_INSTRUMENTS_DIR;
}

Result<void> LoadPartiesInto(Catalog& catalog, const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        return MakeError(ErrorCode::kNotFound, fmt::format("{}: no such directory", dir.string()));
    }
    for (const auto& file : TomlFiles(dir)) {
        CONCORD_RETURN_IF_ERROR(LoadParty(file, catalog));
    }
    return {};
}

Result<void> LoadCriminalisationInto(Catalog& catalog, const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        return {};
    }
    for (const auto& file : TomlFiles(dir)) {
        TomlReader r(file);
        CONCORD_ASSIGN_OR_RETURN(toml::table root, r.Parse());
        CONCORD_ASSIGN_OR_RETURN(std::string party, r.String(root, "party", true));
        if (!catalog.parties.contains(party)) {
            return r.Fail(root, fmt::format("unknown party '{}' (see parties/)", party));
        }
        CONCORD_ASSIGN_OR_RETURN(auto tables, r.Tables(root, "offence"));
        for (const toml::table* t : tables) {
            NationalOffence o;
            CONCORD_ASSIGN_OR_RETURN(o.concept_id, r.String(*t, "concept", true));
            if (!catalog.concepts.contains(o.concept_id)) {
                return r.Fail(
                    *t, fmt::format("unknown concept '{}' (see concepts.toml)", o.concept_id)
                );
            }
            CONCORD_ASSIGN_OR_RETURN(o.law, r.String(*t, "law", true));
            CONCORD_ASSIGN_OR_RETURN(o.source, r.String(*t, "source", true));
            CONCORD_ASSIGN_OR_RETURN(o.as_of, r.String(*t, "as_of", true));
            CONCORD_ASSIGN_OR_RETURN(o.verification, r.Status(*t));
            catalog.national_offences[party].push_back(std::move(o));
        }
    }
    return {};
}

Result<Catalog> LoadCatalog(const std::filesystem::path& instruments_dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(instruments_dir, ec)) {
        return MakeError(
            ErrorCode::kNotFound, fmt::format("{}: no such directory", instruments_dir.string())
        );
    }
    Catalog catalog;
    catalog.dir = instruments_dir;
    CONCORD_RETURN_IF_ERROR(LoadMessages(instruments_dir / "i18n", catalog));
    CONCORD_RETURN_IF_ERROR(detail::ValidateMessages(catalog));
    CONCORD_RETURN_IF_ERROR(LoadConcepts(instruments_dir / "concepts.toml", catalog));
    for (const auto& file : TomlFiles(instruments_dir)) {
        if (!IsSpecialFile(file)) {
            CONCORD_RETURN_IF_ERROR(LoadInstrument(file, catalog));
        }
    }
    for (const auto& [id, c] : catalog.concepts) {
        for (const std::string& cite : c.corresponds) {
            if (catalog.FindCitation(cite) == nullptr) {
                return MakeError(
                    ErrorCode::kInvalidArgument,
                    fmt::format("concepts.toml: concept '{}' corresponds to unknown '{}'", id, cite)
                );
            }
        }
    }
    CONCORD_RETURN_IF_ERROR(LoadRefusalGrounds(instruments_dir / "refusal-grounds.toml", catalog));
    CONCORD_RETURN_IF_ERROR(LoadRequestTypes(instruments_dir / "request-types.toml", catalog));
    for (const auto& [id, ins] : catalog.instruments) {
        for (const PenaltyThreshold& p : ins.penalty_thresholds) {
            for (const std::string& type : p.request_types) {
                if (!catalog.request_types.contains(type)) {
                    return MakeError(
                        ErrorCode::kInvalidArgument,
                        fmt::format(
                            "{}: penalty threshold '{}' names unknown request type '{}'",
                            ins.file.string(),
                            p.id,
                            type
                        )
                    );
                }
            }
        }
    }
    CONCORD_RETURN_IF_ERROR(LoadPartyCharts(catalog, instruments_dir / "parties" / "charts"));
    CONCORD_RETURN_IF_ERROR(LoadPartiesInto(catalog, instruments_dir / "parties"));
    CONCORD_RETURN_IF_ERROR(LoadCriminalisationInto(catalog, instruments_dir / "criminalisation"));
    return catalog;
}

}  // namespace concord::legal
