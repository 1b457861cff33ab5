#include "concord/ledger/note.hpp"

#include <charconv>
#include <cstring>

#include "concord/core/utf8.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/sha256.hpp"

namespace concord::ledger {
namespace {

constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
constexpr std::size_t kMaxSignatures = 100;

// True if well-formed UTF-8 `s` holds a Unicode White_Space character outside ASCII.
bool ContainsUnicodeSpace(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = Utf8SequenceLength(s, i);
        if (n == 0) {
            return false;
        }
        const char32_t cp = DecodeUtf8(s, i, n);
        i += n;
        if (cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
            cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000) {
            return true;
        }
    }
    return false;
}

Error Malformed(std::string what) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed note: " + std::move(what));
}

std::string KeyIdHex(std::uint32_t id) {
    Bytes b;
    AppendBigEndian<std::uint32_t>(b, id);
    return HexEncode(b);
}

std::string Line(std::string_view name, const Bytes& payload) {
    std::string line(kSignaturePrefix);
    line += name;
    line += ' ';
    line += crypto::Base64Encode(payload);
    line += '\n';
    return line;
}

}  // namespace

std::uint32_t NoteKeyId(std::string_view name, NoteKeyType type, const crypto::PublicKey& key) {
    Bytes input = ToBytes(name);
    input.push_back('\n');
    input.push_back(static_cast<std::uint8_t>(type));
    input.insert(input.end(), key.Bytes().begin(), key.Bytes().end());
    crypto::Hash256 h = crypto::Sha256(input);
    return ReadBigEndian<std::uint32_t>(h);
}

Result<void> CheckKeyName(std::string_view name) {
    if (name.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "key name is empty");
    }
    if (!IsValidUtf8(name)) {
        return MakeError(ErrorCode::kInvalidArgument, "key name is not valid UTF-8");
    }
    for (char c : name) {
        auto u = static_cast<unsigned char>(c);
        if (c == '+' || u <= 0x20 || u == 0x7f) {
            return MakeError(
                ErrorCode::kInvalidArgument, "key name contains '+', a space or a control character"
            );
        }
    }
    if (ContainsUnicodeSpace(name)) {
        return MakeError(ErrorCode::kInvalidArgument, "key name contains a Unicode space");
    }
    return {};
}

std::string NoteVerifier::ToString() const {
    Bytes payload;
    payload.push_back(static_cast<std::uint8_t>(type));
    payload.insert(payload.end(), key.Bytes().begin(), key.Bytes().end());
    return name + "+" + KeyIdHex(key_id) + "+" + crypto::Base64Encode(payload);
}

NoteVerifier MakeVerifier(std::string_view name, NoteKeyType type, const crypto::PublicKey& key) {
    return NoteVerifier{std::string(name), NoteKeyId(name, type, key), type, key};
}

Result<NoteVerifier> ParseVerifierKey(std::string_view vkey) {
    // Names cannot contain '+', but base64 can: split from the left.
    auto middle = vkey.find('+');
    auto last = middle == std::string_view::npos ? middle : vkey.find('+', middle + 1);
    if (last == std::string_view::npos) {
        return MakeError(ErrorCode::kInvalidArgument, "verifier key: expected name+id+key");
    }
    std::string_view name = vkey.substr(0, middle);
    std::string_view id_hex = vkey.substr(middle + 1, last - middle - 1);
    std::string_view key_b64 = vkey.substr(last + 1);
    CONCORD_RETURN_IF_ERROR(CheckKeyName(name));
    if (id_hex.size() != 8) {
        return MakeError(ErrorCode::kInvalidArgument, "verifier key: key id must be 8 hex digits");
    }
    CONCORD_ASSIGN_OR_RETURN(Bytes id_bytes, HexDecode(id_hex));
    CONCORD_ASSIGN_OR_RETURN(Bytes key_bytes, crypto::Base64Decode(key_b64));
    if (key_bytes.size() != 33) {
        return MakeError(
            ErrorCode::kInvalidArgument, "verifier key: key must be a type byte and 32 bytes"
        );
    }
    auto type = static_cast<NoteKeyType>(key_bytes[0]);
    if (type != NoteKeyType::kEd25519 && type != NoteKeyType::kCosignatureV1) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "verifier key: unsupported key type " + std::to_string(key_bytes[0])
        );
    }
    CONCORD_ASSIGN_OR_RETURN(
        crypto::PublicKey key, crypto::PublicKey::FromBytes(ByteSpan(key_bytes).subspan(1))
    );
    std::uint32_t id = ReadBigEndian<std::uint32_t>(id_bytes);
    if (id != NoteKeyId(name, type, key)) {
        return MakeError(
            ErrorCode::kInvalidArgument, "verifier key: key id does not match name and key"
        );
    }
    return NoteVerifier{std::string(name), id, type, key};
}

NoteSigner::NoteSigner(std::string name, crypto::SigningKey key)
    : name_(std::move(name)), key_(std::move(key)) {
    key_id_ = NoteKeyId(name_, NoteKeyType::kEd25519, key_.PublicKey());
}

