#include "api_auth.hpp"

#include <gtest/gtest.h>

namespace concord::server {
namespace {

TEST(ApiAuth, CookieValueFindsTheNamedCookieOnly) {
    EXPECT_EQ(CookieValue("concord_session=abc", "concord_session"), "abc");
    EXPECT_EQ(CookieValue("a=1; concord_session=abc; b=2", "concord_session"), "abc");
    EXPECT_EQ(CookieValue("a=1;concord_session=abc", "concord_session"), "abc");
    EXPECT_EQ(CookieValue("xconcord_session=abc", "concord_session"), "");
    EXPECT_EQ(CookieValue("concord_session_x=abc", "concord_session"), "");
    EXPECT_EQ(CookieValue("", "concord_session"), "");
    EXPECT_EQ(CookieValue(";;; =; a", "concord_session"), "");
}

net::Request With(std::vector<std::pair<std::string, std::string>> headers) {
    net::Request r;
    r.method = "GET";
    r.headers = std::move(headers);
    return r;
}

TEST(ApiAuth, TheAuthorizationHeaderWinsOverTheCookie) {
    const std::string personal = "cpt_" + std::string(64, 'a');
    EXPECT_EQ(HowAuthenticated(With({})), AuthKind::kNone);
    EXPECT_EQ(HowAuthenticated(With({{"Authorization", "Bearer xyz"}})), AuthKind::kNodeToken);
    EXPECT_EQ(
        HowAuthenticated(With({{"Authorization", "Bearer " + personal}})), AuthKind::kPersonalToken
    );
    EXPECT_EQ(HowAuthenticated(With({{"Authorization", "Basic xyz"}})), AuthKind::kNone);
    EXPECT_EQ(HowAuthenticated(With({{"Cookie", "concord_session=abc"}})), AuthKind::kSession);
    EXPECT_EQ(
        HowAuthenticated(With({{"Cookie", "concord_session=abc"}, {"Authorization", "Bearer xyz"}})
        ),
        AuthKind::kNodeToken
    );
    EXPECT_EQ(HowAuthenticated(With({{"Cookie", "other=abc"}})), AuthKind::kNone);
    EXPECT_EQ(SessionCookieValue(With({{"Cookie", "concord_session=abc"}})), "abc");
}

}  // namespace
}  // namespace concord::server
