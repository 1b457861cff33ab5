#include "concord/federation/envelope.hpp"

#include <functional>

#include <gtest/gtest.h>

#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/federation/signed_json.hpp"

#include "test_util.hpp"

namespace concord::federation {
namespace {

using testing::MakeIdentity;

class EnvelopeTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(crypto::Initialize()); }

    Header MakeHeader() {
        return Header{
            NewUuidV7(),
            "request",
            "aa.central",
            "bb.poc",
            FormatTimestamp(NowMillis()),
            "",
            "emergency"};
    }

    testing::TestIdentity a_ = MakeIdentity("aa.central", "AA", {"central_authority"});
    testing::TestIdentity b_ = MakeIdentity("bb.poc", "BB", {"point_of_contact_24_7"});
};

TEST_F(EnvelopeTest, SealedBodyOpensOnlyForTheRecipient) {
    const Header header = MakeHeader();
    auto sealed = SealEnvelope(
        header,
        R"({"ask": "preserve", "n": 1})",
        a_.keys.signing,
        a_.keys.box,
        b_.keys.box.PublicKey()
    );
    ASSERT_TRUE(sealed) << sealed.error().ToString();
    auto parsed = ParseEnvelope(*sealed);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->header.id, header.id);
    EXPECT_EQ(parsed->header.priority, "emergency");
    EXPECT_TRUE(VerifyEnvelopeSignature(*parsed));
    auto body = OpenEnvelopeBody(*parsed, a_.keys.box.PublicKey(), b_.keys.box);
    ASSERT_TRUE(body) << body.error().ToString();
    EXPECT_EQ(*body, R"({"ask":"preserve","n":1})");
    // A third party cannot open it, and the plaintext is nowhere in the envelope.
    auto c = MakeIdentity("cc.provider", "BB", {"service_provider"});
    EXPECT_FALSE(OpenEnvelopeBody(*parsed, a_.keys.box.PublicKey(), c.keys.box));
    EXPECT_EQ(sealed->find("preserve"), std::string::npos);
}

TEST_F(EnvelopeTest, EverySignedFieldIsProtected) {
    auto sealed =
        SealEnvelope(MakeHeader(), "{}", a_.keys.signing, a_.keys.box, b_.keys.box.PublicKey());
    ASSERT_TRUE(sealed);
    const std::pair<const char*, boost::json::value> changes[] = {
        {"id", boost::json::string(NewUuidV7())},
        {"type", "response"},
        {"from", "aa.other"},
        {"to", "bb.other"},
        {"time", "2026-01-01T00:00:00.000Z"},
        {"in_reply_to", boost::json::string(NewUuidV7())},
        {"priority", "normal"},
        {"body",
         boost::json::string(crypto::Base64Encode(ToBytes("not the body at all, but long enough"))
         )},
    };
    for (const auto& [field, value] : changes) {
        auto object = ParseObject(*sealed);
        ASSERT_TRUE(object);
        (*object)[field] = value;
        auto parsed = ParseEnvelope(CanonicalText(*object));
        ASSERT_TRUE(parsed) << field << ": " << parsed.error().message;
        auto verified = VerifyEnvelopeSignature(*parsed);
        ASSERT_FALSE(verified) << field;
        EXPECT_EQ(verified.error().reason, Refusal::kBadSignature) << field;
    }
}

TEST_F(EnvelopeTest, StructuralProblemsAreMalformedOrUnsupported) {
    auto sealed =
        SealEnvelope(MakeHeader(), "{}", a_.keys.signing, a_.keys.box, b_.keys.box.PublicKey());
    ASSERT_TRUE(sealed);
    auto refusal = [](std::string_view text) {
        auto parsed = ParseEnvelope(text);
        return parsed ? std::string("accepted") : std::string(RefusalCode(parsed.error().reason));
    };
    EXPECT_EQ(refusal("{not json"), "malformed");
    EXPECT_EQ(refusal("[]"), "malformed");
    auto object = *ParseObject(*sealed);
    auto with = [&](const char* field, boost::json::value v) {
        auto copy = object;
        copy[field] = std::move(v);
        return refusal(CanonicalText(copy));
    };
    auto without = [&](const char* field) {
        auto copy = object;
        copy.erase(field);
        return refusal(CanonicalText(copy));
    };
    EXPECT_EQ(with("v", 2), "unsupported_version");
    EXPECT_EQ(refusal(R"({"v":25E57})"), "malformed");  // found by fuzz_envelope: no UB on cast
    EXPECT_EQ(refusal(R"({"v":1.5})"), "malformed");
    EXPECT_EQ(refusal(R"({"v":1.0,"id":1})"), "malformed");
    EXPECT_EQ(with("v", "1"), "malformed");
    EXPECT_EQ(with("id", "not-a-uuid"), "malformed");
    EXPECT_EQ(with("time", "yesterday"), "malformed");
    EXPECT_EQ(with("priority", "urgent"), "malformed");
    EXPECT_EQ(with("extra", 1), "malformed");
    EXPECT_EQ(with("key", "AAAA"), "malformed");
    for (const char* field :
         {"id", "type", "from", "to", "time", "priority", "body", "key", "sig"}) {
        EXPECT_EQ(without(field), "malformed") << field;
    }
    auto stripped = object;
    stripped["sig"] = crypto::Base64Encode(Bytes(64, 0));
    auto parsed = ParseEnvelope(CanonicalText(stripped));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(VerifyEnvelopeSignature(*parsed).error().reason, Refusal::kBadSignature);
}

