// Refusals through real HTTP: envelopes from a test-held identity listed in the directory, sent
// to a running concordd after tampering, stripping, re-addressing, replaying, back-dating and
// inflating them; each is refused with its reason code and nothing is stored (issue 3, "Tests
// with real processes").
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/federation/signed_json.hpp"

#include "federation_harness.hpp"

namespace concord::functional {
namespace {

constexpr std::string_view kEnvelopeDomain = "concord-envelope-v1";

class FederationRefusal : public ::testing::Test {
protected:
    void SetUp() override {
        f_.AddNode("fr.central", "FR", "central_authority");
        f_.AddNode("hu.poc", "HU", "point_of_contact_24_7");
        f_.AddExternal("fr.tester", "FR");
        ASSERT_TRUE(f_.Create());
        auto started = f_.StartAll();
        ASSERT_TRUE(started) << Why(started);
    }

    void TearDown() override { f_.ExpectCleanShutdown(); }

    TestNode& Receiver() { return f_.Node(1); }
    ExternalIdentity& Tester() { return f_.External(0); }

    federation::Header NewHeader(const std::string& to = "hu.poc") {
        federation::Header h;
        h.id = NewUuidV7();
        h.type = "notice";
        h.from = Tester().entry.id;
        h.to = to;
        h.time = FormatTimestamp(NowMillis());
        h.priority = "normal";
        return h;
    }

    // An envelope sealed and signed by the tester for `recipient`'s box key.
    std::string Seal(
        const federation::Header& h,
        const std::string& body = R"({"notice":"refusal test"})",
        const federation::NodeEntry* recipient = nullptr
    ) {
        const federation::NodeEntry& to = recipient != nullptr ? *recipient : Receiver().Entry();
        auto sealed =
            federation::SealEnvelope(h, body, Tester().keys.signing, Tester().keys.box, to.box_key);
        EXPECT_TRUE(sealed) << Why(sealed);
        return sealed.value_or("");
    }

    static boost::json::object Object(const std::string& envelope) {
        return boost::json::parse(envelope).as_object();
    }

    std::size_t InboxCount() {
        auto inbox = Receiver().ListAll("inbox");
        EXPECT_TRUE(inbox) << Why(inbox);
        return inbox ? inbox->size() : 0;
    }

    // Posts `body` to `path` on the receiver and checks the status and error code, and that the
    // inbox did not change.
    void ExpectRefused(
        const std::string& what,
        const std::string& body,
        unsigned status,
        const std::string& code,
        const std::string& path = "/fed/v1/messages"
    ) {
        SCOPED_TRACE(what);
        const std::size_t before = InboxCount();
        auto reply = Receiver().Plain("POST", path, body);
        ASSERT_TRUE(reply) << Why(reply);
        EXPECT_EQ(reply->status, status) << reply->body;
        EXPECT_EQ(reply->ErrorCodeName(), code) << reply->body;
        EXPECT_EQ(InboxCount(), before) << "a refused envelope was stored";
    }

    void ExpectAccepted(const std::string& what, const std::string& body, bool duplicate) {
        SCOPED_TRACE(what);
        auto reply = Receiver().Plain("POST", "/fed/v1/messages", body);
        ASSERT_TRUE(reply) << Why(reply);
        ASSERT_EQ(reply->status, 200u) << reply->body;
        EXPECT_FALSE(federation::GetString(reply->json, "receipt").value_or("").empty());
        EXPECT_EQ(reply->json.at("duplicate").as_bool(), duplicate);
    }

