#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/sha256.hpp"

namespace concord::ledger {

/// Signature types of C2SP signed-note keys (the byte hashed into the key id).
enum class NoteKeyType : std::uint8_t {
    kEd25519 = 0x01,        ///< C2SP signed-note Ed25519
    kCosignatureV1 = 0x04,  ///< C2SP tlog-cosignature v1 (Ed25519 with a timestamp)
};

/// A public key that can verify note signatures: `name+hex(key id)+base64(type ‖ key)`.
struct NoteVerifier {
    std::string name;
    std::uint32_t key_id{0};
    NoteKeyType type{NoteKeyType::kEd25519};
    crypto::PublicKey key;

    /// The textual verifier key, e.g. "example.com/foo+530d903a+AekyeR...".
    [[nodiscard]] std::string ToString() const;
};

/// Key id = first 4 bytes (big-endian) of SHA-256(name ‖ "\n" ‖ type ‖ public key).
std::uint32_t NoteKeyId(std::string_view name, NoteKeyType type, const crypto::PublicKey& key);

/// Parses a verifier key. kInvalidArgument if malformed, of an unknown type, or if the key id does
/// not match the name and key.
Result<NoteVerifier> ParseVerifierKey(std::string_view vkey);

/// Builds a verifier for `name` and `key`.
NoteVerifier MakeVerifier(std::string_view name, NoteKeyType type, const crypto::PublicKey& key);

/// Checks a key name: non-empty, valid UTF-8, no whitespace, no '+'.
Result<void> CheckKeyName(std::string_view name);

/// Signs note texts with an Ed25519 key under a name (C2SP signed-note, type 0x01). Move-only.
class NoteSigner {
public:
    NoteSigner(std::string name, crypto::SigningKey key);
    /// From Go's private key text "PRIVATE+KEY+name+hex(id)+base64(0x01 ‖ seed)".
    /// kInvalidArgument if malformed or the key id does not match.
    static Result<NoteSigner> FromPrivateKeyText(std::string_view text);

    [[nodiscard]] const std::string& Name() const { return name_; }
    [[nodiscard]] std::uint32_t KeyId() const { return key_id_; }
    [[nodiscard]] NoteVerifier Verifier() const;
    [[nodiscard]] const crypto::SigningKey& Key() const { return key_; }

    /// The signature line "— name base64(id ‖ sig)\n" for `text` (which must be valid note text).
    [[nodiscard]] std::string SignatureLine(std::string_view text) const;

private:
    std::string name_;
    crypto::SigningKey key_;
    std::uint32_t key_id_{0};
};

/// Signs checkpoints as a C2SP tlog-cosignature v1 witness (type 0x04). Move-only.
class Cosigner {
public:
    Cosigner(std::string name, crypto::SigningKey key);
    [[nodiscard]] const std::string& Name() const { return name_; }
    [[nodiscard]] NoteVerifier Verifier() const;

    /// The cosignature line for checkpoint `body` at `timestamp` (seconds since the epoch):
    /// "— name base64(id ‖ u64be(timestamp) ‖ sig)\n", sig over CosignatureMessage(body, ts).
    [[nodiscard]] std::string SignatureLine(std::string_view body, std::uint64_t timestamp) const;

private:
    std::string name_;
    crypto::SigningKey key_;
    std::uint32_t key_id_{0};
};

/// "cosignature/v1\ntime <timestamp>\n" ‖ body: the exact bytes a v1 cosigner signs.
std::string CosignatureMessage(std::string_view body, std::uint64_t timestamp);

/// One signature line of a note.
struct NoteSignature {
    std::string name;
    std::uint32_t key_id{0};
    Bytes signature;  ///< the bytes after the 4-byte key id
};

/// A parsed (not yet verified) signed note.
struct Note {
    std::string text;  ///< everything up to and including the newline before the blank line
    std::vector<NoteSignature> signatures;
};

/// Checks note text: non-empty, valid UTF-8, ends in '\n', no control characters but '\n'.
Result<void> CheckNoteText(std::string_view text);

/// Parses a signed note. kInvalidArgument with the reason if malformed (no blank line before
/// the signatures, bad signature line, bad base64, too many signatures, invalid text).
Result<Note> ParseNote(std::string_view message);

/// Signs `text` with every signer and returns the full note. kInvalidArgument if the text is
/// not valid note text.
Result<std::string> SignNote(std::string_view text, std::span<const NoteSigner* const> signers);

/// A note with the names of the known keys whose signatures verified.
struct VerifiedNote {
    Note note;
    std::vector<std::string> verified_by;
    /// For cosignatures: the timestamp of each verified cosignature, by name.
    std::vector<std::pair<std::string, std::uint64_t>> cosignature_times;
};

/// Parses and verifies a note against `known`. Signatures whose (name, key id) is not in `known`
/// are ignored. kInvalidArgument if malformed; kUnauthenticated if a known key's signature does not
/// verify, or if no known key signed it.
Result<VerifiedNote> VerifyNote(std::string_view message, std::span<const NoteVerifier> known);
/// As above, for a note already parsed with ParseNote.
Result<VerifiedNote> VerifyNote(Note note, std::span<const NoteVerifier> known);

/// The body of a C2SP tlog-checkpoint.
struct Checkpoint {
    std::string origin;
    std::uint64_t size{0};
    crypto::Hash256 root{};
    std::vector<std::string> extensions;

    /// "origin\nsize\nbase64(root)\n" followed by one line per extension.
    [[nodiscard]] std::string Body() const;
};

/// Parses a checkpoint body (the text of a checkpoint note). kInvalidArgument if malformed.
Result<Checkpoint> ParseCheckpoint(std::string_view body);

}  // namespace concord::ledger
