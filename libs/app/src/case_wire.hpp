#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/core/result.hpp"

namespace concord::app::detail {

/// The member of a message body that carries a case step (docs/protocol.md "Case messages").
inline constexpr std::string_view kCaseMember = "concord_case";

/// Limits of what a step carries (bytes of UTF-8 and entries).
inline constexpr std::size_t kMaxReasonsBytes = 20000;
inline constexpr std::size_t kMaxGrounds = 32;
inline constexpr std::size_t kMaxIdBytes = 128;

/// One step of a case as it travels between the parties.
struct CaseStep {
    std::string origin_node;  ///< the requesting node
    std::string origin_id;    ///< its case id
    std::int64_t version{0};  ///< the case's version after this step (1: the request)
    std::string transition;
    std::string number;  ///< the sender's number of the case
    std::vector<std::string> grounds;
    std::string reasons;
    /// "approval": the approver's signed approval (docs/formats/approval.md), only on the request
    /// (version 1, "send"); its JSON text, empty when absent or unusable.
    std::string approval;
    /// Why a present "approval" member is unusable (not an object, larger than
    /// kMaxApprovalBytes); empty otherwise. An unusable approval does not make the step
    /// malformed: the receiver records it as a failed approval.
    std::string approval_malformed;
};

/// The {"concord_case": {...}} member for `step`.
boost::json::object EncodeStep(const CaseStep& step);

/// The step of `body`: nullopt when it has no "concord_case" member; kInvalidArgument when the
/// member is malformed or over the limits (a bad "approval" member is reported in the step's
/// approval_malformed instead).
Result<std::optional<CaseStep>> DecodeStep(const boost::json::object& body);

}  // namespace concord::app::detail
