#include "concord/legal/check.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <utility>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "concord/legal/field_types.hpp"
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

// The value of a request's optional "schema" member (docs/legal-data.md).
constexpr std::string_view kRequestSchema = "concord.legal.request/1";

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

    bool CheckSizes(const Request& req);
    void CheckMembers(const Request& req);
    bool CheckHeader(const Request& req);
    const Basis* SelectBasis(const Request& req);
    void CheckFields(const Request& req);
    void CheckIssuer(const Request& req, const Basis& basis);
    void CheckEmergency(const Request& req, const Basis& basis);
    void CheckPenalties(const Request& req, const Basis& basis);
    void CheckValueRules(const Request& req, const Basis& basis);
    void CheckOffences(const Request& req);
    void CheckEuRoute();
    bool Covers(const Basis& basis, const Request& req) const;
    void ApplyReservations(const Basis& basis);
    void CheckDualCriminality(const Request& req, const Basis& basis);
    void CheckOneOffence(const Basis& basis, const detail::OffenceRef& ref);
    void ExplainBasis(const Request& req, const Basis& basis);
    void OtherChannels();
    std::vector<std::string> RequestedCategories(const Request& req) const;
    std::string OffenceConcept(const detail::OffenceRef& ref) const;
    bool IsOwnOffence(const Instrument& ins, const std::string& concept_id) const;

    const Catalog& catalog_;
    std::string lang_;
    std::vector<Finding> findings_;
    const RequestType* type_{nullptr};
    const Party* from_{nullptr};
    const Party* to_{nullptr};
    std::string date_;
    const Reservation* restoring_{nullptr};  ///< a reservation restoring dual criminality
    bool emergency_{false};                  ///< an emergency is claimed and established
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

// Every string outside "fields" within the catalog's [limits] (fields carry their own caps),
// and no more offences than allowed; reported before any other check reads the values.
bool Checker::CheckSizes(const Request& req) {
    const RequestLimits& limits = catalog_.limits;
    bool ok = true;
    std::function<void(const boost::json::value&, const std::string&, std::size_t)> walk =
        [&](const boost::json::value& v, const std::string& path, std::size_t max) {
            if (v.is_string() && v.get_string().size() > max) {
                Add(Severity::kError,
                    "field_invalid",
                    path,
                    {{"field", path}, {"reason", Label("reason.too_long")}},
                    {});
                ok = false;
            } else if (v.is_array()) {
                std::size_t i = 0;
                for (const boost::json::value& e : v.get_array()) {
                    walk(e, fmt::format("{}[{}]", path, i++), max);
                }
            } else if (v.is_object()) {
                for (const auto& [key, e] : v.get_object()) {
                    const std::string sub =
                        path.empty() ? std::string(key) : path + "." + std::string(key);
                    if (key.size() > limits.name_length) {
                        Add(Severity::kError,
                            "field_invalid",
                            path,
                            {{"field", path}, {"reason", Label("reason.too_long")}},
                            {});
                        ok = false;
                        continue;
                    }
                    if (path.empty() && key == "fields") {
                        continue;  // capped per field by CheckFields
                    }
                    walk(e, sub, sub == "emergency.facts" ? limits.text_length : max);
                }
            }
        };
    walk(boost::json::value(req.root), "", limits.name_length);
    if (req.offences.size() > limits.offences) {
        Add(Severity::kError,
            "field_invalid",
            "offences",
            {{"field", Label("field.offences")}, {"reason", Label("reason.too_many")}},
            {});
        ok = false;
    }
    return ok;
}

