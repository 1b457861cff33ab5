#include "concord/server/testing/api_client.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/init.hpp"
#include "concord/federation/envelope.hpp"

namespace concord::server::testing {
namespace {

class VerifyDeliveryTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        receiver_.id = "bb.receiver";
        receiver_.signing_key = receiver_key_.PublicKey();
    }

    // An outbox message as the local API shows it, with `receipt` as its only evidence.
    boost::json::object Message(const std::string& receipt) const {
        boost::json::object m;
        m["id"] = "0192f0c0-0000-7000-8000-000000000001";
        m["envelope_sha256"] = std::string(64, 'a');
        m["evidence"] = boost::json::array{boost::json::string(receipt)};
        return m;
    }

    federation::Evidence Receipt() const {
        return federation::Evidence{
            "delivery",
            "0192f0c0-0000-7000-8000-000000000001",
            std::string(64, 'a'),
            receiver_.id,
            "aa.sender",
            "2026-11-30T12:00:00.000Z",
            5,
            ""};
    }

    crypto::SigningKey receiver_key_ = crypto::SigningKey::Generate();
    federation::NodeEntry receiver_;
};

TEST_F(VerifyDeliveryTest, RefusesAReceiptSignedByAnotherKey) {
    const auto other = crypto::SigningKey::Generate();
    auto receipt = federation::SignEvidence(Receipt(), other);
    ASSERT_TRUE(receipt);
    auto verified = VerifyDelivery(Message(*receipt), receiver_);
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(VerifyDeliveryTest, RefusesAReceiptForAnotherEnvelope) {
    auto evidence = Receipt();
    evidence.envelope_sha256 = std::string(64, 'b');
    auto receipt = federation::SignEvidence(evidence, receiver_key_);
    ASSERT_TRUE(receipt);
    auto verified = VerifyDelivery(Message(*receipt), receiver_);
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(VerifyDeliveryTest, RefusesAValidReceiptWithoutTheReceiversProof) {
    auto receipt = federation::SignEvidence(Receipt(), receiver_key_);
    ASSERT_TRUE(receipt);
    // Receipt verified, but no receiver_proof / receiver_leaf members.
    EXPECT_FALSE(VerifyDelivery(Message(*receipt), receiver_));
}

TEST(ApiReply, ErrorCodeNameReadsTheErrorObject) {
    ApiReply r;
    r.json = boost::json::parse(R"({"error":{"code":"rate_limited","message":"slow down"}})")
                 .as_object();
    EXPECT_EQ(r.ErrorCodeName(), "rate_limited");
    r.json = boost::json::parse(R"({"error":"flat"})").as_object();
    EXPECT_EQ(r.ErrorCodeName(), "");
}

}  // namespace
}  // namespace concord::server::testing