Result<NoteSigner> NoteSigner::FromPrivateKeyText(std::string_view text) {
    constexpr std::string_view kPrefix = "PRIVATE+KEY+";
    if (text.substr(0, kPrefix.size()) != kPrefix) {
        return MakeError(ErrorCode::kInvalidArgument, "signer key: missing PRIVATE+KEY+ prefix");
    }
    std::string_view rest = text.substr(kPrefix.size());
    while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r')) {
        rest.remove_suffix(1);
    }
    auto middle = rest.find('+');
    auto last = middle == std::string_view::npos ? middle : rest.find('+', middle + 1);
    if (last == std::string_view::npos) {
        return MakeError(ErrorCode::kInvalidArgument, "signer key: expected name+id+key");
    }
    std::string_view name = rest.substr(0, middle);
    CONCORD_RETURN_IF_ERROR(CheckKeyName(name));
    std::string_view id_hex = rest.substr(middle + 1, last - middle - 1);
    if (id_hex.size() != 8) {
        return MakeError(ErrorCode::kInvalidArgument, "signer key: key id must be 8 hex digits");
    }
    CONCORD_ASSIGN_OR_RETURN(Bytes id_bytes, HexDecode(id_hex));
    CONCORD_ASSIGN_OR_RETURN(Bytes seed, crypto::Base64Decode(rest.substr(last + 1)));
    if (seed.size() != 33 || seed[0] != static_cast<std::uint8_t>(NoteKeyType::kEd25519)) {
        return MakeError(
            ErrorCode::kInvalidArgument, "signer key: expected 0x01 and a 32-byte seed"
        );
    }
    auto key = crypto::SigningKey::FromSeed(ByteSpan(seed).subspan(1));
    std::fill(seed.begin(), seed.end(), std::uint8_t{0});
    if (!key) {
        return key.error();
    }
    NoteSigner signer(std::string(name), std::move(*key));
    if (signer.KeyId() != ReadBigEndian<std::uint32_t>(id_bytes)) {
        return MakeError(ErrorCode::kInvalidArgument, "signer key: key id does not match");
    }
    return signer;
}

NoteVerifier NoteSigner::Verifier() const {
    return MakeVerifier(name_, NoteKeyType::kEd25519, key_.PublicKey());
}

std::string NoteSigner::SignatureLine(std::string_view text) const {
    crypto::Signature sig = key_.Sign(AsBytes(text));
    Bytes payload;
    AppendBigEndian<std::uint32_t>(payload, key_id_);
    payload.insert(payload.end(), sig.begin(), sig.end());
    return Line(name_, payload);
}

Cosigner::Cosigner(std::string name, crypto::SigningKey key)
    : name_(std::move(name)), key_(std::move(key)) {
    key_id_ = NoteKeyId(name_, NoteKeyType::kCosignatureV1, key_.PublicKey());
}

NoteVerifier Cosigner::Verifier() const {
    return MakeVerifier(name_, NoteKeyType::kCosignatureV1, key_.PublicKey());
}

std::string CosignatureMessage(std::string_view body, std::uint64_t timestamp) {
    std::string msg = "cosignature/v1\ntime " + std::to_string(timestamp) + "\n";
    msg += body;
    return msg;
}

std::string Cosigner::SignatureLine(std::string_view body, std::uint64_t timestamp) const {
    crypto::Signature sig = key_.Sign(AsBytes(CosignatureMessage(body, timestamp)));
    Bytes payload;
    AppendBigEndian<std::uint32_t>(payload, key_id_);
    AppendU64BigEndian(payload, timestamp);
    payload.insert(payload.end(), sig.begin(), sig.end());
    return Line(name_, payload);
}

Result<void> CheckNoteText(std::string_view text) {
    if (text.empty()) {
        return Malformed("empty text");
    }
    if (text.back() != '\n') {
        return Malformed("text does not end in a newline");
    }
    if (!IsValidUtf8(text)) {
        return Malformed("text is not valid UTF-8");
    }
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\n') || u == 0x7f) {
            return Malformed("text contains a control character");
        }
    }
    return {};
}

Result<Note> ParseNote(std::string_view message) {
    auto split = message.rfind("\n\n");
    if (split == std::string_view::npos) {
        return Malformed("no blank line before the signatures");
    }
    Note note;
    note.text = std::string(message.substr(0, split + 1));
    CONCORD_RETURN_IF_ERROR(CheckNoteText(note.text));
    std::string_view sigs = message.substr(split + 2);
    if (sigs.empty()) {
        return Malformed("no signatures");
    }
    if (!IsValidUtf8(sigs)) {
        return Malformed("signature lines are not valid UTF-8");
    }
    while (!sigs.empty()) {
        auto end = sigs.find('\n');
        if (end == std::string_view::npos) {
            return Malformed("signature line does not end in a newline");
        }
        std::string_view line = sigs.substr(0, end);
        sigs.remove_prefix(end + 1);
        if (line.substr(0, kSignaturePrefix.size()) != kSignaturePrefix) {
            return Malformed("signature line does not start with an em dash and a space");
        }
        line.remove_prefix(kSignaturePrefix.size());
        auto space = line.find(' ');
        if (space == std::string_view::npos) {
            return Malformed("signature line has no space between name and signature");
        }
        std::string_view name = line.substr(0, space);
        if (auto ok = CheckKeyName(name); !ok) {
            return Malformed("signature line: " + ok.error().message);
        }
        auto decoded = crypto::Base64Decode(line.substr(space + 1));
        if (!decoded) {
            return Malformed("signature line: bad base64");
        }
        if (decoded->size() < 5) {
            return Malformed("signature line: signature too short");
        }
        if (note.signatures.size() == kMaxSignatures) {
            return Malformed("more than 100 signatures");
        }
        NoteSignature sig;
        sig.name = std::string(name);
        sig.key_id = ReadBigEndian<std::uint32_t>(*decoded);
        sig.signature.assign(decoded->begin() + 4, decoded->end());
        note.signatures.push_back(std::move(sig));
    }
    return note;
}

