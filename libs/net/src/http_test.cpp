#include "concord/net/http.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "concord/core/utf8.hpp"

namespace concord::net {
namespace {

Request Req(std::string method, std::string path) {
    Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    return request;
}

Response Echo(Request& request) {
    return Json(200, "\"" + request.method + " " + request.Param("id") + "\"");
}

TEST(Router, DispatchesByMethodAndBindsParams) {
    Router router;
    router.Add("GET", "/api/v1/messages/{id}", Echo);
    router.Add("DELETE", "/api/v1/messages/{id}", Echo);
    Request request = Req("GET", "/api/v1/messages/abc%2F1");
    Response response = router.Dispatch(request);
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.body, "\"GET abc/1\"");
    EXPECT_EQ(request.params.at("id"), "abc/1");
}

TEST(Router, UnknownPathIs404AndWrongMethodIs405WithAllow) {
    Router router;
    router.Add("GET", "/a/{x}", Echo);
    router.Add("PUT", "/a/{x}", Echo);
    Request missing = Req("GET", "/b/1");
    Response not_found = router.Dispatch(missing);
    EXPECT_EQ(not_found.status, 404u);
    EXPECT_EQ(boost::json::parse(not_found.body).at("error").at("code"), "not_found");

    Request wrong = Req("POST", "/a/1");
    Response not_allowed = router.Dispatch(wrong);
    EXPECT_EQ(not_allowed.status, 405u);
    EXPECT_EQ(boost::json::parse(not_allowed.body).at("error").at("code"), "method_not_allowed");
    EXPECT_EQ(not_allowed.Header("allow"), "GET, PUT");

    Request too_deep = Req("GET", "/a/1/2");
    EXPECT_EQ(router.Dispatch(too_deep).status, 404u);
}

TEST(Router, LiteralSegmentWinsOverPlaceholder) {
    Router router;
    router.Add("GET", "/m/{id}", [](Request&) { return Json(200, "\"param\""); });
    router.Add("GET", "/m/latest", [](Request&) { return Json(200, "\"literal\""); });
    Request request = Req("GET", "/m/latest");
    EXPECT_EQ(router.Dispatch(request).body, "\"literal\"");
    Request other = Req("GET", "/m/7");
    EXPECT_EQ(router.Dispatch(other).body, "\"param\"");
}

TEST(Router, RoutesListsMethodAndPatternInOrderAndReplacesDuplicates) {
    Router router;
    router.Add("GET", "/healthz", Echo);
    router.Add("POST", "/api/v1/messages", Echo);
    router.Add("GET", "/healthz", [](Request&) { return Json(200, "1"); });
    auto routes = router.Routes();
    ASSERT_EQ(routes.size(), 2u);
    EXPECT_EQ(routes[0], (std::pair<std::string, std::string>{"GET", "/healthz"}));
    EXPECT_EQ(routes[1], (std::pair<std::string, std::string>{"POST", "/api/v1/messages"}));
    Request request = Req("GET", "/healthz");
    EXPECT_EQ(router.Dispatch(request).body, "1");
}

TEST(Request, QueryParamIsPercentDecoded) {
    Request request;
    request.query = "a=1&name=J%C3%B6rg+M%C3%BCller&empty=&flag&x%20y=%zz";
    EXPECT_EQ(request.QueryParam("a"), "1");
    EXPECT_EQ(request.QueryParam("name"), "J\xC3\xB6rg M\xC3\xBCller");
    EXPECT_EQ(request.QueryParam("empty"), "");
    EXPECT_EQ(request.QueryParam("flag"), "");
    EXPECT_EQ(request.QueryParam("x y"), "%zz");
    EXPECT_EQ(request.QueryParam("missing"), std::nullopt);
}

TEST(Request, HeaderIsCaseInsensitive) {
    Request request;
    request.headers = {{"Content-Type", "text/plain"}, {"X-Token", "a"}};
    EXPECT_EQ(request.Header("content-type"), "text/plain");
    EXPECT_EQ(request.Header("X-TOKEN"), "a");
    EXPECT_EQ(request.Header("x-other"), std::nullopt);
}

TEST(Response, ErrorJsonEscapesCodeAndMessage) {
    Response response = ErrorJson(400, "bad\"code", "line1\nline2 \\ </script>");
    EXPECT_EQ(response.status, 400u);
    EXPECT_EQ(response.content_type, "application/json");
    auto parsed = boost::json::parse(response.body);
    EXPECT_EQ(parsed.at("error").at("code"), "bad\"code");
    EXPECT_EQ(parsed.at("error").at("message"), "line1\nline2 \\ </script>");
}

TEST(PercentEncode, KeepsOnlyUnreservedCharactersAndRoundTrips) {
    EXPECT_EQ(PercentEncode("a-b_c.d~E9"), "a-b_c.d~E9");
    EXPECT_EQ(PercentEncode("a b/c%\xC3\xA9+"), "a%20b%2Fc%25%C3%A9%2B");
    const std::string every = [] {
        std::string s;
        for (int c = 0; c < 256; ++c) {
            s.push_back(static_cast<char>(c));
        }
        return s;
    }();
    EXPECT_EQ(PercentDecode(PercentEncode(every), false), every);
}

TEST(PercentDecode, HandlesPlusTruncatedAndInvalidEscapes) {
    EXPECT_EQ(PercentDecode("a+b%20c", true), "a b c");
    EXPECT_EQ(PercentDecode("a+b", false), "a+b");
    EXPECT_EQ(PercentDecode("100%", true), "100%");
    EXPECT_EQ(PercentDecode("%4", true), "%4");
    EXPECT_EQ(PercentDecode("%41%4a", true), "AJ");
}

TEST(Response, ErrorJsonIsValidUtf8ForIllFormedAndControlBytes) {
    Response r = ErrorJson(
        404, "not_found", "no such resource: /caf\xC3\xA9/\xFF\xC0\xAF\x01\x7F\xED\xA0\x80"
    );
    EXPECT_TRUE(IsValidUtf8(r.body)) << r.body;
    EXPECT_NE(r.body.find("\\u0001"), std::string::npos) << r.body;
    auto message = boost::json::parse(r.body).at("error").at("message").as_string();
    EXPECT_EQ(
        std::string(message),
        "no such resource: /caf\xC3\xA9/\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\x01\x7F"
        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
    );
}

TEST(Response, ErrorJsonCutsLongMessagesOnACharacterBoundary) {
    std::string path = "/" + std::string(5000, 'a') + "\xC3\xA9";
    Response r = ErrorJson(404, "not_found", path);
    EXPECT_TRUE(IsValidUtf8(r.body));
    auto message = std::string(boost::json::parse(r.body).at("error").at("message").as_string());
    EXPECT_EQ(message.size(), 1024u);
    EXPECT_TRUE(message.ends_with("..."));
}

TEST(SanitizeForDisplay, KeepsCharactersWholeWhenCutting) {
    EXPECT_EQ(SanitizeForDisplay("abc", 3), "abc");
    EXPECT_EQ(SanitizeForDisplay("\xC3\xA9\xC3\xA9\xC3\xA9", 6), "\xC3\xA9\xC3\xA9\xC3\xA9");
    EXPECT_EQ(SanitizeForDisplay("\xC3\xA9\xC3\xA9\xC3\xA9x", 6), "\xC3\xA9...");
    EXPECT_EQ(SanitizeForDisplay("abcdef", 2), "..");
}

TEST(Router, PoolForFollowsTheRouteAndItsChooser) {
    Router router;
    router.Add("GET", "/api/v1/x", Echo);
    router.Add("POST", "/fed/v1/messages", Echo, PoolChooser([](const Request& r) {
                   return r.Header("Concord-Priority") == "emergency" ? std::string("emergency")
                                                                      : std::string("fed");
               }));
    router.Add("GET", "/fed/v1/checkpoint", Echo, std::string("fed"));
    EXPECT_EQ(router.PoolFor(Req("GET", "/api/v1/x")), "");
    EXPECT_EQ(router.PoolFor(Req("GET", "/nowhere")), "");
    EXPECT_EQ(router.PoolFor(Req("GET", "/fed/v1/checkpoint")), "fed");
    Request fed = Req("POST", "/fed/v1/messages");
    EXPECT_EQ(router.PoolFor(fed), "fed");
    fed.headers.emplace_back("concord-priority", "emergency");
    EXPECT_EQ(router.PoolFor(fed), "emergency");
    EXPECT_EQ(router.PoolNames(), (std::vector<std::string>{"fed"}));
}

}  // namespace
}  // namespace concord::net
