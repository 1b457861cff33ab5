#include "concord/legal/check.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "concord/legal/mapping.hpp"

#include "field_values.hpp"
#include "message_format.hpp"
#include "request.hpp"

namespace concord::legal {
namespace {

using detail::Request;
using Args = detail::MessageArgs;
using detail::JoinList;
using detail::ListKind;

// Reservation effects are "<verb>:<argument>" (docs/legal-data.md).
std::pair<std::string_view, std::string_view> SplitEffect(std::string_view effect) {
    std::size_t colon = effect.find(':');
    if (colon == std::string_view::npos) {
        return {effect, {}};
    }
    return {effect.substr(0, colon), effect.substr(colon + 1)};
}

class Checker {
public:
    Checker(const Catalog& catalog, std::string_view lang) : catalog_(catalog), lang_(lang) {}

    void Run(const Request& req);
    void Malformed(const std::string& reason) {
        Add(Severity::kError, "request_malformed", "", {{"reason", reason}}, {});
    }
    std::vector<Finding> Take() { return std::move(findings_); }

private:
    void Add(
        Severity severity,
        const std::string& code,
        std::string field,
        const Args& args,
        const std::vector<std::string>& cites
    );
    std::string Label(std::string_view key) const { return catalog_.Text(key, lang_); }
    std::string PartyName(const std::string& code) const;
    std::string InstrumentName(const std::string& id) const;
    std::string LanguageNames(const std::vector<std::string>& codes) const {
        std::vector<std::string> names;
        names.reserve(codes.size());
        for (const std::string& c : codes) {
            names.push_back(detail::LanguageName(c, lang_));
        }
        return JoinList(lang_, names, ListKind::kOr);
    }

    bool CheckHeader(const Request& req);
    const Basis* SelectBasis(const Request& req);
    void CheckFields(const Request& req);
    void CheckIssuer(const Request& req, const Basis& basis);
    void CheckEmergency(const Request& req, const Basis& basis);
    void CheckPenalties(const Request& req, const Basis& basis);
    void CheckOffences(const Request& req);
    bool ApplyReservations(const Request& req, const Basis& basis);
    void CheckDualCriminality(const Request& req, const Basis& basis, bool restored);
    void CheckOneOffence(
        const Request& req, const Basis& basis, const detail::OffenceRef& ref, bool restored
    );
    void ExplainBasis(const Request& req, const Basis& basis);
    std::vector<std::string> RequestedCategories(const Request& req) const;
    std::string OffenceConcept(const detail::OffenceRef& ref) const;

