#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/legal/catalog.hpp"

namespace concord::legal {

/// Who may take a transition of a case.
enum class Side : std::uint8_t {
    kRequesting,  ///< the party that made the request
    kRequested,   ///< the party the request is addressed to
    kSystem,      ///< the node itself (e.g. the delivery receipt), never a person
    /// A transition either party may take (a hearing's proposals, docs/cases.md "Hearings"); never
    /// the side of a StepRequest.
    kBoth,
};

/// "requesting", "requested", "system" or "both".
std::string_view SideName(Side side);
/// The side named `name`; nullopt for any other text.
std::optional<Side> SideNamed(std::string_view name);

/// One state of a case.
struct LifecycleState {
    std::string id;
    bool final{false};  ///< no transition leaves it
};

/// One step of the lifecycle (instruments/lifecycle.toml, docs/legal-data.md "Lifecycle").
struct Transition {
    std::string id;
    std::vector<std::string> from;  ///< states it may be taken from
    std::string to;                 ///< the state it leads to; empty: the case stays
    Side side{Side::kRequesting};
    bool crosses{false};  ///< travels to the other party as a federation message
    bool grounds{false};  ///< refusal grounds are mandatory
    bool reasons{false};  ///< a free-text reason is mandatory
};

/// For one instrument (and optionally one request type): a transition allowed only from some of
/// its states (consultation before refusal or postponement, UNCAC 46(26)).
struct LifecycleRestriction {
    std::string transition;
    std::vector<std::string> from;
};

struct LifecycleOverride {
    std::string instrument;
    std::string request_type;  ///< empty: every request type under the instrument
    std::string cite;          ///< the article that requires it
    std::vector<LifecycleRestriction> restrictions;
};

/// Why a step was refused; the first word of the Error message is its name.
enum class StepRule : std::uint8_t {
    kUnknownTransition,  ///< "unknown_transition"
    kWrongSide,          ///< "wrong_side": the other party (or the node) takes it
    kWrongState,         ///< "wrong_state": not allowed from the case's state
    kConsultFirst,       ///< "consult_first": the instrument requires consultation first
    kGroundsMissing,     ///< "grounds_missing"
    kGroundNotAllowed,   ///< "ground_not_allowed": not a ground of the case's legal basis
    kReasonsMissing,     ///< "reasons_missing"
    kSelfApproval,       ///< "self_approval": approver and drafter are the same person
};

std::string_view StepRuleName(StepRule rule);
/// The rule an Error of Lifecycle::Check (or of a use case built on it) names; nullopt for
/// another error.
std::optional<StepRule> StepRuleOf(const Error& error);
/// kInvalidArgument "<rule name>: <detail>".
Error StepError(StepRule rule, std::string_view detail);

/// A step somebody asks for.
struct StepRequest {
    std::string_view state;  ///< the case's current state
    std::string_view transition;
    Side side{Side::kRequesting};
    std::string_view instrument;    ///< the case's legal basis
    std::string_view request_type;  ///< the case's request type
    std::span<const std::string> grounds;
    std::string_view reasons;
};

/// The lifecycle of cases, loaded from instruments/lifecycle.toml. Immutable once loaded.
class Lifecycle {
public:
    /// Reads and validates `file`. With `catalog`, the instruments and request types of overrides
    /// and their citations must exist in it. kNotFound if the file is missing; kInvalidArgument
    /// "<file>:<line>:<column>: <reason>" for every broken rule (docs/legal-data.md).
    static Result<Lifecycle> Load(const std::filesystem::path& file, const Catalog* catalog);

    /// Whether `request` may be taken; the transition if so. Grounds are checked against the
    /// refusal grounds of the case's basis in `catalog` (any ground of the catalog when the
    /// basis is not in it). kInvalidArgument naming the StepRule otherwise.
    Result<const Transition*> Check(const StepRequest& request, const Catalog& catalog) const;

    [[nodiscard]] const Transition* Find(std::string_view transition) const;
    [[nodiscard]] const LifecycleState* FindState(std::string_view state) const;
    /// The states `transition` may be taken from for a case under `instrument`/`request_type`.
    [[nodiscard]] std::vector<std::string> FromStates(
        const Transition& transition, std::string_view instrument, std::string_view request_type
    ) const;

    [[nodiscard]] const std::string& Initial() const { return initial_; }
    [[nodiscard]] const std::vector<LifecycleState>& States() const { return states_; }
    [[nodiscard]] const std::vector<Transition>& Transitions() const { return transitions_; }
    [[nodiscard]] const std::vector<LifecycleOverride>& Overrides() const { return overrides_; }

private:
    std::string initial_;
    std::vector<LifecycleState> states_;
    std::vector<Transition> transitions_;
    std::vector<LifecycleOverride> overrides_;
};

}  // namespace concord::legal