Result<std::string> SignNote(std::string_view text, std::span<const NoteSigner* const> signers) {
    CONCORD_RETURN_IF_ERROR(CheckNoteText(text));
    if (signers.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "a note needs at least one signer");
    }
    std::string out(text);
    out += '\n';
    for (const NoteSigner* s : signers) {
        out += s->SignatureLine(text);
    }
    return out;
}

Result<VerifiedNote> VerifyNote(std::string_view message, std::span<const NoteVerifier> known) {
    CONCORD_ASSIGN_OR_RETURN(Note note, ParseNote(message));
    return VerifyNote(std::move(note), known);
}

Result<VerifiedNote> VerifyNote(Note note, std::span<const NoteVerifier> known) {
    VerifiedNote out;
    for (const NoteSignature& sig : note.signatures) {
        const NoteVerifier* verifier = nullptr;
        for (const NoteVerifier& v : known) {
            if (v.name == sig.name && v.key_id == sig.key_id) {
                verifier = &v;
                break;
            }
        }
        if (verifier == nullptr) {
            continue;
        }
        bool ok = false;
        if (verifier->type == NoteKeyType::kEd25519) {
            ok = crypto::Verify(verifier->key, AsBytes(note.text), ByteSpan(sig.signature))
                     .has_value();
        } else if (sig.signature.size() == 8 + 64) {
            std::uint64_t ts = ReadU64BigEndian(sig.signature);
            ok = crypto::Verify(
                     verifier->key,
                     AsBytes(CosignatureMessage(note.text, ts)),
                     ByteSpan(sig.signature).subspan(8)
            )
                     .has_value();
            if (ok) {
                out.cosignature_times.emplace_back(sig.name, ts);
            }
        }
        if (!ok) {
            return MakeError(
                ErrorCode::kUnauthenticated, "note: invalid signature for key " + sig.name
            );
        }
        out.verified_by.push_back(sig.name);
    }
    if (out.verified_by.empty()) {
        return MakeError(ErrorCode::kUnauthenticated, "note: no signature by a known key");
    }
    out.note = std::move(note);
    return out;
}

std::string Checkpoint::Body() const {
    std::string body = origin + "\n" + std::to_string(size) + "\n" +
                       crypto::Base64Encode(ByteSpan(root.data(), root.size())) + "\n";
    for (const std::string& ext : extensions) {
        body += ext;
        body += '\n';
    }
    return body;
}

Result<Checkpoint> ParseCheckpoint(std::string_view body) {
    auto fail = [](std::string what) {
        return MakeError(ErrorCode::kInvalidArgument, "malformed checkpoint: " + std::move(what));
    };
    if (body.empty() || body.back() != '\n') {
        return fail("body must end in a newline");
    }
    std::vector<std::string_view> lines;
    std::string_view rest = body;
    while (!rest.empty()) {
        auto end = rest.find('\n');
        lines.push_back(rest.substr(0, end));
        rest.remove_prefix(end + 1);
    }
    if (lines.size() < 3) {
        return fail("expected origin, size and root hash lines");
    }
    Checkpoint cp;
    if (lines[0].empty()) {
        return fail("empty origin");
    }
    cp.origin = std::string(lines[0]);
    std::string_view size_text = lines[1];
    if (size_text.empty() || (size_text.size() > 1 && size_text[0] == '0')) {
        return fail("tree size is not a canonical decimal number");
    }
    auto [ptr, ec] =
        std::from_chars(size_text.data(), size_text.data() + size_text.size(), cp.size);
    if (ec != std::errc() || ptr != size_text.data() + size_text.size()) {
        return fail("tree size is not a decimal number");
    }
    auto root = crypto::Base64Decode(lines[2]);
    if (!root || root->size() != 32) {
        return fail("root hash is not 32 bytes of base64");
    }
    std::copy(root->begin(), root->end(), cp.root.begin());
    for (std::size_t i = 3; i < lines.size(); ++i) {
        if (lines[i].empty()) {
            return fail("empty extension line");
        }
        cp.extensions.emplace_back(lines[i]);
    }
    return cp;
}

}  // namespace concord::ledger