    const Catalog& catalog_;
    std::string lang_;
    std::vector<Finding> findings_;
    const RequestType* type_{nullptr};
    const Party* from_{nullptr};
    const Party* to_{nullptr};
    std::string date_;
};

void Checker::Add(
    Severity severity,
    const std::string& code,
    std::string field,
    const Args& args,
    const std::vector<std::string>& cites
) {
    Finding f;
    f.severity = severity;
    f.code = code;
    f.field = std::move(field);
    f.message = detail::FormatMessage(catalog_, "finding." + code, lang_, args);
    for (const std::string& c : cites) {
        if (!c.empty()) {
            f.citations.push_back(Cite(catalog_, c));
        }
    }
    findings_.push_back(std::move(f));
}

std::string Checker::PartyName(const std::string& code) const {
    auto it = catalog_.parties.find(code);
    return it == catalog_.parties.end()
               ? code
               : detail::FormatMessage(
                     catalog_,
                     "format.party",
                     lang_,
                     {{"name", std::string(Pick(it->second.name, lang_))}, {"code", code}}
                 );
}

std::string Checker::InstrumentName(const std::string& id) const {
    auto it = catalog_.instruments.find(id);
    return it == catalog_.instruments.end() ? id : std::string(Pick(it->second.title, lang_));
}

bool Checker::CheckHeader(const Request& req) {
    auto type = catalog_.request_types.find(req.type);
    if (type == catalog_.request_types.end()) {
        Add(Severity::kError, "request_type_unknown", "type", {{"value", req.type}}, {});
        return false;
    }
    type_ = &type->second;
    bool ok = true;
    for (const auto& [path, code] :
         {std::pair<std::string, std::string>{"requesting_party", req.requesting_party},
          {"requested_party", req.requested_party}}) {
        auto party = catalog_.parties.find(code);
        if (party == catalog_.parties.end()) {
            Add(Severity::kError, "party_unknown", path, {{"value", code}}, {});
            ok = false;
        } else {
            (path == "requesting_party" ? from_ : to_) = &party->second;
        }
    }
    if (ok && from_ == to_) {
        Add(Severity::kError, "same_party", "requested_party", {{"party", PartyName(to_->code)}}, {}
        );
        ok = false;
    }
    date_ = req.date.empty() ? detail::TodayUtc() : req.date;
    if (!req.instrument.empty() && !catalog_.instruments.contains(req.instrument)) {
        Add(Severity::kError, "instrument_unknown", "instrument", {{"value", req.instrument}}, {});
        ok = false;
    }
    return ok;
}

// The basis named by the request if it binds both parties; otherwise the first basis of the
// request type that does, explained as an alternative; nullptr (with an error) if none does.
const Basis* Checker::SelectBasis(const Request& req) {
    auto binds_both = [&](const Basis& b) {
        return from_->BoundBy(b.instrument, date_) && to_->BoundBy(b.instrument, date_);
    };
    const Basis* named = req.instrument.empty() ? nullptr : type_->FindBasis(req.instrument);
    std::vector<std::string> allowed;
    for (const Basis& b : type_->bases) {
        allowed.push_back(b.cite);
    }
    if (!req.instrument.empty() && named == nullptr) {
        Add(Severity::kError,
            "request_type_not_allowed",
            "instrument",
            {{"type", std::string(Pick(type_->name, lang_))},
             {"instrument", InstrumentName(req.instrument)}},
            allowed);
    }
    if (named != nullptr && binds_both(*named)) {
        return named;
    }
    if (named != nullptr) {
        for (const Party* p : {from_, to_}) {
            if (!p->BoundBy(named->instrument, date_)) {
                Add(Severity::kWarning,
                    "party_not_bound",
                    p == from_ ? "requesting_party" : "requested_party",
                    {{"party", PartyName(p->code)},
                     {"instrument", InstrumentName(named->instrument)},
                     {"date", date_}},
                    {named->cite});
            }
        }
    }
    for (const Basis& b : type_->bases) {
        if (binds_both(b)) {
            Add(req.instrument.empty() ? Severity::kNote : Severity::kWarning,
                req.instrument.empty() ? "basis_selected" : "alternative_basis",
                "instrument",
                {{"instrument", InstrumentName(b.instrument)}, {"cite", b.cite}},
                {b.cite});
            return &b;
        }
    }
    Add(Severity::kError,
        "no_common_basis",
        "instrument",
        {{"from", PartyName(from_->code)}, {"to", PartyName(to_->code)}, {"date", date_}},
        allowed);
    return nullptr;
}

void Checker::CheckFields(const Request& req) {
    static const boost::json::object kEmpty;
    const boost::json::object& fields = req.fields != nullptr ? *req.fields : kEmpty;
    for (const FieldSpec& spec : type_->fields) {
        const std::string path = "fields." + spec.name;
        const boost::json::value* v = fields.if_contains(spec.name);
        if (v == nullptr || v->is_null()) {
            if (spec.required) {
                Add(Severity::kError,
                    "field_missing",
                    path,
                    {{"field", Label("field." + spec.name)}},
                    spec.cites);
            }
            continue;
        }
        detail::ValueReport report;
        detail::CheckFieldValue(catalog_, spec, *v, path, report);
        for (const auto& p : report.problems) {
            Add(Severity::kError,
                "field_invalid",
                p.path,
                {{"field", Label("field." + spec.name)}, {"reason", Label(p.reason)}},
                spec.cites);
        }
        for (const std::string& unchecked : report.unchecked_checksums) {
            Add(Severity::kNote, "checksum_not_verified", unchecked, {}, {});
        }
    }
    for (const auto& [key, value] : fields) {
        if (type_->FindField(key) == nullptr) {
            Add(Severity::kWarning,
                "field_unknown",
                "fields." + std::string(key),
                {{"value", std::string(key)}, {"type", std::string(Pick(type_->name, lang_))}},
                {});
        }
    }
}

std::vector<std::string> Checker::RequestedCategories(const Request& req) const {
    std::vector<std::string> out;
    if (req.fields == nullptr) {
        return out;
    }
    const boost::json::value* v = req.fields->if_contains("data_categories");
    if (v == nullptr || !v->is_array()) {
        return out;
    }
    for (const boost::json::value& e : v->get_array()) {
        if (e.is_string()) {
            out.emplace_back(e.get_string());
        }
    }
    return out;
}

void Checker::CheckIssuer(const Request& req, const Basis& basis) {
    if (req.issuer == nullptr) {
        Add(Severity::kError,
            "field_missing",
            "issuing_authority",
            {{"field", Label("field.issuing_authority")}},
            {});
        return;
    }
    detail::ValueReport report;
    detail::CheckAuthority(catalog_, boost::json::value(*req.issuer), "issuing_authority", report);
    if (req.validator != nullptr) {
        detail::CheckAuthority(
            catalog_, boost::json::value(*req.validator), "validating_authority", report
        );
    }
    for (const auto& p : report.problems) {
        Add(Severity::kError,
            "field_invalid",
            p.path,
            {{"field", Label("field.issuing_authority")}, {"reason", Label(p.reason)}},
            {});
    }
    const std::string role = detail::StringAt(*req.issuer, "role");
    const std::string validator_role =
        req.validator != nullptr ? detail::StringAt(*req.validator, "role") : std::string{};
    const std::vector<std::string> categories = RequestedCategories(req);
    for (const IssuerRule& rule : basis.issuer_rules) {
        std::vector<std::string> hit;
        for (const std::string& c : categories) {
            bool applies = rule.categories.empty() ||
                           std::find(rule.categories.begin(), rule.categories.end(), c) !=
                               rule.categories.end();
            if (applies) {
                hit.push_back(Label("value." + c));
            }
        }
        if (hit.empty() && !(rule.categories.empty() && categories.empty())) {
            continue;
        }
        auto has = [](const std::vector<std::string>& v, const std::string& s) {
            return std::find(v.begin(), v.end(), s) != v.end();
        };
        if (has(rule.roles, role) || has(rule.validator_roles, validator_role)) {
            continue;
        }
        std::vector<std::string> allowed;
        for (const std::string& r : rule.roles) {
            allowed.push_back(Label("role." + r));
        }
        Add(Severity::kError,
            "issuer_not_competent",
            "issuing_authority.role",
            {{"role", Label("role." + role)},
             {"categories", JoinList(lang_, detail::ListItems(hit, lang_), ListKind::kAnd)},
             {"roles", JoinList(lang_, detail::ListItems(allowed, lang_), ListKind::kOr)}},
            {rule.cite});
    }
}

void Checker::CheckEmergency(const Request& req, const Basis& basis) {
    if (!type_->emergency) {
        return;
    }
    const boost::json::object* e = req.emergency;
    const std::string risk = e != nullptr ? detail::StringAt(*e, "risk") : std::string{};
    const boost::json::value* imminent = e != nullptr ? e->if_contains("imminent") : nullptr;
    const std::string facts = e != nullptr ? detail::StringAt(*e, "facts") : std::string{};
    const bool risk_ok = risk == "life" || risk == "safety";
    const bool imminent_ok = imminent != nullptr && imminent->is_bool() && imminent->get_bool();
    if (risk_ok && imminent_ok && !facts.empty()) {
        Add(Severity::kNote, "emergency_established", "emergency", {}, basis.emergency_cites);
        return;
    }
    std::string missing = !risk_ok       ? Label("reason.emergency_risk")
                          : !imminent_ok ? Label("reason.emergency_imminent")
                                         : Label("reason.emergency_facts");
    Add(Severity::kError,
        "emergency_not_established",
        "emergency",
        {{"reason", missing}},
        basis.emergency_cites);
}

// Penalty thresholds come from the basis instrument's data (e.g. the UN Convention's "serious
// crime", the EU Regulation's threshold for traffic and content data); the code knows no article.
void Checker::CheckPenalties(const Request& req, const Basis& basis) {
    const Instrument& ins = catalog_.instruments.at(basis.instrument);
    const std::vector<std::string> categories = RequestedCategories(req);
    auto has = [](const std::vector<std::string>& v, const std::string& s) {
        return std::find(v.begin(), v.end(), s) != v.end();
    };
    for (const PenaltyThreshold& t : ins.penalty_thresholds) {
        if (!t.request_types.empty() && !has(t.request_types, type_->id)) {
            continue;
        }
        if (!t.categories.empty() &&
            std::none_of(categories.begin(), categories.end(), [&](const std::string& c) {
                return has(t.categories, c);
            })) {
            continue;
        }
        bool applied = false;
        for (const detail::OffenceRef& ref : req.offences) {
            const std::string concept_id = OffenceConcept(ref);
            auto concept_it = catalog_.concepts.find(concept_id);
            if (concept_it == catalog_.concepts.end()) {
                continue;  // reported by CheckOffences
            }
            if (t.other_offences_only &&
                std::any_of(ins.articles.begin(), ins.articles.end(), [&](const Article& a) {
                    return a.kind == "offence" && a.concept_id == concept_id;
                })) {
                continue;
            }
            applied = true;
            const Args args = {
                {"concept", std::string(Pick(concept_it->second.title, lang_))},
                {"years", ref.max_penalty_years},
                {"min", t.min_years},
                {"instrument", InstrumentName(ins.id)}};
            if (has(t.exempt_concepts, concept_id)) {
                Add(Severity::kNote, "penalty_threshold_exempt", ref.path, args, {t.exempt_cite});
            } else if (ref.max_penalty_years < 0) {
                Add(Severity::kWarning,
                    "penalty_unknown",
                    ref.path + ".max_penalty_years",
                    args,
                    t.cites);
            } else if (ref.max_penalty_years < static_cast<double>(t.min_years)) {
                Add(Severity::kError,
                    "penalty_threshold_not_met",
                    ref.path + ".max_penalty_years",
                    args,
                    t.cites);
            } else {
                Add(Severity::kNote, "penalty_threshold_met", ref.path, args, t.cites);
            }
        }
        if (applied && t.verification != Verification::kVerified) {
            Add(Severity::kWarning,
                "citation_unverified",
                "offences",
                {{"cite", t.cites.front()},
                 {"status",
                  Label("verification." + std::string(VerificationName(t.verification)))}},
                t.cites);
        }
    }
}

void Checker::CheckOffences(const Request& req) {
    if (req.offences.empty() && type_->offences_required) {
        Add(Severity::kError, "field_missing", "offences", {{"field", Label("field.offences")}}, {}
        );
    }
    for (const detail::OffenceRef& ref : req.offences) {
        if (ref.article.empty() && ref.concept_id.empty()) {
            Add(Severity::kError, "offence_unspecified", ref.path, {}, {});
            continue;
        }
        if (!ref.concept_id.empty() && !catalog_.concepts.contains(ref.concept_id)) {
            Add(Severity::kError,
                "concept_unknown",
                ref.path + ".concept",
                {{"value", ref.concept_id}},
                {});
        }
        if (ref.article.empty()) {
            continue;
        }
        const Article* a = catalog_.FindCitation(ref.article);
        if (a == nullptr || a->concept_id.empty()) {
            Add(Severity::kError,
                "offence_unknown",
                ref.path + ".article",
                {{"value", ref.article}},
                {});
        } else if (a->verification != Verification::kVerified) {
            Add(Severity::kWarning,
                "citation_unverified",
                ref.path + ".article",
                {{"cite", ref.article},
                 {"status",
                  Label("verification." + std::string(VerificationName(a->verification)))}},
                {ref.article});
        }
    }
}

std::string Checker::OffenceConcept(const detail::OffenceRef& ref) const {
    if (!ref.article.empty()) {
        if (const Article* a = catalog_.FindCitation(ref.article)) {
            return a->concept_id;
        }
    }
    return ref.concept_id;
}

// Applies the requested party's reservations under the basis instrument. Returns true when a
// reservation restores dual criminality for this basis.
bool Checker::ApplyReservations(const Request& req, const Basis& basis) {
    const PartyInstrument* pi = to_->Find(basis.instrument);
    const Instrument& ins = catalog_.instruments.at(basis.instrument);
    bool restored = false;
    for (const std::string& id : pi->reservations) {
        const Reservation* res = ins.FindReservation(id);
        const std::string cite = basis.instrument + ":" + res->id;
        auto [verb, arg] = SplitEffect(res->effect);
        const Args args = {
            {"party", PartyName(to_->code)},
            {"reservation", cite},
            {"text", std::string(Pick(res->title, lang_))}};
        if (verb == "excludes" && arg == type_->id) {
            Add(Severity::kError, "excluded_by_reservation", "type", args, {cite});
        } else if (verb == "dual_criminality" && res->effect == basis.reservation_effect) {
            restored = true;
            Add(Severity::kNote, "reservation_applies", "", args, {cite});
        } else if (verb == "partial_offence") {
            for (const detail::OffenceRef& ref : req.offences) {
                const Article* a = catalog_.FindCitation(ref.article);
                const Article* reserved = ins.FindArticle(arg);
                if (a != nullptr && reserved != nullptr && a->concept_id == reserved->concept_id) {
                    Add(Severity::kWarning, "offence_reservation", ref.path, args, {cite});
                }
            }
        } else if (verb == "channel" && arg == type_->id) {
            Add(Severity::kNote, "channel_reservation", "", args, {cite});
        }
    }
    if (!pi->reservations_complete) {
        Add(Severity::kNote,
            "reservations_not_encoded",
            "requested_party",
            {{"party", PartyName(to_->code)},
             {"instrument", InstrumentName(basis.instrument)},
             {"source", pi->source}},
            {});
    }
    return restored;
}

void Checker::CheckOneOffence(
    const Request& req, const Basis& basis, const detail::OffenceRef& ref, bool restored
) {
    const std::string concept_id = OffenceConcept(ref);
    auto concept_it = catalog_.concepts.find(concept_id);
    if (concept_it == catalog_.concepts.end()) {
        return;  // already reported by CheckOffences
    }
    const std::string concept_name(Pick(concept_it->second.title, lang_));
    // A restored requirement (e.g. Budapest 29(4)) covers only offences outside the instrument.
    if (restored && basis.dual_criminality == "not_required") {
        const Instrument& ins = catalog_.instruments.at(basis.instrument);
        bool own = std::any_of(ins.articles.begin(), ins.articles.end(), [&](const Article& a) {
            return a.kind == "offence" && a.concept_id == concept_id;
        });
        if (own) {
            Add(Severity::kNote,
                "dual_criminality_not_required",
                ref.path,
                {{"concept", concept_name}},
                {basis.dual_criminality_cite});
            return;
        }
    }
    std::vector<std::string> cites;
    std::vector<std::string> instruments;
    for (const auto& [instrument, article] : ArticlesForConcept(catalog_, concept_id)) {
        if (to_->BoundBy(instrument->id, date_) && from_->BoundBy(instrument->id, date_)) {
            cites.push_back(instrument->id + ":" + article->id);
        }
    }
    for (const PartyInstrument& pi : to_->instruments) {
        if (to_->BoundBy(pi.instrument, date_)) {
            instruments.push_back(InstrumentName(pi.instrument));
        }
    }
    if (!cites.empty()) {
        cites.push_back(basis.dual_criminality_cite);
        Add(Severity::kNote,
            "dual_criminality_satisfied",
            ref.path,
            {{"concept", concept_name}, {"party", PartyName(to_->code)}},
            cites);
        return;
    }
    const bool strict = basis.dual_criminality == "required" || restored;
    std::vector<std::string> relied = {basis.dual_criminality_cite};
    if (!ref.article.empty()) {
        relied.insert(relied.begin(), ref.article);
    }
    Add(strict ? Severity::kError : Severity::kWarning,
        "dual_criminality_not_established",
        ref.path,
        {{"concept", concept_name},
         {"party", PartyName(to_->code)},
         {"instruments",
          instruments.empty() ? Label("label.none")
                              : JoinList(lang_, instruments, ListKind::kAnd)}},
        relied);
    (void)req;
}

void Checker::CheckDualCriminality(const Request& req, const Basis& basis, bool restored) {
    if (basis.dual_criminality == "not_required" && !restored) {
        Add(Severity::kNote, "dual_criminality_not_required", "", {}, {basis.dual_criminality_cite}
        );
        return;
    }
    for (const detail::OffenceRef& ref : req.offences) {
        CheckOneOffence(req, basis, ref, restored);
    }
}

void Checker::ExplainBasis(const Request& req, const Basis& basis) {
    const Article* article = catalog_.FindCitation(basis.cite);
    if (article != nullptr && article->verification != Verification::kVerified) {
        Add(Severity::kWarning,
            "citation_unverified",
            "instrument",
            {{"cite", basis.cite},
             {"status",
              Label("verification." + std::string(VerificationName(article->verification)))}},
            {basis.cite});
    }
    for (const Deadline& d : basis.deadlines) {
        Add(Severity::kNote,
            "deadline",
            "",
            {{"text",
              detail::FormatMessage(
                  catalog_, "deadline." + d.kind, lang_, {{"amount", d.amount}, {"unit", d.unit}}
              )}},
            {d.cite});
    }
    std::vector<std::string> grounds;
    std::vector<std::string> cites;
    for (const std::string& g : basis.refusal_grounds) {
        const RefusalGround& ground = catalog_.refusal_grounds.at(g);
        grounds.emplace_back(Pick(ground.text, lang_));
        cites.insert(cites.end(), ground.cites.begin(), ground.cites.end());
    }
    if (!grounds.empty()) {
        std::sort(cites.begin(), cites.end());
        cites.erase(std::unique(cites.begin(), cites.end()), cites.end());
        Add(Severity::kNote,
            "refusal_grounds",
            "",
            {{"grounds", JoinList(lang_, detail::ListItems(grounds, lang_), ListKind::kClauses)}},
            cites);
    }
    if (!req.language.empty() && !to_->languages.empty() &&
        std::find(to_->languages.begin(), to_->languages.end(), req.language) ==
            to_->languages.end()) {
        Add(Severity::kNote,
            "translation_needed",
            "language",
            {{"party", PartyName(to_->code)}, {"languages", LanguageNames(to_->languages)}},
            {});
    }
}

void Checker::Run(const Request& req) {
    if (!CheckHeader(req)) {
        return;
    }
    CheckFields(req);
    CheckOffences(req);
    const Basis* basis = SelectBasis(req);
    if (basis == nullptr) {
        return;
    }
    CheckIssuer(req, *basis);
    CheckPenalties(req, *basis);
    CheckEmergency(req, *basis);
    const bool restored = ApplyReservations(req, *basis);
    CheckDualCriminality(req, *basis, restored);
    ExplainBasis(req, *basis);
}

}  // namespace

std::string_view SeverityName(Severity s) {
    switch (s) {
        case Severity::kError:
            return "error";
        case Severity::kWarning:
            return "warning";
        case Severity::kNote:
            return "note";
    }
    return "note";
}

Citation Cite(const Catalog& catalog, std::string_view ref) {
    const Article* a = catalog.FindCitation(ref);
    return Citation{std::string(ref), a != nullptr ? a->verification : Verification::kUnverified};
}

std::vector<Finding> CheckRequest(
    const Catalog& catalog, std::string_view request_json, std::string_view lang
) {
    Checker checker(catalog, IsSupportedLanguage(lang) ? lang : "en");
    auto req = detail::ParseRequest(request_json);
    if (!req) {
        checker.Malformed(req.error().message);
    } else {
        checker.Run(*req);
    }
    return checker.Take();
}

bool HasErrors(const std::vector<Finding>& findings) {
    return std::any_of(findings.begin(), findings.end(), [](const Finding& f) {
        return f.severity == Severity::kError;
    });
}

std::string FindingsToJson(const std::vector<Finding>& findings) {
    boost::json::array out;
    for (const Finding& f : findings) {
        boost::json::object o;
        o["severity"] = SeverityName(f.severity);
        o["code"] = f.code;
        if (!f.field.empty()) {
            o["field"] = f.field;
        }
        o["message"] = f.message;
        boost::json::array cites;
        for (const Citation& c : f.citations) {
            cites.push_back(boost::json::object{
                {"ref", c.ref}, {"verification", VerificationName(c.verification)}});
        }
        o["citations"] = std::move(cites);
        out.push_back(std::move(o));
    }
    return boost::json::serialize(out);
}

}  // namespace concord::legal
