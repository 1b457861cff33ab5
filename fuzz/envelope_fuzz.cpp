// Fuzzes the parsers of what a node receives from peers: envelopes, evidence records and
// directories. Any input must give a value or a typed refusal, never a crash or a leak.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/init.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/envelope.hpp"
#include "concord/federation/signed_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool initialized = concord::crypto::Initialize().has_value();
    if (!initialized) {
        return 0;
    }
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto envelope = concord::federation::ParseEnvelope(text)) {
        (void)concord::federation::VerifyEnvelopeSignature(*envelope);
    }
    static const concord::crypto::SigningKey key = concord::crypto::SigningKey::Generate();
    (void)concord::federation::VerifyEvidence(text, key.PublicKey());
    const concord::crypto::PublicKey trusted[] = {key.PublicKey()};
    (void)concord::federation::VerifyDirectory(text, trusted);
    if (auto object = concord::federation::ParseObject(text)) {
        (void)concord::federation::ParseDirectoryBody(*object);
    }
    return 0;
}
