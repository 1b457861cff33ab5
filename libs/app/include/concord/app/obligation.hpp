#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "concord/core/result.hpp"

namespace concord::app {

/// Where an obligation to extradite or prosecute stands (docs/cases.md "Extradite or
/// prosecute"): opened by the refusal, submitted to the prosecuting authorities, decided by them,
/// reported to the requesting party (final).
enum class ObligationState : std::uint8_t { kOpened, kSubmitted, kDecided, kReported };

std::string_view ObligationStateName(ObligationState state);
/// kInvalidArgument for an unknown name.
Result<ObligationState> ParseObligationState(std::string_view name);

/// The obligation a refusal opened on one case, as this node keeps it: the requested party
/// (`owed_here`) must act; the requesting party follows the steps it reports.
struct CaseObligation {
    std::string id;  ///< UUIDv7
    std::string case_id;
    std::string rule;    ///< the rule of instruments/obligations.toml
    std::string cite;    ///< its article
    std::string ground;  ///< the refusal ground that opened it
    bool owed_here{false};
    ObligationState state{ObligationState::kOpened};
    std::string decision;  ///< "" until decided; then "prosecute" or "not_prosecute"
    std::int64_t opened_ms{0};
    std::int64_t submitted_ms{0};
    std::int64_t decided_ms{0};
    std::int64_t reported_ms{0};
    /// When the current step is due under the node's working rules (deadlines.toml
    /// obligation.*); 0 once reported, or when no rule is configured.
    std::int64_t due_ms{0};
    std::string submission;  ///< the reasons of the submission step (authority, reference)
    std::string decision_reasons;
    std::string outcome;  ///< the reported outcome
};

}  // namespace concord::app