    Federation f_;
};

TEST_F(FederationRefusal, EveryTamperedSignedFieldIsRefused) {
    const std::string valid = Seal(NewHeader());
    const std::size_t before = InboxCount();
    struct Tamper {
        std::string field;
        boost::json::value value;
        unsigned status;
        std::string code;
    };
    const std::string other_body = [&] {
        auto o = Object(Seal(NewHeader()));
        return std::string(o.at("body").as_string());
    }();
    const auto stranger = crypto::SigningKey::Generate().PublicKey().Bytes();
    const auto valid_sig = std::string(Object(valid).at("sig").as_string());
    std::string flipped_sig = valid_sig;
    flipped_sig[3] = flipped_sig[3] == 'A' ? 'B' : 'A';
    const std::vector<Tamper> cases = {
        {"id", boost::json::value(NewUuidV7()), 401, "bad_signature"},
        {"type", boost::json::value("order"), 401, "bad_signature"},
        {"time", boost::json::value(FormatTimestamp(NowMillis() - 1000)), 401, "bad_signature"},
        {"priority", boost::json::value("emergency"), 401, "bad_signature"},
        {"in_reply_to", boost::json::value(NewUuidV7()), 401, "bad_signature"},
        {"body", boost::json::value(other_body), 401, "bad_signature"},
        {"sig", boost::json::value(flipped_sig), 401, "bad_signature"},
        // The sender claims to be another listed node: its listed key is not the signer's.
        {"from", boost::json::value("fr.central"), 403, "unknown_sender"},
        // The signer's key is replaced by one the directory does not list.
        {"key",
         boost::json::value(crypto::Base64Encode(ByteSpan(stranger.data(), stranger.size()))),
         403,
         "unknown_sender"},
        {"to", boost::json::value("fr.central"), 421, "wrong_recipient"},
        {"v", boost::json::value(2), 400, "unsupported_version"},
    };
    for (const auto& c : cases) {
        auto o = Object(valid);
        o[c.field] = c.value;
        ExpectRefused("tampered " + c.field, boost::json::serialize(o), c.status, c.code);
    }
    // The untampered envelope is accepted: the refusals were about the changes.
    ExpectAccepted("the original", valid, false);
    EXPECT_EQ(InboxCount(), before + 1);
    auto refused = Receiver().Metric("concord_envelopes_refused", "reason=\"bad_signature\"");
    ASSERT_TRUE(refused) << Why(refused);
    EXPECT_EQ(*refused, 7);
}

TEST_F(FederationRefusal, StrippedUnknownMisaddressedStaleOversizeMalformedAndOtherVersions) {
    // Signature stripped.
    {
        auto o = Object(Seal(NewHeader()));
        o.erase("sig");
        ExpectRefused("signature stripped", boost::json::serialize(o), 400, "malformed");
        o.erase("key");
        ExpectRefused("signature and key stripped", boost::json::serialize(o), 400, "malformed");
    }
    // A well-signed envelope from a sender the directory does not list.
    {
        ExternalIdentity stranger{
            federation::NodeKeys{crypto::SigningKey::Generate(), crypto::BoxKeyPair::Generate()},
            {}};
        federation::Header h = NewHeader();
        h.from = "xx.unlisted";
        auto sealed = federation::SealEnvelope(
            h, R"({"x":1})", stranger.keys.signing, stranger.keys.box, Receiver().Entry().box_key
        );
        ASSERT_TRUE(sealed) << Why(sealed);
        ExpectRefused("unknown sender", *sealed, 403, "unknown_sender");
        // The listed sender's name with a key of its own choosing.
        h.from = Tester().entry.id;
        sealed = federation::SealEnvelope(
            h, R"({"x":1})", stranger.keys.signing, Tester().keys.box, Receiver().Entry().box_key
        );
        ASSERT_TRUE(sealed) << Why(sealed);
        ExpectRefused("unknown key", *sealed, 403, "unknown_sender");
    }
    // A correct envelope for another node, sent here.
    ExpectRefused(
        "message for another node",
        Seal(NewHeader("fr.central"), R"({"x":1})", &f_.Node(0).Entry()),
        421,
        "wrong_recipient"
    );
    // Stale and future timestamps, properly signed.
    {
        federation::Header h = NewHeader();
        h.time = FormatTimestamp(NowMillis() - 30LL * 24 * 3600 * 1000);
        ExpectRefused("stale", Seal(h), 422, "stale");
        h = NewHeader();
        h.time = FormatTimestamp(NowMillis() + 3600LL * 1000);
        ExpectRefused("from the future", Seal(h), 422, "stale");
    }
    // Larger than http.max_body_bytes (1 MiB by default): refused before it is buffered.
    {
        auto o = Object(Seal(NewHeader()));
        o["body"] = std::string((1 << 20) + 1024, 'A');
        ExpectRefused("oversize", boost::json::serialize(o), 413, "too_large");
    }
    // Malformed JSON and non-envelopes.
    ExpectRefused("malformed JSON", R"({"v":1,"id":)", 400, "malformed");
    ExpectRefused("not an object", "[1,2,3]", 400, "malformed");
    ExpectRefused("empty", "", 400, "malformed");
    {
        auto o = Object(Seal(NewHeader()));
        o.erase("time");
        ExpectRefused("missing field", boost::json::serialize(o), 400, "malformed");
    }
    // Version 2, signed by the legitimate key, and the /fed/v2 path.
    {
        auto o = Object(Seal(NewHeader()));
        o.erase("sig");
        o.erase("key");
        o["v"] = 2;
        auto signed_v2 = federation::SignObject(o, kEnvelopeDomain, Tester().keys.signing);
        ASSERT_TRUE(signed_v2) << Why(signed_v2);
        ExpectRefused("v=2", *signed_v2, 400, "unsupported_version");
        ExpectRefused(
            "POST /fed/v2/messages",
            Seal(NewHeader()),
            400,
            "unsupported_version",
            "/fed/v2/messages"
        );
    }
    auto stale = Receiver().Metric("concord_envelopes_refused", "reason=\"stale\"");
    ASSERT_TRUE(stale) << Why(stale);
    EXPECT_EQ(*stale, 2);
    auto too_large = Receiver().Metric("concord_http_refusals_total", "reason=\"too_large\"");
    ASSERT_TRUE(too_large) << Why(too_large);
    EXPECT_EQ(*too_large, 1);
}

TEST_F(FederationRefusal, ReplayedIdWithOtherContentIsRefusedAndTheSameEnvelopeIsADuplicate) {
    const federation::Header h = NewHeader();
    const std::string first = Seal(h, R"({"version":"first"})");
    ExpectAccepted("first", first, false);
    const std::size_t stored = InboxCount();
    ExpectRefused(
        "same id, other content, legitimately signed",
        Seal(h, R"({"version":"second"})"),
        409,
        "replay"
    );
    federation::Header later = h;
    later.time = FormatTimestamp(NowMillis() + 5);
    ExpectRefused("same id, later time", Seal(later, R"({"version":"first"})"), 409, "replay");
    ExpectAccepted("the same envelope again", first, true);
    EXPECT_EQ(InboxCount(), stored);
    auto detail = Receiver().Api("GET", "/api/v1/messages/" + h.id + "?box=inbox");
    ASSERT_TRUE(detail) << Why(detail);
    ASSERT_EQ(detail->status, 200u) << detail->body;
    EXPECT_EQ(boost::json::serialize(detail->json.at("body")), R"({"version":"first"})");
}

TEST_F(FederationRefusal, RevokedSenderIsRefusedAfterTheDirectoryReload) {
    ExpectAccepted("before revocation", Seal(NewHeader()), false);
    auto serial = f_.RevokeExternal(0);
    ASSERT_TRUE(serial) << Why(serial);
    ASSERT_TRUE(WaitFor([&] {
        auto health = Receiver().Plain("GET", "/healthz");
        return health && health->status == 200 &&
               federation::GetInt(health->json, "directory_serial").value_or(0) ==
                   static_cast<std::int64_t>(*serial);
    })) << "the receiver did not reload the directory";
    ExpectRefused("revoked sender", Seal(NewHeader()), 403, "unknown_sender");
}

}  // namespace
}  // namespace concord::functional
