#include "concord/legal/deadline_rules.hpp"

#include <optional>
#include <set>

#include <fmt/format.h>

#include "concord/core/time.hpp"

#include "toml_reader.hpp"

namespace concord::legal {
namespace {

using detail::TomlReader;

constexpr std::string_view kFormat = "concord-deadlines/1";
constexpr std::size_t kMaxIdBytes = 64;

// The keys a rule may have: anything else is a typo that would silently drop a setting.
const std::set<std::string, std::less<>>& RuleKeys() {
    static const std::set<std::string, std::less<>> kKeys = {
        "id",
        "instrument",
        "request_type",
        "priority",
        "obligation",
        "from",
        "duration",
        "warn_before",
        "kind",
        "cite",
        "verification",
        "source",
        "note"};
    return kKeys;
}

// The step of an obligation to extradite or prosecute that runs from `from`, if any.
std::optional<Obligation> ObligationStepFrom(std::string_view from) {
    if (from == "refusal") {
        return Obligation::kSubmission;
    }
    if (from == "submission") {
        return Obligation::kDecision;
    }
    if (from == "decision") {
        return Obligation::kReport;
    }
    return std::nullopt;
}

bool IsObligationStep(Obligation o) {
    return o == Obligation::kSubmission || o == Obligation::kDecision || o == Obligation::kReport;
}

bool IsIdChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

Result<std::int64_t> Duration(
    const TomlReader& r, const toml::table& t, std::string_view key, bool required
) {
    CONCORD_ASSIGN_OR_RETURN(std::string text, r.String(t, key, required));
    if (text.empty()) {
        return std::int64_t{0};
    }
    auto parsed = ParseDuration(text);
    if (!parsed) {
        return r.Fail(*t.get(key), parsed.error().message);
    }
    std::int64_t ms = parsed->count();
    if (ms > kMaxDeadlineDurationMs) {
        return r.Fail(*t.get(key), fmt::format("'{}' exceeds ten years", key));
    }
    return ms;
}

template <class Enum, std::size_t N>
Result<Enum> Named(
    const TomlReader& r,
    const toml::table& t,
    std::string_view key,
    const std::array<Enum, N>& values,
    std::string_view (*name)(Enum)
) {
    CONCORD_ASSIGN_OR_RETURN(std::string text, r.String(t, key, true));
    std::string allowed;
    for (Enum v : values) {
        if (name(v) == text) {
            return v;
        }
        allowed += (allowed.empty() ? "" : ", ") + std::string(name(v));
    }
    return r.Fail(*t.get(key), fmt::format("'{}' must be one of {}", key, allowed));
}

Result<DeadlineRule> ReadRule(const TomlReader& r, const toml::table& t) {
    for (const auto& [key, node] : t) {
        if (!RuleKeys().contains(key.str())) {
            return r.Fail(node, fmt::format("unknown key '{}'", key.str()));
        }
    }
    DeadlineRule rule;
    CONCORD_ASSIGN_OR_RETURN(rule.id, r.String(t, "id", true));
    if (rule.id.size() > kMaxIdBytes || !std::all_of(rule.id.begin(), rule.id.end(), IsIdChar)) {
        return r.Fail(*t.get("id"), "'id' must be 1-64 of a-z 0-9 . _ -");
    }
    CONCORD_ASSIGN_OR_RETURN(rule.instrument, r.String(t, "instrument", false));
    CONCORD_ASSIGN_OR_RETURN(rule.request_type, r.String(t, "request_type", true));
    CONCORD_ASSIGN_OR_RETURN(
        rule.priority,
        Named(
            r,
            t,
            "priority",
            std::array{RulePriority::kNormal, RulePriority::kEmergency, RulePriority::kAny},
            &RulePriorityName
        )
    );
    CONCORD_ASSIGN_OR_RETURN(
        rule.obligation,
        Named(
            r,
            t,
            "obligation",
            std::array{
                Obligation::kAcknowledgement,
                Obligation::kResponse,
                Obligation::kPreservation,
                Obligation::kObjection,
                Obligation::kSubmission,
                Obligation::kDecision,
                Obligation::kReport},
            &ObligationName
        )
    );
    CONCORD_ASSIGN_OR_RETURN(rule.from, r.String(t, "from", true));
    // What each `from` may ask for: a request's deadlines run from its receipt, the three
    // steps of an obligation to extradite or prosecute each from the step before.
    const std::optional<Obligation> step = ObligationStepFrom(rule.from);
    if (rule.from != "receipt" && !step) {
        return r.Fail(
            *t.get("from"), "'from' must be one of receipt, refusal, submission, decision"
        );
    }
    if (step ? rule.obligation != *step : IsObligationStep(rule.obligation)) {
        return r.Fail(
            *t.get("obligation"),
            step ? fmt::format("from '{}' the obligation is '{}'", rule.from, ObligationName(*step))
                 : std::string("a rule from 'receipt' cannot be a step of an obligation")
        );
    }
    if (step && (!rule.instrument.empty() || rule.request_type != "*" ||
                 rule.priority != RulePriority::kAny)) {
        return r.Fail(
            *t.get("from"),
            "a step of an obligation is a node rule for every request: instrument \"\", "
            "request_type \"*\", priority \"any\""
        );
    }
    CONCORD_ASSIGN_OR_RETURN(rule.duration_ms, Duration(r, t, "duration", true));
    if (rule.duration_ms <= 0) {
        return r.Fail(*t.get("duration"), "'duration' must be positive");
    }
    CONCORD_ASSIGN_OR_RETURN(rule.warn_before_ms, Duration(r, t, "warn_before", false));
    if (rule.warn_before_ms >= rule.duration_ms) {
        return r.Fail(*t.get("warn_before"), "'warn_before' must be shorter than 'duration'");
    }
    CONCORD_ASSIGN_OR_RETURN(
        rule.kind,
        Named(
            r,
            t,
            "kind",
            std::array{DeadlineKind::kLimit, DeadlineKind::kMinimum},
            &DeadlineKindName
        )
    );
    CONCORD_ASSIGN_OR_RETURN(rule.cite, r.String(t, "cite", false));
    CONCORD_ASSIGN_OR_RETURN(rule.verification, r.Status(t));
    CONCORD_ASSIGN_OR_RETURN(rule.source, r.String(t, "source", true));
    CONCORD_ASSIGN_OR_RETURN(rule.note, r.String(t, "note", false));
    if (rule.instrument.empty()) {
        if (!rule.cite.empty()) {
            return r.Fail(t, "a node rule (no 'instrument') cites no article");
        }
        if (rule.verification != Verification::kUnverified) {
            return r.Fail(
                *t.get("verification"), "a node rule (no 'instrument') cannot be verified"
            );
        }
    } else {
        if (rule.cite.empty()) {
            return r.Fail(t, "a rule of an instrument needs 'cite'");
        }
        if (!rule.cite.starts_with(rule.instrument + ":")) {
            return r.Fail(
                *t.get("cite"),
                fmt::format("'cite' must cite the rule's instrument '{}'", rule.instrument)
            );
        }
    }
    return rule;
}

}  // namespace

std::string_view ObligationName(Obligation obligation) {
    switch (obligation) {
        case Obligation::kAcknowledgement:
            return "acknowledgement";
        case Obligation::kResponse:
            return "response";
        case Obligation::kPreservation:
            return "preservation";
        case Obligation::kObjection:
            return "objection";
        case Obligation::kSubmission:
            return "submission";
        case Obligation::kDecision:
            return "decision";
        case Obligation::kReport:
            return "report";
    }
    return "response";
}

std::string_view DeadlineKindName(DeadlineKind kind) {
    return kind == DeadlineKind::kMinimum ? "minimum" : "limit";
}

std::string_view RulePriorityName(RulePriority priority) {
    switch (priority) {
        case RulePriority::kNormal:
            return "normal";
        case RulePriority::kEmergency:
            return "emergency";
        case RulePriority::kAny:
            return "any";
    }
    return "any";
}

const DeadlineRule* DeadlineRules::Find(std::string_view id) const {
    for (const auto& rule : rules) {
        if (rule.id == id) {
            return &rule;
        }
    }
    return nullptr;
}

const DeadlineRule* DeadlineRules::From(std::string_view from) const {
    for (const auto& rule : rules) {
        if (rule.from == from) {
            return &rule;
        }
    }
    return nullptr;
}

std::vector<const DeadlineRule*> DeadlineRules::For(
    std::string_view instrument, std::string_view request_type, bool emergency
) const {
    std::vector<const DeadlineRule*> out;
    for (const auto& rule : rules) {
        bool instrument_ok = rule.instrument.empty() || rule.instrument == instrument;
        bool type_ok = rule.request_type == "*" || rule.request_type == request_type;
        bool priority_ok = rule.priority == RulePriority::kAny ||
                           (rule.priority == RulePriority::kEmergency) == emergency;
        if (rule.from == "receipt" && instrument_ok && type_ok && priority_ok) {
            out.push_back(&rule);
        }
    }
    return out;
}

Result<DeadlineRules> LoadDeadlineRules(const std::filesystem::path& file) {
    TomlReader r(file);
    CONCORD_ASSIGN_OR_RETURN(toml::table root, r.Parse());
    for (const auto& [key, node] : root) {
        if (key.str() != "format" && key.str() != "deadline") {
            return r.Fail(node, fmt::format("unknown key '{}'", key.str()));
        }
    }
    CONCORD_ASSIGN_OR_RETURN(std::string format, r.String(root, "format", true));
    if (format != kFormat) {
        return r.Fail(*root.get("format"), fmt::format("'format' must be '{}'", kFormat));
    }
    CONCORD_ASSIGN_OR_RETURN(auto tables, r.Tables(root, "deadline"));
    if (tables.size() > kMaxDeadlineRules) {
        return r.Fail(root, fmt::format("more than {} rules", kMaxDeadlineRules));
    }
    DeadlineRules out;
    std::set<std::string, std::less<>> ids;
    for (const toml::table* t : tables) {
        CONCORD_ASSIGN_OR_RETURN(auto rule, ReadRule(r, *t));
        if (!ids.insert(rule.id).second) {
            return r.Fail(*t->get("id"), fmt::format("duplicate id '{}'", rule.id));
        }
        if (rule.from != "receipt" && out.From(rule.from) != nullptr) {
            return r.Fail(
                *t->get("from"),
                fmt::format("a second rule from '{}' would never be used", rule.from)
            );
        }
        out.rules.push_back(std::move(rule));
    }
    return out;
}

Result<void> CheckDeadlineRules(const DeadlineRules& rules, const Catalog& catalog) {
    for (const auto& rule : rules.rules) {
        if (!rule.instrument.empty() && !catalog.instruments.contains(rule.instrument)) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                fmt::format("deadline '{}': unknown instrument '{}'", rule.id, rule.instrument)
            );
        }
        if (rule.request_type != "*" && !catalog.request_types.contains(rule.request_type)) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                fmt::format("deadline '{}': unknown request type '{}'", rule.id, rule.request_type)
            );
        }
        if (!rule.cite.empty() && catalog.FindCitation(rule.cite) == nullptr) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                fmt::format("deadline '{}': '{}' names no article", rule.id, rule.cite)
            );
        }
    }
    return {};
}

}  // namespace concord::legal
