#include "concord/ledger/proof_file.hpp"

#include <algorithm>
#include <charconv>
#include <functional>

#include <boost/json.hpp>

#include "concord/crypto/base64.hpp"

namespace concord::ledger {
namespace {

constexpr std::string_view kHeader = "c2sp.org/tlog-proof@v1\n";

Error Malformed(std::string what) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed tlog-proof: " + std::move(what));
}

Result<std::uint64_t> ParseDecimal(std::string_view text) {
    std::uint64_t v = 0;
    if (text.empty() || (text.size() > 1 && text[0] == '0')) {
        return Malformed("not a canonical decimal number");
    }
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
        return Malformed("not a decimal number");
    }
    return v;
}

std::string HashB64(const Hash256& h) {
    return crypto::Base64Encode(ByteSpan(h.data(), h.size()));
}

Result<Hash256> HashFromBase64(std::string_view text) {
    CONCORD_ASSIGN_OR_RETURN(Bytes b, crypto::Base64Decode(text));
    return HashFromBytes(b);
}

}  // namespace

std::string FormatTlogProof(const TlogProof& proof) {
    std::string out(kHeader);
    if (proof.extra) {
        out += "extra " + crypto::Base64Encode(*proof.extra) + "\n";
    }
    out += "index " + std::to_string(proof.index) + "\n";
    for (const Hash256& h : proof.hashes) {
        out += HashB64(h) + "\n";
    }
    out += "\n";
    out += proof.checkpoint;
    return out;
}

Result<TlogProof> ParseTlogProof(std::string_view text) {
    if (text.substr(0, kHeader.size()) != kHeader) {
        return Malformed("missing c2sp.org/tlog-proof@v1 header");
    }
    text.remove_prefix(kHeader.size());
    auto next_line = [&text]() -> std::optional<std::string_view> {
        auto end = text.find('\n');
        if (end == std::string_view::npos) {
            return std::nullopt;
        }
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end + 1);
        return line;
    };
    TlogProof proof;
    auto line = next_line();
    if (line && line->substr(0, 6) == "extra ") {
        auto extra = crypto::Base64Decode(line->substr(6));
        if (!extra) {
            return Malformed("bad base64 in extra line");
        }
        proof.extra = std::move(*extra);
        line = next_line();
    }
    if (!line || line->substr(0, 6) != "index ") {
        return Malformed("missing index line");
    }
    CONCORD_ASSIGN_OR_RETURN(proof.index, ParseDecimal(line->substr(6)));
    while (true) {
        line = next_line();
        if (!line) {
            return Malformed("missing blank line before the checkpoint");
        }
        if (line->empty()) {
            break;
        }
        auto h = HashFromBase64(*line);
        if (!h) {
            return Malformed("bad proof hash: " + h.error().message);
        }
        proof.hashes.push_back(*h);
        if (proof.hashes.size() > 64) {
            return Malformed("more than 64 proof hashes");
        }
    }
    if (text.empty()) {
        return Malformed("missing checkpoint");
    }
    proof.checkpoint = std::string(text);
    return proof;
}

namespace {

// `log_keys_of(checkpoint)` picks the keys that stand for the log; `keys` are all known keys.
Result<std::string> VerifyTlogProofWith(
    const TlogProof& proof,
    ByteSpan leaf_data,
    std::span<const NoteVerifier> keys,
    const std::function<std::vector<NoteVerifier>(const Checkpoint&)>& log_keys_of,
    std::optional<std::string_view> origin
) {
    CONCORD_ASSIGN_OR_RETURN(Note parsed, ParseNote(proof.checkpoint));
    CONCORD_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(parsed.text));
    if (origin && cp.origin != *origin) {
        return MakeError(
            ErrorCode::kUnauthenticated,
            "checkpoint origin is " + cp.origin + ", expected " + std::string(*origin)
        );
    }
    // The log's own signature is checked against the log's keys alone, so that a witness key of
    // the same name can never stand in for it.
    const std::vector<NoteVerifier> log_keys = log_keys_of(cp);
    auto log_signed = log_keys.empty()
                          ? Result<VerifiedNote>(MakeError(ErrorCode::kUnauthenticated, ""))
                          : VerifyNote(parsed, log_keys);
    if (!log_signed) {
        if (log_signed.error().code == ErrorCode::kInvalidArgument) {
            return tl::unexpected(log_signed.error());
        }
        return MakeError(
            ErrorCode::kUnauthenticated,
            "checkpoint is not signed by a known key of log " + cp.origin
        );
    }
    CONCORD_ASSIGN_OR_RETURN(VerifiedNote verified, VerifyNote(std::move(parsed), keys));
    CONCORD_RETURN_IF_ERROR(
        VerifyInclusion(proof.index, cp.size, LeafHash(leaf_data), proof.hashes, cp.root)
    );
    std::string summary = "OK: entry " + std::to_string(proof.index) + " is in " + cp.origin +
                          " at size " + std::to_string(cp.size) + ", signed by";
    for (const std::string& name : verified.verified_by) {
        summary += " " + name;
    }
    return summary;
}

}  // namespace

