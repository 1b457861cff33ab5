#include "case_wire.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/approval.hpp"
#include "concord/core/utf8.hpp"

namespace concord::app::detail {
namespace {

Error Malformed(std::string_view why) {
    return MakeError(ErrorCode::kInvalidArgument, "case step: " + std::string(why));
}

Result<std::string> Text(
    const boost::json::object& o, std::string_view key, std::size_t max, bool required
) {
    const boost::json::value* v = o.if_contains(key);
    if (v == nullptr) {
        if (required) {
            return Malformed("missing '" + std::string(key) + "'");
        }
        return std::string{};
    }
    if (!v->is_string() || v->as_string().size() > max || (required && v->as_string().empty())) {
        return Malformed(
            "'" + std::string(key) + "' must be a string of 1-" + std::to_string(max) + " bytes"
        );
    }
    std::string text(v->as_string());
    if (!IsValidUtf8(text)) {
        return Malformed("'" + std::string(key) + "' is not UTF-8");
    }
    return text;
}

}  // namespace

boost::json::object EncodeStep(const CaseStep& step) {
    boost::json::object s;
    s["origin_node"] = step.origin_node;
    s["origin_id"] = step.origin_id;
    s["version"] = step.version;
    s["transition"] = step.transition;
    s["number"] = step.number;
    boost::json::array grounds;
    for (const std::string& g : step.grounds) {
        grounds.emplace_back(g);
    }
    s["grounds"] = std::move(grounds);
    s["reasons"] = step.reasons;
    if (!step.details.empty()) {
        s["details"] = step.details;
    }
    boost::json::object out;
    out[kCaseMember] = std::move(s);
    return out;
}

Result<std::optional<CaseStep>> DecodeStep(const boost::json::object& body) {
    const boost::json::value* member = body.if_contains(kCaseMember);
    if (member == nullptr) {
        return std::optional<CaseStep>{};
    }
    if (!member->is_object()) {
        return Malformed("'concord_case' must be an object");
    }
    const boost::json::object& o = member->as_object();
    CaseStep s;
    CONCORD_ASSIGN_OR_RETURN(s.origin_node, Text(o, "origin_node", kMaxIdBytes, true));
    CONCORD_ASSIGN_OR_RETURN(s.origin_id, Text(o, "origin_id", kMaxIdBytes, true));
    CONCORD_ASSIGN_OR_RETURN(s.transition, Text(o, "transition", kMaxIdBytes, true));
    CONCORD_ASSIGN_OR_RETURN(s.number, Text(o, "number", kMaxIdBytes, false));
    CONCORD_ASSIGN_OR_RETURN(s.reasons, Text(o, "reasons", kMaxReasonsBytes, false));
    const boost::json::value* version = o.if_contains("version");
    if (version == nullptr || !version->is_int64() || version->as_int64() < 1) {
        return Malformed("'version' must be an integer >= 1");
    }
    s.version = version->as_int64();
    if (const boost::json::value* grounds = o.if_contains("grounds"); grounds != nullptr) {
        if (!grounds->is_array() || grounds->as_array().size() > kMaxGrounds) {
            return Malformed("'grounds' must be an array of at most 32 ids");
        }
        for (const auto& g : grounds->as_array()) {
            if (!g.is_string() || g.as_string().empty() || g.as_string().size() > kMaxIdBytes) {
                return Malformed("'grounds' must hold ids");
            }
            s.grounds.emplace_back(g.as_string());
        }
    }
    if (const boost::json::value* details = o.if_contains("details"); details != nullptr) {
        if (!details->is_object()) {
            return Malformed("'details' must be an object");
        }
        CONCORD_RETURN_IF_ERROR(CheckDetailsSize(details->as_object()));
        s.details = details->as_object();
    }
    return std::optional<CaseStep>{std::move(s)};
}

Result<void> CheckDetailsSize(const boost::json::object& details) {
    if (boost::json::serialize(details).size() > kMaxDetailsBytes) {
        return Malformed(
            "'details' must serialize to at most " + std::to_string(kMaxDetailsBytes) + " bytes"
        );
    }
    return {};
}

boost::json::object EncodeStep(const CaseStep& step, std::string_view approval_text) {
    boost::json::object out = EncodeStep(step);
    if (!approval_text.empty()) {
        boost::system::error_code ec;
        boost::json::value approval = boost::json::parse(approval_text, ec);
        if (!ec) {
            out[kCaseMember].as_object()["approval"] = std::move(approval);
        }
    }
    return out;
}

CarriedApproval DecodeApproval(const boost::json::object& body) {
    CarriedApproval out;
    const boost::json::value* member = body.if_contains(kCaseMember);
    const boost::json::value* approval = member != nullptr && member->is_object()
                                             ? member->as_object().if_contains("approval")
                                             : nullptr;
    if (approval == nullptr) {
        return out;
    }
    auto text = CarriedApprovalText(*approval);
    if (text) {
        out.text = std::move(*text);
    } else {
        out.malformed = text.error().message;
    }
    return out;
}

}  // namespace concord::app::detail
