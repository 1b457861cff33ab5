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
/// The serialized size of a step's `details` (a hearing's facts, docs/protocol.md).
inline constexpr std::size_t kMaxDetailsBytes = 16384;

/// One step of a case as it travels between the parties.
struct CaseStep {
    std::string origin_node;  ///< the requesting node
    std::string origin_id;    ///< its case id
    std::int64_t version{0};  ///< the case's version after this step (1: the request)
    std::string transition;
    std::string number;  ///< the sender's number of the case
    std::vector<std::string> grounds;
    std::string reasons;
    /// The facts a step carries besides its reasons (a hearing's proposal, agreed time or record);
    /// empty for most steps, then not sent.
    boost::json::object details{};
};

/// kInvalidArgument unless `details` serializes to at most kMaxDetailsBytes.
Result<void> CheckDetailsSize(const boost::json::object& details);

/// The approver's signed approval (docs/formats/approval.md) that a request's case member carries
/// as "approval".
struct CarriedApproval {
    std::string text;       ///< its JSON text; empty when absent or unusable
    std::string malformed;  ///< why a present member is unusable (not an object, too large)
};

/// The {"concord_case": {...}} member for `step`.
boost::json::object EncodeStep(const CaseStep& step);
/// As above, with `approval_text` (an approval's JSON text; empty: none) as "approval".
boost::json::object EncodeStep(const CaseStep& step, std::string_view approval_text);

/// The step of `body`: nullopt when it has no "concord_case" member; kInvalidArgument when the
/// member is malformed or over the limits (its "approval" member is not checked here).
Result<std::optional<CaseStep>> DecodeStep(const boost::json::object& body);

/// The "approval" member of `body`'s case member, bounded (CarriedApprovalText): both empty when
/// there is none; `malformed` set when it is not a JSON object of at most kMaxApprovalBytes. A
/// bad approval never makes the step malformed: the receiver records it as a failed approval.
CarriedApproval DecodeApproval(const boost::json::object& body);

}  // namespace concord::app::detail