Result<std::string> VerifyTlogProof(
    const TlogProof& proof,
    ByteSpan leaf_data,
    std::span<const NoteVerifier> keys,
    std::optional<std::string_view> origin
) {
    // Without a separate list of log keys, the log's key is the Ed25519 key named as the origin.
    return VerifyTlogProofWith(
        proof,
        leaf_data,
        keys,
        [keys](const Checkpoint& cp) {
            std::vector<NoteVerifier> out;
            for (const NoteVerifier& k : keys) {
                if (k.name == cp.origin && k.type == NoteKeyType::kEd25519) {
                    out.push_back(k);
                }
            }
            return out;
        },
        origin
    );
}

Result<std::string> VerifyTlogProof(
    const TlogProof& proof,
    ByteSpan leaf_data,
    std::span<const NoteVerifier> log_keys,
    std::span<const NoteVerifier> witness_keys,
    std::optional<std::string_view> origin
) {
    if (log_keys.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "no key of the log given");
    }
    std::vector<NoteVerifier> keys(log_keys.begin(), log_keys.end());
    keys.insert(keys.end(), witness_keys.begin(), witness_keys.end());
    return VerifyTlogProofWith(
        proof,
        leaf_data,
        keys,
        [log_keys](const Checkpoint&) {
            return std::vector<NoteVerifier>(log_keys.begin(), log_keys.end());
        },
        origin
    );
}

namespace {

Result<std::uint64_t> JsonUint(const boost::json::object& obj, std::string_view key) {
    const boost::json::value* v = obj.if_contains(key);
    if (v == nullptr) {
        return MakeError(ErrorCode::kInvalidArgument, "proof JSON: missing " + std::string(key));
    }
    if (v->is_uint64()) {
        return v->as_uint64();
    }
    if (v->is_int64() && v->as_int64() >= 0) {
        return static_cast<std::uint64_t>(v->as_int64());
    }
    return MakeError(
        ErrorCode::kInvalidArgument, "proof JSON: " + std::string(key) + " is not a size"
    );
}

Result<Hash256> JsonHash(const boost::json::object& obj, std::string_view key) {
    const boost::json::value* v = obj.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return MakeError(ErrorCode::kInvalidArgument, "proof JSON: missing " + std::string(key));
    }
    auto h = HashFromBase64(std::string_view(v->as_string()));
    if (!h) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "proof JSON: " + std::string(key) + ": " + h.error().message
        );
    }
    return *h;
}

Result<std::vector<Hash256>> JsonProof(const boost::json::object& obj) {
    std::vector<Hash256> out;
    const boost::json::value* v = obj.if_contains("proof");
    if (v == nullptr || v->is_null()) {
        return out;
    }
    if (!v->is_array()) {
        return MakeError(ErrorCode::kInvalidArgument, "proof JSON: proof is not an array");
    }
    for (const boost::json::value& item : v->as_array()) {
        if (!item.is_string()) {
            return MakeError(
                ErrorCode::kInvalidArgument, "proof JSON: proof element is not a string"
            );
        }
        auto h = HashFromBase64(std::string_view(item.as_string()));
        if (!h) {
            return MakeError(
                ErrorCode::kInvalidArgument, "proof JSON: proof element: " + h.error().message
            );
        }
        out.push_back(*h);
    }
    return out;
}

}  // namespace

Result<std::string> VerifyJsonProof(std::string_view json, std::optional<ByteSpan> leaf_data) {
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(json, ec);
    if (ec || !doc.is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "proof JSON: not a JSON object");
    }
    const boost::json::object& obj = doc.as_object();
    if (obj.contains("leafIdx")) {
        CONCORD_ASSIGN_OR_RETURN(std::uint64_t index, JsonUint(obj, "leafIdx"));
        CONCORD_ASSIGN_OR_RETURN(std::uint64_t size, JsonUint(obj, "treeSize"));
        CONCORD_ASSIGN_OR_RETURN(Hash256 root, JsonHash(obj, "root"));
        CONCORD_ASSIGN_OR_RETURN(Hash256 leaf_hash, JsonHash(obj, "leafHash"));
        CONCORD_ASSIGN_OR_RETURN(std::vector<Hash256> proof, JsonProof(obj));
        if (leaf_data && LeafHash(*leaf_data) != leaf_hash) {
            return MakeError(ErrorCode::kUnauthenticated, "leaf data does not match leafHash");
        }
        CONCORD_RETURN_IF_ERROR(VerifyInclusion(index, size, leaf_hash, proof, root));
        return "OK: inclusion of leaf " + std::to_string(index) + " in tree of size " +
               std::to_string(size);
    }
    if (obj.contains("size1")) {
        CONCORD_ASSIGN_OR_RETURN(std::uint64_t size1, JsonUint(obj, "size1"));
        CONCORD_ASSIGN_OR_RETURN(std::uint64_t size2, JsonUint(obj, "size2"));
        CONCORD_ASSIGN_OR_RETURN(Hash256 root1, JsonHash(obj, "root1"));
        CONCORD_ASSIGN_OR_RETURN(Hash256 root2, JsonHash(obj, "root2"));
        CONCORD_ASSIGN_OR_RETURN(std::vector<Hash256> proof, JsonProof(obj));
        CONCORD_RETURN_IF_ERROR(VerifyConsistency(size1, size2, proof, root1, root2));
        return "OK: tree of size " + std::to_string(size1) + " is consistent with tree of size " +
               std::to_string(size2);
    }
    return MakeError(
        ErrorCode::kInvalidArgument,
        "proof JSON: neither an inclusion (leafIdx) nor a consistency (size1) proof"
    );
}

}  // namespace concord::ledger