// Members no check reads, values out of range, and names and free text outside "fields" that
// hide or reorder what they say (control characters, bidirectional overrides, invisible only).
void Checker::CheckMembers(const Request& req) {
    for (const detail::MemberProblem& p : req.problems) {
        if (p.reason == "reason.unknown_member") {
            Add(Severity::kError, "member_unknown", p.path, {{"value", p.path}}, {});
        } else {
            Add(Severity::kError,
                "field_invalid",
                p.path,
                {{"field", Label("field.max_penalty_years")}, {"reason", Label(p.reason)}},
                {});
        }
    }
    auto text = [&](const std::string& value,
                    const std::string& path,
                    const std::string& label,
                    bool multiline) {
        if (auto problem = CheckPlainText(value, multiline)) {
            Add(Severity::kError,
                "field_invalid",
                path,
                {{"field", label}, {"reason", Label(*problem)}},
                {});
        }
    };
    for (const detail::OffenceRef& ref : req.offences) {
        if (!ref.domestic_law.empty()) {
            text(ref.domestic_law, ref.path + ".domestic_law", Label("field.offences"), false);
        }
    }
    if (req.emergency != nullptr) {
        if (const boost::json::value* facts = req.emergency->if_contains("facts");
            facts != nullptr && facts->is_string()) {
            text(std::string(facts->get_string()), "emergency.facts", "emergency.facts", true);
        }
    }
    if (const boost::json::value* schema = req.root.if_contains("schema");
        schema != nullptr && !(schema->is_string() && schema->get_string() == kRequestSchema)) {
        Add(Severity::kError,
            "field_invalid",
            "schema",
            {{"field", "schema"}, {"reason", Label("reason.not_allowed_value")}},
            {});
    }
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

// Offences the instrument establishes itself, ancillary ones included (Budapest 11: attempt,
// aiding or abetting, "established in accordance with Articles 2 through 11").
bool Checker::IsOwnOffence(const Instrument& ins, const std::string& concept_id) const {
    return std::any_of(ins.articles.begin(), ins.articles.end(), [&](const Article& a) {
        return (a.kind == "offence" || a.kind == "ancillary") && a.concept_id == concept_id;
    });
}

// A basis limited to its instrument's own offences (Budapest 24(1), UNCAC 44(1)) covers the
// request only when every offence named is one of them.
bool Checker::Covers(const Basis& basis, const Request& req) const {
    if (basis.offence_scope != "own") {
        return true;
    }
    const Instrument& ins = catalog_.instruments.at(basis.instrument);
    return std::all_of(req.offences.begin(), req.offences.end(), [&](const auto& ref) {
        const std::string concept_id = OffenceConcept(ref);
        return !catalog_.concepts.contains(concept_id) || IsOwnOffence(ins, concept_id);
    });
}

// The basis named by the request if it binds both parties and covers the offences; otherwise the
// first basis of the request type that does, explained as an alternative; nullptr if none does.
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
    if (named != nullptr && binds_both(*named) && Covers(*named, req)) {
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
        if (!Covers(*named, req)) {
            const Instrument& ins = catalog_.instruments.at(named->instrument);
            for (const detail::OffenceRef& ref : req.offences) {
                const std::string concept_id = OffenceConcept(ref);
                auto it = catalog_.concepts.find(concept_id);
                if (it != catalog_.concepts.end() && !IsOwnOffence(ins, concept_id)) {
                    Add(Severity::kWarning,
                        "basis_offence_scope",
                        ref.path,
                        {{"concept", std::string(Pick(it->second.title, lang_))},
                         {"instrument", InstrumentName(named->instrument)},
                         {"cite", named->offence_scope_cite}},
                        {named->offence_scope_cite});
                }
            }
        }
    }
    for (const Basis& b : type_->bases) {
        if (binds_both(b) && Covers(b, req)) {
            Add(req.instrument.empty() ? Severity::kNote : Severity::kWarning,
                req.instrument.empty() ? "basis_selected" : "alternative_basis",
                "instrument",
                {{"instrument", InstrumentName(b.instrument)}, {"cite", b.cite}},
                {b.cite});
            return &b;
        }
    }
    // Requests to a State may still be made without a treaty (reciprocity, domestic law, letters
    // rogatory): a warning. Orders to providers and registrars exist only under an instrument.
    const bool to_state = std::all_of(type_->bases.begin(), type_->bases.end(), [](const Basis& b) {
        return b.addressee == "state";
    });
    Add(to_state ? Severity::kWarning : Severity::kError,
        "no_common_basis",
        "instrument",
        {{"from", PartyName(from_->code)}, {"to", PartyName(to_->code)}, {"date", date_}},
        allowed);
    if (to_state) {
        OtherChannels();
    }
    return nullptr;
}

// What remains when no instrument binds both parties: reciprocity, the requested party's
// domestic law on cooperation, letters rogatory through diplomatic channels. No article of the
// catalog governs these between non-parties, so the note cites none.
void Checker::OtherChannels() {
    Add(Severity::kNote, "other_channels", "instrument", {{"party", PartyName(to_->code)}}, {});
}

