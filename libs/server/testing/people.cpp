#include "concord/server/testing/people.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/totp.hpp"
#include "concord/core/time.hpp"

namespace concord::server::testing {
namespace {

std::string Str(const boost::json::object& o, std::string_view key) {
    const boost::json::value* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

boost::json::object Parse(const std::string& body) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body, ec);
    return !ec && v.is_object() ? v.as_object() : boost::json::object{};
}

Error Refused(ErrorCode code, const std::string& what, unsigned status, const std::string& body) {
    return MakeError(code, what + ": HTTP " + std::to_string(status) + " " + body);
}

}  // namespace

Result<Enrolment> Enrol(ApiClient& node_api, const NewPerson& person) {
    boost::json::array roles;
    for (const auto& r : person.roles) {
        roles.emplace_back(r);
    }
    boost::json::object user;
    user["login"] = person.login;
    user["display_name"] = person.display_name;
    user["unit"] = person.unit;
    user["roles"] = roles;
    CONCORD_ASSIGN_OR_RETURN(
        auto added, node_api.Call("POST", "/api/v1/users", boost::json::serialize(user))
    );
    if (added.status != 201) {
        return Refused(ErrorCode::kUnavailable, "enrol " + person.login, added.status, added.body);
    }
    return Enrolment{
        Str(added.json, "password"),
        Str(added.json, "totp_secret"),
        Str(added.json, "otpauth_uri")};
}

Result<std::string> EnrolAndSignIn(ApiClient& node_api, const NewPerson& person) {
    boost::json::array roles;
    for (const auto& r : person.roles) {
        roles.emplace_back(r);
    }
    CONCORD_ASSIGN_OR_RETURN(Enrolment enrolment, Enrol(node_api, person));
    CONCORD_ASSIGN_OR_RETURN(Bytes secret, app::Base32Decode(enrolment.totp_secret));
    CONCORD_ASSIGN_OR_RETURN(std::string code, app::TotpCode(secret, NowMillis() / 1000));
    boost::json::object credentials;
    credentials["login"] = person.login;
    credentials["password"] = enrolment.password;
    credentials["code"] = code;
    auto client = node_api.NewClient();
    const std::string base = node_api.BaseUrl();
    CONCORD_ASSIGN_OR_RETURN(
        net::Response session,
        client->Send("POST", base + "/api/v1/session", boost::json::serialize(credentials))
    );
    if (session.status != 201) {
        return Refused(
            ErrorCode::kUnauthenticated, "sign-in of " + person.login, session.status, session.body
        );
    }
    std::string cookie = session.Header("Set-Cookie").value_or("");
    cookie = cookie.substr(0, cookie.find(';'));
    const std::string csrf = Str(Parse(session.body), "csrf_token");
    boost::json::object token_request;
    token_request["name"] = "personal";
    token_request["roles"] = roles;
    CONCORD_ASSIGN_OR_RETURN(
        net::Response token,
        client->Send(
            "POST",
            base + "/api/v1/tokens",
            boost::json::serialize(token_request),
            {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}
        )
    );
    const std::string value = Str(Parse(token.body), "token");
    if (token.status != 201 || value.empty()) {
        return Refused(
            ErrorCode::kUnavailable, "personal token of " + person.login, token.status, token.body
        );
    }
    return value;
}

}  // namespace concord::server::testing
