#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/legal/catalog.hpp"

namespace concord::legal {

/// What a deadline asks for (instruments/deadlines.toml `obligation`).
enum class Obligation : std::uint8_t {
    kAcknowledgement,
    kResponse,
    kPreservation,
    kObjection,
    kSubmission,  ///< an obligation to extradite or prosecute: submit the case for prosecution
    kDecision,    ///< ... the prosecuting authorities' decision
    kReport,      ///< ... the report of the outcome to the requesting party
};

/// Whether the duration is a time limit to act by or a period something must last at least.
enum class DeadlineKind : std::uint8_t { kLimit, kMinimum };

/// Which priority of request a rule applies to.
enum class RulePriority : std::uint8_t { kNormal, kEmergency, kAny };

/// One deadline rule of instruments/deadlines.toml (docs/legal-data.md "Deadline rules").
struct DeadlineRule {
    std::string id;            ///< unique, e.g. "epoc.response"; the engine's deadline kind
    std::string instrument;    ///< an instrument id; empty for a node's own working rule
    std::string request_type;  ///< a request type id, or "*" for any
    RulePriority priority{RulePriority::kAny};
    Obligation obligation{Obligation::kResponse};
    /// The event it runs from: "receipt" (the signed receipt's time) for the deadlines of a
    /// request; "refusal", "submission" or "decision" for the steps of an obligation to
    /// extradite or prosecute (instruments/obligations.toml).
    std::string from;
    std::int64_t duration_ms{0};
    std::int64_t warn_before_ms{0};
    DeadlineKind kind{DeadlineKind::kLimit};
    std::string cite;  ///< "INSTRUMENT:ARTICLE(...)"; empty only for a node rule
    Verification verification{Verification::kUnverified};
    std::string source;
    std::string note;
};

/// The rules of one file, in file order.
struct DeadlineRules {
    std::vector<DeadlineRule> rules;

    /// The rule `id`, or nullptr.
    [[nodiscard]] const DeadlineRule* Find(std::string_view id) const;
    /// The first rule running from `from` (e.g. "refusal"), or nullptr.
    [[nodiscard]] const DeadlineRule* From(std::string_view from) const;
    /// The rules that start when a request of `request_type` under `instrument` is received at
    /// `emergency` priority (rules for "*" and for any priority included; only rules running
    /// from "receipt"), in file order.
    [[nodiscard]] std::vector<const DeadlineRule*> For(
        std::string_view instrument, std::string_view request_type, bool emergency
    ) const;
};

std::string_view ObligationName(Obligation obligation);
std::string_view DeadlineKindName(DeadlineKind kind);
std::string_view RulePriorityName(RulePriority priority);

/// The largest number of rules a file may hold, and the longest duration (bounded input).
inline constexpr std::size_t kMaxDeadlineRules = 1000;
inline constexpr std::int64_t kMaxDeadlineDurationMs = 3650LL * 86'400'000LL;

/// Reads and validates a deadline rules file. kNotFound when it cannot be read; otherwise
/// kInvalidArgument "<file>:<line>:<column>: <reason>" on the first problem: bad TOML, wrong
/// `format`, a missing or mistyped key, a duplicate id, an unknown obligation, priority, kind or
/// `from` (or an obligation step's `from` with an obligation of a request), a malformed or
/// non-positive duration, a warning not shorter than the duration, a rule with an instrument but no
/// citation, a citation of another instrument than the rule's, or a node rule (no instrument)
/// marked other than "unverified".
Result<DeadlineRules> LoadDeadlineRules(const std::filesystem::path& file);

/// Checks the rules against the catalogue: every instrument, request type and cited article
/// exists. kInvalidArgument naming the rule and what does not resolve.
Result<void> CheckDeadlineRules(const DeadlineRules& rules, const Catalog& catalog);

}  // namespace concord::legal
