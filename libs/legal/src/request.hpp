#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "concord/core/result.hpp"

namespace concord::legal::detail {

/// One offence named by a request: an instrument article, a shared concept, or both.
struct OffenceRef {
    std::string article;           ///< "budapest:2", may be empty
    std::string concept_id;        ///< concept id, may be empty
    std::string domestic_law;      ///< the requesting party's provision, free text
    double max_penalty_years{-1};  ///< -1: not given (or refused, see Request::problems)
    std::string path;              ///< "offences[0]"
};

/// A member of a request that no check reads, or a value out of range: where, and the
/// "reason.*" message key.
struct MemberProblem {
    std::string path;
    std::string reason;
};

/// The parts of a request (docs/legal-data.md) that the checker and renderer read. Borrowed
/// pointers point into `root`.
struct Request {
    boost::json::object root;
    std::string type;
    std::string instrument;
    std::string requesting_party;
    std::string requested_party;
    std::string date;
    std::string language;
    const boost::json::object* issuer{nullptr};
    const boost::json::object* validator{nullptr};
    const boost::json::object* emergency{nullptr};
    const boost::json::object* fields{nullptr};
    std::vector<OffenceRef> offences;
    /// Members that no check reads (reason.unknown_member) and values out of range (a negative
    /// or absurd penalty: reason.penalty_range), in document order.
    std::vector<MemberProblem> problems;

    Request() = default;
    Request(const Request&) = delete;
    Request& operator=(const Request&) = delete;
    Request(Request&&) = default;
    Request& operator=(Request&&) = default;
};

/// Parses the request JSON; kInvalidArgument naming the first structural problem (not JSON, not
/// an object, a top-level member of the wrong JSON type). Unknown members of the request, of an
/// offence and of "emergency" are listed in `problems`, not dropped.
Result<Request> ParseRequest(std::string_view json);

/// The string at `key` of `obj`, or empty.
std::string StringAt(const boost::json::object& obj, std::string_view key);

/// Today's date in UTC as YYYY-MM-DD.
std::string TodayUtc();

}  // namespace concord::legal::detail
