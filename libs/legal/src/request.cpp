#include "request.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "concord/core/canonical_json.hpp"

namespace concord::legal::detail {
namespace {

Result<void> TakeString(const boost::json::object& obj, std::string_view key, std::string& out) {
    const boost::json::value* v = obj.if_contains(key);
    if (v == nullptr || v->is_null()) {
        return {};
    }
    if (!v->is_string()) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("'{}' must be a string", key));
    }
    out = std::string(v->get_string());
    return {};
}

Result<const boost::json::object*> TakeObject(
    const boost::json::object& obj, std::string_view key
) {
    const boost::json::value* v = obj.if_contains(key);
    if (v == nullptr || v->is_null()) {
        return nullptr;
    }
    if (!v->is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("'{}' must be an object", key));
    }
    return &v->get_object();
}

// The longest maximum penalty a request may state, in years: anything above is a typing error
// (life imprisonment is stated as this figure or omitted).
constexpr double kMaxPenaltyYears = 150;

void UnknownMembers(
    const boost::json::object& o,
    std::initializer_list<std::string_view> known,
    const std::string& prefix,
    std::vector<MemberProblem>& out
) {
    for (const auto& [key, value] : o) {
        if (std::find(known.begin(), known.end(), std::string_view(key)) == known.end()) {
            out.push_back({prefix + std::string(key), "reason.unknown_member"});
        }
    }
}

Result<OffenceRef> ParseOffence(
    const boost::json::value& v, std::size_t index, std::vector<MemberProblem>& problems
) {
    OffenceRef ref;
    ref.path = fmt::format("offences[{}]", index);
    if (!v.is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, ref.path + " must be an object");
    }
    const boost::json::object& o = v.get_object();
    UnknownMembers(
        o, {"article", "concept", "domestic_law", "max_penalty_years"}, ref.path + ".", problems
    );
    CONCORD_RETURN_IF_ERROR(TakeString(o, "article", ref.article));
    CONCORD_RETURN_IF_ERROR(TakeString(o, "concept", ref.concept_id));
    CONCORD_RETURN_IF_ERROR(TakeString(o, "domestic_law", ref.domestic_law));
    if (const boost::json::value* p = o.if_contains("max_penalty_years")) {
        if (!p->is_number()) {
            return MakeError(
                ErrorCode::kInvalidArgument, ref.path + ".max_penalty_years must be a number"
            );
        }
        const double years = p->to_number<double>();
        if (!(years >= 0 && years <= kMaxPenaltyYears)) {  // also refuses NaN
            problems.push_back({ref.path + ".max_penalty_years", "reason.penalty_range"});
        } else {
            ref.max_penalty_years = years;
        }
    }
    return ref;
}

}  // namespace

std::string StringAt(const boost::json::object& obj, std::string_view key) {
    const boost::json::value* v = obj.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string{};
}

std::string TodayUtc() {
    const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const std::chrono::year_month_day ymd{days};
    return fmt::format(
        "{:04}-{:02}-{:02}",
        static_cast<int>(ymd.year()),
        static_cast<unsigned>(ymd.month()),
        static_cast<unsigned>(ymd.day())
    );
}

Result<Request> ParseRequest(std::string_view json) {
    boost::system::error_code ec;
    // The documented nesting limit of the whole protocol (docs/formats/canonical-json.md), so a
    // body the API accepted is never refused here for its depth alone.
    boost::json::parse_options options;
    options.max_depth = json::kMaxNestingDepth;
    boost::json::value root = boost::json::parse(json, ec, {}, options);
    if (ec) {
        return MakeError(ErrorCode::kInvalidArgument, "not JSON: " + ec.message());
    }
    if (!root.is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "the request must be a JSON object");
    }
    Request r;
    r.root = std::move(root.get_object());
    UnknownMembers(
        r.root,
        {"schema",
         "type",
         "instrument",
         "requesting_party",
         "requested_party",
         "date",
         "language",
         "issuing_authority",
         "validating_authority",
         "offences",
         "emergency",
         "fields"},
        "",
        r.problems
    );
    CONCORD_RETURN_IF_ERROR(TakeString(r.root, "type", r.type));
    CONCORD_RETURN_IF_ERROR(TakeString(r.root, "instrument", r.instrument));
    CONCORD_RETURN_IF_ERROR(TakeString(r.root, "requesting_party", r.requesting_party));
    CONCORD_RETURN_IF_ERROR(TakeString(r.root, "requested_party", r.requested_party));
    CONCORD_RETURN_IF_ERROR(TakeString(r.root, "date", r.date));
    CONCORD_RETURN_IF_ERROR(TakeString(r.root, "language", r.language));
    CONCORD_ASSIGN_OR_RETURN(r.issuer, TakeObject(r.root, "issuing_authority"));
    CONCORD_ASSIGN_OR_RETURN(r.validator, TakeObject(r.root, "validating_authority"));
    CONCORD_ASSIGN_OR_RETURN(r.emergency, TakeObject(r.root, "emergency"));
    CONCORD_ASSIGN_OR_RETURN(r.fields, TakeObject(r.root, "fields"));
    if (r.emergency != nullptr) {
        UnknownMembers(*r.emergency, {"risk", "imminent", "facts"}, "emergency.", r.problems);
    }
    if (const boost::json::value* offences = r.root.if_contains("offences")) {
        if (!offences->is_array()) {
            return MakeError(ErrorCode::kInvalidArgument, "'offences' must be an array");
        }
        std::size_t i = 0;
        for (const boost::json::value& v : offences->get_array()) {
            CONCORD_ASSIGN_OR_RETURN(OffenceRef ref, ParseOffence(v, i++, r.problems));
            r.offences.push_back(std::move(ref));
        }
    }
    return r;
}

}  // namespace concord::legal::detail