// Between members of a group bound by a group instrument (the EU's European Investigation Order
// and European Arrest Warrant), that instrument applies in place of the request type.
void Checker::CheckEuRoute() {
    auto in_group = [&](const Party& p, const Instrument& ins) {
        return std::find(p.groups.begin(), p.groups.end(), ins.group) != p.groups.end() &&
               std::find(ins.group_not_bound.begin(), ins.group_not_bound.end(), p.code) ==
                   ins.group_not_bound.end();
    };
    for (const auto& [id, ins] : catalog_.instruments) {
        if (ins.group.empty() ||
            std::find(ins.replaces.begin(), ins.replaces.end(), type_->id) == ins.replaces.end()) {
            continue;
        }
        const std::string& from = !ins.applies_from.empty() ? ins.applies_from : ins.in_force;
        if (from.empty() || date_ < from || !in_group(*from_, ins) || !in_group(*to_, ins)) {
            continue;
        }
        Add(Severity::kWarning,
            "group_instrument_applies",
            "type",
            {{"instrument", InstrumentName(id)},
             {"from", PartyName(from_->code)},
             {"to", PartyName(to_->code)},
             {"type", std::string(Pick(type_->name, lang_))}},
            {ins.replaces_cite});
    }
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
            // An error, not a warning: a field the form does not have is read by no check.
            Add(Severity::kError,
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
    const boost::json::object* e = req.emergency;
    if (!type_->emergency && !type_->emergency_allowed) {
        if (e != nullptr) {
            Add(Severity::kError,
                "emergency_not_applicable",
                "emergency",
                {{"type", std::string(Pick(type_->name, lang_))}},
                {});
        }
        return;
    }
    if (!type_->emergency && e == nullptr) {
        return;  // an ordinary request of a type that also has an emergency procedure
    }
    const std::string risk = e != nullptr ? detail::StringAt(*e, "risk") : std::string{};
    const boost::json::value* imminent = e != nullptr ? e->if_contains("imminent") : nullptr;
    const std::string facts = e != nullptr ? detail::StringAt(*e, "facts") : std::string{};
    const bool risk_ok =
        std::find(basis.emergency_risks.begin(), basis.emergency_risks.end(), risk) !=
        basis.emergency_risks.end();
    const bool imminent_ok = imminent != nullptr && imminent->is_bool() && imminent->get_bool();
    if (risk_ok && imminent_ok && !facts.empty()) {
        emergency_ = true;
        Add(Severity::kNote, "emergency_established", "emergency", {}, basis.emergency_cites);
        return;
    }
    std::vector<std::string> risks;
    for (const std::string& r : basis.emergency_risks) {
        risks.push_back(Label("value." + r));
    }
    std::string missing =
        !risk_ok ? detail::FormatMessage(
                       catalog_,
                       "reason.emergency_risk_listed",
                       lang_,
                       {{"risks", JoinList(lang_, detail::ListItems(risks, lang_), ListKind::kOr)}}
                   )
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
            if (t.other_offences_only && IsOwnOffence(ins, concept_id)) {
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

// A value the basis does not provide for (e.g. a suspect heard under UNCAC 46(18), which names
// witnesses and experts): a warning, since the requested party may still agree under its law.
void Checker::CheckValueRules(const Request& req, const Basis& basis) {
    for (const ValueRule& rule : basis.value_rules) {
        const boost::json::value* v =
            req.fields != nullptr ? req.fields->if_contains(rule.field) : nullptr;
        if (v == nullptr || !v->is_string()) {
            continue;  // absent or malformed: CheckFields reports it
        }
        const std::string value(v->as_string());
        if (std::find(rule.values.begin(), rule.values.end(), value) != rule.values.end()) {
            continue;
        }
        std::vector<std::string> allowed;
        for (const std::string& a : rule.values) {
            allowed.push_back(Label("value." + a));
        }
        Add(Severity::kWarning,
            "value_outside_basis",
            "fields." + rule.field,
            {{"value", Label("value." + value)},
             {"values", JoinList(lang_, detail::ListItems(allowed, lang_), ListKind::kOr)},
             {"instrument", InstrumentName(basis.instrument)}},
            {rule.cite});
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
        } else if (const Citation c = Cite(catalog_, ref.article);
                   c.verification != Verification::kVerified) {
            Add(Severity::kWarning,
                "citation_unverified",
                ref.path + ".article",
                {{"cite", ref.article},
                 {"status",
                  Label("verification." + std::string(VerificationName(c.verification)))}},
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

// Applies the requested party's reservations under the basis instrument. A reservation that
// restores dual criminality (Budapest 29(4)) is kept for CheckDualCriminality.
void Checker::ApplyReservations(const Basis& basis) {
    const PartyInstrument* pi = to_->Find(basis.instrument);
    const Instrument& ins = catalog_.instruments.at(basis.instrument);
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
            restoring_ = res;
            Add(Severity::kNote, "reservation_applies", "", args, {cite});
        } else if (verb == "channel" && arg == type_->id) {
            Add(Severity::kNote, "channel_reservation", "", args, {cite});
        }
        // partial_offence reservations bear on what the party has criminalised: see
        // CheckOneOffence.
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
}

// Dual criminality is a question of the requested party's law: is the conduct an offence there,
// whatever its name or category (Budapest 25(5))? What the catalog knows of that law: the
// mandatory offences of every instrument binding the party (less the offences it reserved the
// right not to establish in full), and its national offences (criminalisation/*.toml). Where it
// knows nothing, the requested party decides: never an error here.
void Checker::CheckOneOffence(const Basis& basis, const detail::OffenceRef& ref) {
    const std::string concept_id = OffenceConcept(ref);
    auto concept_it = catalog_.concepts.find(concept_id);
    if (concept_it == catalog_.concepts.end()) {
        return;  // already reported by CheckOffences
    }
    const std::string concept_name(Pick(concept_it->second.title, lang_));
    const std::string party = PartyName(to_->code);
    // A restoring reservation has the scope its text gives it (29(4): only offences other than
    // those of Articles 2 to 11): outside that scope it cannot be raised.
    if (restoring_ != nullptr && basis.dual_criminality == "not_required") {
        const Instrument& ins = catalog_.instruments.at(basis.instrument);
        const bool excepted = std::any_of(
            restoring_->scope_except.begin(),
            restoring_->scope_except.end(),
            [&](const std::string& article) {
                const Article* a = ins.FindArticle(article);
                return a != nullptr && a->concept_id == concept_id;
            }
        );
        if (excepted) {
            Add(Severity::kNote,
                "reservation_out_of_scope",
                ref.path,
                {{"concept", concept_name},
                 {"party", party},
                 {"reservation", basis.instrument + ":" + restoring_->id}},
                {restoring_->scope_cite, basis.dual_criminality_cite});
            return;
        }
    }
    std::vector<std::string> established;
    std::vector<std::string> partial;
    for (const auto& [instrument, article] : ArticlesForConcept(catalog_, concept_id)) {
        if (!to_->BoundBy(instrument->id, date_) || article->criminalisation != "mandatory") {
            continue;
        }
        const PartyInstrument* pi = to_->Find(instrument->id);
        const bool reserved = std::any_of(
            pi->reservations.begin(),
            pi->reservations.end(),
            // Captured by name: clang 14 cannot capture a structured binding.
            [ins = instrument, art = article](const std::string& id) {
                const Reservation* res = ins->FindReservation(id);
                auto [verb, arg] = SplitEffect(
                    res != nullptr ? std::string_view(res->effect) : std::string_view{}
                );
                return verb == "partial_offence" && arg == art->id;
            }
        );
        (reserved ? partial : established).push_back(instrument->id + ":" + article->id);
        if (reserved) {
            for (const std::string& id : pi->reservations) {
                const Reservation* res = instrument->FindReservation(id);
                if (res != nullptr && SplitEffect(res->effect).second == article->id) {
                    partial.push_back(instrument->id + ":" + res->id);
                }
            }
        }
    }
    std::vector<std::string> national;
    if (auto it = catalog_.national_offences.find(to_->code);
        it != catalog_.national_offences.end()) {
        for (const NationalOffence& o : it->second) {
            if (o.concept_id == concept_id) {
                national.push_back(fmt::format(
                    "{} ({}, {}, {})",
                    o.law,
                    o.source,
                    o.as_of,
                    Label("verification." + std::string(VerificationName(o.verification)))
                ));
            }
        }
    }
    if (!established.empty()) {
        established.push_back(basis.dual_criminality_cite);
        Add(Severity::kNote,
            "dual_criminality_satisfied",
            ref.path,
            {{"concept", concept_name}, {"party", party}},
            established);
        return;
    }
    if (!national.empty()) {
        Add(Severity::kNote,
            "dual_criminality_national",
            ref.path,
            {{"concept", concept_name},
             {"party", party},
             {"law", JoinList(lang_, national, ListKind::kClauses)}},
            {basis.dual_criminality_cite});
        return;
    }
    const bool may_refuse = basis.dual_criminality == "discretionary" || restoring_ != nullptr;
    std::vector<std::string> relied = {
        restoring_ != nullptr ? basis.instrument + ":" + restoring_->id
                              : basis.dual_criminality_cite};
    if (!partial.empty()) {
        relied.insert(relied.end(), partial.begin(), partial.end());
        Add(Severity::kWarning,
            "dual_criminality_partial",
            ref.path,
            {{"concept", concept_name}, {"party", party}},
            relied);
        return;
    }
    Add(may_refuse || basis.dual_criminality == "required" ? Severity::kWarning : Severity::kNote,
        may_refuse ? "dual_criminality_may_refuse" : "dual_criminality_unknown",
        ref.path,
        {{"concept", concept_name}, {"party", party}},
        relied);
}

void Checker::CheckDualCriminality(const Request& req, const Basis& basis) {
    if (basis.dual_criminality == "not_required" && restoring_ == nullptr) {
        Add(Severity::kNote, "dual_criminality_not_required", "", {}, {basis.dual_criminality_cite}
        );
        return;
    }
    for (const detail::OffenceRef& ref : req.offences) {
        CheckOneOffence(basis, ref);
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
        if ((d.when == "emergency" && !emergency_) || (d.when == "not_emergency" && emergency_)) {
            continue;
        }
        Add(Severity::kNote,
            "deadline",
            "",
            {{"text",
              detail::FormatMessage(
                  catalog_, "deadline." + d.kind, lang_, {{"amount", d.amount}, {"unit", d.unit}}
              )}},
            {d.cite});
    }
    // Grounds as the instrument states them; a ground tied to data categories (EPOC grounds
    // follow an Art 8 notification: traffic and content data) only when such data is asked.
    std::vector<std::string> grounds;
    std::vector<std::string> cites;
    const std::vector<std::string> categories = RequestedCategories(req);
    for (const std::string& g : basis.refusal_grounds) {
        const RefusalGround& ground = catalog_.refusal_grounds.at(g);
        if (!ground.categories.empty() &&
            std::none_of(categories.begin(), categories.end(), [&](const std::string& c) {
                return std::find(ground.categories.begin(), ground.categories.end(), c) !=
                       ground.categories.end();
            })) {
            continue;
        }
        grounds.emplace_back(Pick(ground.text, lang_));
        // Only articles that govern this basis: those of its instrument, or of the instrument
        // whose rules it applies (the Protocol applies Budapest 25).
        for (const std::string& c : ground.cites) {
            const std::string_view instrument = std::string_view(c).substr(0, c.find(':'));
            for (const std::string* own :
                 {&basis.cite, &basis.dual_criminality_cite, &basis.refusal_law_cite}) {
                if (own->starts_with(std::string(instrument) + ":")) {
                    cites.push_back(c);
                    break;
                }
            }
        }
    }
    if (!grounds.empty()) {
        std::sort(cites.begin(), cites.end());
        cites.erase(std::unique(cites.begin(), cites.end()), cites.end());
        Add(Severity::kNote,
            "refusal_grounds_stated",
            "",
            {{"grounds", JoinList(lang_, detail::ListItems(grounds, lang_), ListKind::kClauses)}},
            cites);
    }
    if (!basis.refusal_law_cite.empty()) {
        Add(Severity::kNote,
            "refusal_under_law",
            "",
            {{"party", PartyName(to_->code)}},
            {basis.refusal_law_cite});
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
    if (!CheckSizes(req)) {
        return;
    }
    CheckMembers(req);
    if (!CheckHeader(req)) {
        return;
    }
    CheckFields(req);
    CheckOffences(req);
    CheckEuRoute();
    const Basis* basis = SelectBasis(req);
    if (basis == nullptr) {
        return;
    }
    CheckIssuer(req, *basis);
    CheckPenalties(req, *basis);
    CheckValueRules(req, *basis);
    CheckEmergency(req, *basis);
    ApplyReservations(*basis);
    CheckDualCriminality(req, *basis);
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
    if (a == nullptr) {
        return Citation{std::string(ref), Verification::kUnverified};
    }
    // "budapest:29(4)(a)": the paragraph part is "(4)(a)"; the article's own status applies to a
    // citation of the whole article only.
    const std::size_t open = ref.find('(', ref.find(':'));
    if (open == std::string_view::npos) {
        return Citation{std::string(ref), a->verification};
    }
    const std::string_view paragraph = ref.substr(open);
    Verification v = a->paragraph_verification;
    std::size_t best = 0;
    for (const auto& [id, status] : a->paragraphs) {
        if (paragraph.starts_with(id) && id.size() > best &&
            (paragraph.size() == id.size() || paragraph[id.size()] == '(')) {
            best = id.size();
            v = status;
        }
    }
    return Citation{std::string(ref), v};
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
