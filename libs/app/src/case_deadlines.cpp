#include "concord/app/case_deadlines.hpp"

#include <string>

#include "concord/app/assets.hpp"

namespace concord::app {
namespace {

// Lifecycle ids of instruments/lifecycle.toml that move deadlines.
constexpr std::string_view kReceived = "received";
constexpr std::string_view kClarificationRequested = "clarification_requested";
constexpr std::string_view kAnswerClarification = "answer_clarification";

bool Running(DeadlineState s) {
    return s == DeadlineState::kOpen || s == DeadlineState::kWarned;
}

// Whether `transition` satisfies the obligation of a deadline of rule `rule`.
bool Meets(std::string_view transition, const legal::DeadlineRule& rule) {
    using legal::Obligation;
    switch (rule.obligation) {
        case Obligation::kAcknowledgement:
            return transition == "acknowledge";
        case Obligation::kResponse:
            return transition == "respond" || transition == "refuse";
        case Obligation::kObjection:
            return transition == "refuse";
        case Obligation::kPreservation:
        case Obligation::kSubmission:
        case Obligation::kDecision:
        case Obligation::kReport:
            return false;
    }
    return false;
}

bool Ends(std::string_view to_state) {
    return to_state == "withdrawn" || to_state == "closed";
}

}  // namespace

CaseDeadlines::CaseDeadlines(const legal::DeadlineRules& rules, DeadlineEngine& engine)
    : rules_(rules), engine_(engine) {}

std::function<Result<void>(store::Transaction&, const Case&, const StateChange&)>
CaseDeadlines::Hook(CaseDeadlines& self) {
    CaseDeadlines* raw = &self;
    return [raw](store::Transaction& tx, const Case& c, const StateChange& change) {
        return raw->OnStateChange(tx, c, change);
    };
}

Result<void> CaseDeadlines::Start(
    store::Transaction& tx, const Case& c, const StateChange& change
) {
    for (const legal::DeadlineRule* rule :
         rules_.For(c.instrument, c.request_type, c.priority == "emergency")) {
        if (rule->instrument.empty()) {
            continue;  // a node working rule: the duty desk starts it
        }
        DeadlineSpec spec;
        spec.case_id = c.id;
        spec.kind = rule->id;
        spec.starts_ms = change.at_ms;  // "receipt": the time the signed receipt states
        spec.duration_ms = rule->duration_ms;
        spec.warn_before_ms = rule->warn_before_ms;
        CONCORD_ASSIGN_OR_RETURN(auto started, engine_.StartIn(tx, Actor::Node(), spec));
        (void)started;
    }
    return {};
}

Result<void> CaseDeadlines::OnStateChange(
    store::Transaction& tx, const Case& c, const StateChange& change
) {
    if (c.direction != CaseDirection::kIn) {
        return {};
    }
    if (change.transition == kReceived) {
        return Start(tx, c, change);
    }
    const bool suspend =
        change.to_state == kClarificationRequested && change.from_state != kClarificationRequested;
    const bool resume = change.transition == kAnswerClarification;
    const bool end = Ends(change.to_state) && change.from_state != change.to_state;
    const Actor node = Actor::Node();
    CONCORD_ASSIGN_OR_RETURN(auto deadlines, engine_.ForCaseIn(tx, c.id));
    for (const Deadline& d : deadlines) {
        const legal::DeadlineRule* rule = rules_.Find(d.kind);
        if ((rule != nullptr && rule->from != "receipt") || d.kind == kFreezeExpiryKind) {
            // An obligation's step (CaseObligations) or a freeze's expiry (AssetRegister): they
            // outlive the case. Any other kind, even one no rule names any more, is the case's.
            continue;
        }
        if (end && (Running(d.state) || d.state == DeadlineState::kSuspended)) {
            CONCORD_ASSIGN_OR_RETURN(
                auto done, engine_.CancelIn(tx, node, d.id, "case " + change.to_state)
            );
            (void)done;
        } else if (suspend && Running(d.state)) {
            CONCORD_ASSIGN_OR_RETURN(
                auto done, engine_.SuspendIn(tx, node, d.id, "clarification requested")
            );
            (void)done;
        } else if (resume && d.state == DeadlineState::kSuspended) {
            CONCORD_ASSIGN_OR_RETURN(auto done, engine_.ResumeIn(tx, node, d.id));
            (void)done;
        } else if (rule != nullptr && Meets(change.transition, *rule) && (Running(d.state) || d.state == DeadlineState::kSuspended)) {
            CONCORD_ASSIGN_OR_RETURN(auto done, engine_.MetIn(tx, node, d.id));
            (void)done;
        }
    }
    return {};
}

}  // namespace concord::app
