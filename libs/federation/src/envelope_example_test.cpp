// Reproduces the worked example of docs/formats/envelope.md from the document itself.

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "concord/crypto/base64.hpp"
#include "concord/crypto/init.hpp"
#include "concord/federation/envelope.hpp"
#include "concord/federation/signed_json.hpp"

namespace concord::federation {
namespace {

// The fenced blocks of the document whose info string is "<lang> example:<name>", by name.
std::map<std::string, std::string> ExampleBlocks() {
    std::ifstream in(std::filesystem::path(CONCORD_SOURCE_DIR) / "docs/formats/envelope.md");
    std::map<std::string, std::string> blocks;
    std::string line;
    std::string name;
    std::string text;
    bool inside = false;
    while (std::getline(in, line)) {
        if (!inside && line.rfind("```", 0) == 0 && line.find(" example:") != std::string::npos) {
            name = line.substr(line.find(" example:") + 9);
            text.clear();
            inside = true;
        } else if (inside && line == "```") {
            if (!text.empty() && text.back() == '\n') {
                text.pop_back();
            }
            blocks[name] = text;
            inside = false;
        } else if (inside) {
            text += line + "\n";
        }
    }
    return blocks;
}

// "name value" lines of a block.
std::map<std::string, std::string> Pairs(const std::string& block) {
    std::map<std::string, std::string> out;
    std::istringstream in(block);
    std::string key;
    std::string value;
    while (in >> key >> value) {
        out[key] = value;
    }
    return out;
}

TEST(EnvelopeExampleTest, DocumentedExampleVerifiesAndReproduces) {
    ASSERT_TRUE(crypto::Initialize());
    auto blocks = ExampleBlocks();
    for (const char* name :
         {"keys",
          "public-keys",
          "plaintext",
          "associated-data",
          "envelope",
          "envelope-sha256",
          "receipt"}) {
        ASSERT_TRUE(blocks.contains(name)) << "docs/formats/envelope.md lacks example:" << name;
    }
    auto keys = Pairs(blocks["keys"]);
    auto publics = Pairs(blocks["public-keys"]);
    auto bytes = [&](const std::string& name) { return HexDecode(keys.at(name)).value(); };
    auto fr_sign = crypto::SigningKey::FromSeed(bytes("fr.central.signing_seed")).value();
    auto fr_box = crypto::BoxKeyPair::FromSecret(bytes("fr.central.box_secret")).value();
    auto hu_sign = crypto::SigningKey::FromSeed(bytes("hu.poc.signing_seed")).value();
    auto hu_box = crypto::BoxKeyPair::FromSecret(bytes("hu.poc.box_secret")).value();
    auto b64 = [](const auto& k) { return crypto::Base64Encode(ByteSpan(k.data(), k.size())); };
    EXPECT_EQ(publics.at("fr.central.signing_key"), b64(fr_sign.PublicKey().Bytes()));
    EXPECT_EQ(publics.at("fr.central.box_key"), b64(fr_box.PublicKey()));
    EXPECT_EQ(publics.at("hu.poc.signing_key"), b64(hu_sign.PublicKey().Bytes()));
    EXPECT_EQ(publics.at("hu.poc.box_key"), b64(hu_box.PublicKey()));

    auto envelope = ParseEnvelope(blocks["envelope"]);
    ASSERT_TRUE(envelope) << envelope.error().message;
    EXPECT_EQ(envelope->canonical, blocks["envelope"]) << "the example is not in canonical form";
    EXPECT_EQ(envelope->key, fr_sign.PublicKey());
    EXPECT_TRUE(VerifyEnvelopeSignature(*envelope));
    EXPECT_EQ(HashHex(envelope->hash), blocks["envelope-sha256"]);
    auto header = ParseObject(blocks["envelope"]).value();
    for (const char* member : {"body", "key", "sig"}) {
        header.erase(member);
    }
    EXPECT_EQ(CanonicalText(header), blocks["associated-data"]);
    auto body = OpenEnvelopeBody(*envelope, fr_box.PublicKey(), hu_box);
    ASSERT_TRUE(body) << body.error().ToString();
    EXPECT_EQ(*body, blocks["plaintext"]);

    auto receipt = VerifyEvidence(blocks["receipt"], hu_sign.PublicKey());
    ASSERT_TRUE(receipt) << receipt.error().ToString();
    EXPECT_EQ(receipt->envelope_sha256, blocks["envelope-sha256"]);
    auto resigned = SignEvidence(*receipt, hu_sign);
    ASSERT_TRUE(resigned);
    EXPECT_EQ(*resigned, blocks["receipt"]);
}

}  // namespace
}  // namespace concord::federation
