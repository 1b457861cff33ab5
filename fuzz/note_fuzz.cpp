// Fuzz target: C2SP signed notes, verifier keys and checkpoint bodies.
// Invariants: parsing never crashes; a parsed note re-serialises to its input; a note signed here
// verifies, and any change to its text makes verification fail.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "concord/crypto/init.hpp"
#include "concord/ledger/note.hpp"

namespace {

const concord::ledger::NoteSigner& Signer() {
    static const concord::ledger::NoteSigner signer = [] {
        if (!concord::crypto::Initialize()) {
            std::abort();
        }
        std::uint8_t seed[32] = {7};
        return concord::ledger::NoteSigner(
            "fuzz.example/log", *concord::crypto::SigningKey::FromSeed(concord::ByteSpan(seed, 32))
        );
    }();
    return signer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace concord::ledger;  // NOLINT(google-build-using-namespace)
    const NoteSigner& signer = Signer();
    std::string input(reinterpret_cast<const char*>(data), size);

    (void)ParseVerifierKey(input);
    (void)ParseCheckpoint(input);
    auto note = ParseNote(input);
    if (note) {
        (void)ParseCheckpoint(note->text);
        NoteVerifier v = signer.Verifier();
        (void)VerifyNote(input, {&v, 1});
    }
    if (CheckNoteText(input)) {
        const NoteSigner* signers[] = {&signer};
        auto signed_note = SignNote(input, signers);
        if (!signed_note) {
            std::abort();
        }
        NoteVerifier v = signer.Verifier();
        if (!VerifyNote(*signed_note, {&v, 1})) {
            std::abort();
        }
        std::string damaged = *signed_note;
        damaged[0] = damaged[0] == 'a' ? 'b' : 'a';
        if (damaged[0] != (*signed_note)[0] && VerifyNote(damaged, {&v, 1})) {
            std::abort();
        }
    }
    return 0;
}