TEST_F(EnvelopeTest, EvidenceVerifiesOnlyUnderItsSigner) {
    Evidence e{
        "delivery",
        NewUuidV7(),
        std::string(64, 'a'),
        "bb.poc",
        "aa.central",
        FormatTimestamp(NowMillis()),
        41,
        ""};
    auto text = SignEvidence(e, b_.keys.signing);
    ASSERT_TRUE(text);
    auto back = VerifyEvidence(*text, b_.keys.signing.PublicKey());
    ASSERT_TRUE(back) << back.error().ToString();
    EXPECT_EQ(back->ledger_index, 41u);
    EXPECT_EQ(back->message_id, e.message_id);
    EXPECT_EQ(
        VerifyEvidence(*text, a_.keys.signing.PublicKey()).error().code, ErrorCode::kUnauthenticated
    );
    auto object = *ParseObject(*text);
    object["ledger_index"] = 42;
    EXPECT_EQ(
        VerifyEvidence(CanonicalText(object), b_.keys.signing.PublicKey()).error().code,
        ErrorCode::kUnauthenticated
    );
}

// Issue 13, item 2: a correctly signed record is still refused when any member is wrong.
TEST_F(EnvelopeTest, EveryEvidenceMemberIsChecked) {
    const Evidence good{
        "delivery",
        NewUuidV7(),
        std::string(64, 'c'),
        "bb.poc",
        "aa.central",
        FormatTimestamp(NowMillis()),
        7,
        ""};
    auto text = SignEvidence(good, b_.keys.signing);
    ASSERT_TRUE(text) << text.error().ToString();
    ASSERT_TRUE(VerifyEvidence(*text, b_.keys.signing.PublicKey()));
    // Re-signs the good record after `edit`, so only the member check can refuse it.
    auto with = [&](const std::function<void(boost::json::object&)>& edit) {
        auto o = *ParseObject(*text);
        o.erase("key");
        o.erase("sig");
        edit(o);
        return *SignObject(std::move(o), "concord-evidence-v1", b_.keys.signing);
    };
    struct Case {
        const char* what;
        std::function<void(boost::json::object&)> edit;
    };
    const Case cases[] = {
        {"no v", [](auto& o) { o.erase("v"); }},
        {"v = 2", [](auto& o) { o["v"] = 2; }},
        {"v a string", [](auto& o) { o["v"] = "1"; }},
        {"no kind", [](auto& o) { o.erase("kind"); }},
        {"unknown kind", [](auto& o) { o["kind"] = "receipt"; }},
        {"unknown event", [](auto& o) { o["event"] = "deliverd"; }},
        {"no event", [](auto& o) { o.erase("event"); }},
        {"message_id not a UUIDv7", [](auto& o) { o["message_id"] = "42"; }},
        {"hash too short", [](auto& o) { o["envelope_sha256"] = std::string(63, 'c'); }},
        {"hash upper case", [](auto& o) { o["envelope_sha256"] = std::string(64, 'C'); }},
        {"hash not hex", [](auto& o) { o["envelope_sha256"] = std::string(64, 'z'); }},
        {"from not a node id", [](auto& o) { o["from"] = "BB POC"; }},
        {"to empty", [](auto& o) { o["to"] = ""; }},
        {"garbage time", [](auto& o) { o["time"] = "yesterday"; }},
        {"time without zone", [](auto& o) { o["time"] = "2026-11-29T10:00:00.000"; }},
        {"time a number", [](auto& o) { o["time"] = 1700000000; }},
        {"negative ledger_index", [](auto& o) { o["ledger_index"] = -1; }},
        {"fractional ledger_index", [](auto& o) { o["ledger_index"] = 1.5; }},
        {"ledger_index a string", [](auto& o) { o["ledger_index"] = "7"; }},
        {"reason on a delivery", [](auto& o) { o["reason"] = "because"; }},
        {"unknown member", [](auto& o) { o["extra"] = true; }},
    };
    for (const auto& c : cases) {
        auto verified = VerifyEvidence(with(c.edit), b_.keys.signing.PublicKey());
        ASSERT_FALSE(verified) << c.what;
        EXPECT_EQ(verified.error().code, ErrorCode::kInvalidArgument) << c.what;
    }
    // A non_delivery record may carry its reason; an empty one is refused.
    EXPECT_TRUE(VerifyEvidence(
        with([](auto& o) {
            o["event"] = "non_delivery";
            o["reason"] = "horizon";
        }),
        b_.keys.signing.PublicKey()
    ));
    EXPECT_FALSE(VerifyEvidence(
        with([](auto& o) {
            o["event"] = "non_delivery";
            o["reason"] = "";
        }),
        b_.keys.signing.PublicKey()
    ));
}

}  // namespace
}  // namespace concord::federation
