// Witnessing peers' audit logs (DESIGN §4, docs/protocol.md §Witnessing).

#include "witnessing.hpp"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/log.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/witness.hpp"

namespace concord::federation::internal {
namespace {

constexpr std::string_view kSelectLatestCosigned =
    "SELECT note, line FROM fed_cosignatures WHERE size = (SELECT MAX(size) FROM "
    "fed_cosignatures) ORDER BY witness";
constexpr std::string_view kInsertCosignature =
    "INSERT INTO fed_cosignatures (size, witness, note, line, created_ms) VALUES ($1, $2, $3, $4, "
    "$5) ON CONFLICT DO NOTHING";
constexpr std::string_view kSelectAlertEvidence =
    "SELECT evidence FROM fed_alerts WHERE kind = $1 AND peer = $2";

}  // namespace

Result<int> Witnessing::WitnessPeers() {
    MutexLock lock(round_mu_);
    const auto dir = context_.Directory();
    int cosigned = 0;
    for (const NodeEntry& peer : dir->nodes) {
        if (peer.id == context_.options.node_id || peer.revoked) {
            continue;
        }
        auto one = WitnessOne(peer);
        if (one) {
            cosigned += *one;
        } else {
            log::Info(
                "witnessing: peer not reached", {{"peer", peer.id}, {"error", one.error().message}}
            );
        }
    }
    return cosigned;
}

namespace {

struct PeerCheckpoint {
    std::string note;
    std::vector<ledger::Hash256> proof;
};

Result<PeerCheckpoint> ParseCheckpointReply(const std::string& body) {
    CONCORD_ASSIGN_OR_RETURN(boost::json::object o, ParseObject(body));
    PeerCheckpoint out;
    CONCORD_ASSIGN_OR_RETURN(out.note, GetString(o, "checkpoint"));
    CONCORD_ASSIGN_OR_RETURN(const boost::json::array* proof, GetArray(o, "consistency"));
    for (const auto& v : *proof) {
        if (!v.is_string()) {
            return MakeError(ErrorCode::kInvalidArgument, "consistency: expected base64 strings");
        }
        CONCORD_ASSIGN_OR_RETURN(Bytes bytes, crypto::Base64Decode(v.as_string()));
        CONCORD_ASSIGN_OR_RETURN(ledger::Hash256 hash, ledger::HashFromBytes(bytes));
        out.proof.push_back(hash);
    }
    return out;
}

}  // namespace

Result<int> Witnessing::WitnessOne(const NodeEntry& peer) {
    CONCORD_ASSIGN_OR_RETURN(
        crypto::SigningKey key, crypto::SigningKey::FromSeed(context_.keys.signing.Seed().Span())
    );
    ledger::Witness witness(
        context_.store,
        ledger::Cosigner(context_.options.node_id, std::move(key)),
        {ledger::MakeVerifier(peer.id, ledger::NoteKeyType::kEd25519, peer.signing_key)},
        [this] { return static_cast<std::uint64_t>(context_.Now() / 1000); }
    );
    CONCORD_ASSIGN_OR_RETURN(auto state, witness.Latest(peer.id));
    const std::uint64_t old_size = state ? state->size : 0;
    CONCORD_ASSIGN_OR_RETURN(
        auto reply,
        context_.transport.Send(
            peer, "GET", "/fed/v1/checkpoint?old_size=" + std::to_string(old_size), ""
        )
    );
    if (reply.status == 404 && old_size == 0) {
        return 0;  // an empty log: nothing to witness yet
    }
    std::string evidence_note;
    std::string problem;
    if (reply.status == 400 && old_size > 0) {
        // The peer says its log is smaller than what we cosigned: a rollback. Keep its current
        // checkpoint beside ours as evidence.
        auto latest = context_.transport.Send(peer, "GET", "/fed/v1/checkpoint?old_size=0", "");
        if (latest && latest->status == 200) {
            if (auto parsed = ParseCheckpointReply(latest->body)) {
                evidence_note = parsed->note;
            }
        }
        problem = "the peer's log is smaller than the " + std::to_string(old_size) +
                  " entries already cosigned (rolled back)";
    } else if (reply.status != 200) {
        return MakeError(ErrorCode::kUnavailable, "HTTP " + std::to_string(reply.status));
    } else {
        CONCORD_ASSIGN_OR_RETURN(PeerCheckpoint checkpoint, ParseCheckpointReply(reply.body));
        auto added = witness.AddCheckpoint(old_size, checkpoint.proof, checkpoint.note);
        if (added) {
            context_.counters.cosigned.fetch_add(1, std::memory_order_relaxed);
            // Hand the cosignature back, so that the peer publishes who witnessed its log (GET
            // /fed/v1/checkpoint "cosigned"). Best effort: the cosignature is already committed
            // here, and the next round sends the next one.
            boost::json::object handed;
            handed["checkpoint"] = checkpoint.note + *added;
            auto sent = context_.transport.Send(
                peer, "POST", "/fed/v1/cosignature", boost::json::serialize(handed)
            );
            if (!sent || sent->status != 200) {
                log::Warning(
                    "witness: the peer did not take its cosignature",
                    {{"peer", peer.id},
                     {"error",
                      sent ? "HTTP " + std::to_string(sent->status) : sent.error().ToString()}}
                );
            }
            return 1;
        }
        if (added.error().code != ErrorCode::kCorruption &&
            added.error().code != ErrorCode::kUnauthenticated) {
            return tl::unexpected(added.error());
        }
        evidence_note = checkpoint.note;
        problem = "inconsistent history: " + added.error().message;
    }
    // One alert per cosigned checkpoint that the peer contradicts, however often it is asked.
    const std::string cosigned = "cosigned:\n" + (state ? state->checkpoint : std::string());
    const std::string evidence = cosigned + "\npresented:\n" + evidence_note;
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto earlier, tx->Query(kSelectAlertEvidence, {Sql(AlertKind::kFork), peer.id})
    );
    const bool known = std::any_of(earlier.begin(), earlier.end(), [&](const store::Row& r) {
        return r.Text("evidence").starts_with(cosigned + "\npresented:");
    });
    if (!known) {
        CONCORD_RETURN_IF_ERROR(
            context_.RaiseAlert(*tx, AlertKind::kFork, peer.id, problem, evidence)
        );
        CONCORD_RETURN_IF_ERROR(tx->Commit());
    }
    return 0;
}

Result<std::string> Witnessing::CheckpointReply(std::uint64_t old_size) {
    ledger::Log& log = *context_.log;
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t size, log.Size(*tx));
    if (old_size > size) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "old_size " + std::to_string(old_size) + " exceeds the log size " + std::to_string(size)
        );
    }
    if (size == 0) {
        return MakeError(ErrorCode::kNotFound, "the log is empty");
    }
    CONCORD_ASSIGN_OR_RETURN(
        std::string note, log.MakeCheckpoint(*tx, context_.signer, context_.options.node_id, size)
    );
    boost::json::array proof;
    if (old_size > 0 && old_size < size) {
        CONCORD_ASSIGN_OR_RETURN(auto hashes, log.ConsistencyProof(*tx, old_size, size));
        for (const auto& h : hashes) {
            proof.emplace_back(crypto::Base64Encode(ByteSpan(h.data(), h.size())));
        }
    }
    CONCORD_ASSIGN_OR_RETURN(auto cosigned, tx->Query(kSelectLatestCosigned));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    boost::json::object o;
    o["checkpoint"] = note;
    o["old_size"] = ToSql(old_size);
    o["size"] = ToSql(size);
    o["consistency"] = std::move(proof);
    if (!cosigned.empty()) {
        // This node's signed checkpoint followed by every cosignature line it holds for it: a
        // valid C2SP note that anyone can check against the witnesses' keys.
        std::string text = cosigned.front().Text("note");
        for (const auto& r : cosigned) {
            text += r.Text("line");
        }
        o["cosigned"] = text;
    }
    return boost::json::serialize(o);
}

Result<int> Witnessing::AcceptCosignature(std::string_view body) {
    constexpr std::size_t kMaxNoteBytes = std::size_t{64} * 1024;
    CONCORD_ASSIGN_OR_RETURN(boost::json::object o, ParseObject(body));
    CONCORD_ASSIGN_OR_RETURN(std::string text, GetString(o, "checkpoint"));
    if (text.size() > kMaxNoteBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "checkpoint note too large");
    }
    CONCORD_ASSIGN_OR_RETURN(ledger::Note note, ledger::ParseNote(text));
    CONCORD_ASSIGN_OR_RETURN(ledger::Checkpoint cp, ledger::ParseCheckpoint(note.text));
    const std::string& self = context_.options.node_id;
    if (cp.origin != self) {
        return MakeError(ErrorCode::kInvalidArgument, "not a checkpoint of " + self);
    }
    // This node signed it (so its root is this log's at that size).
    const ledger::NoteVerifier own = context_.signer.Verifier();
    auto signed_by_us = ledger::VerifyNote(note, std::span(&own, 1));
    if (!signed_by_us) {
        return MakeError(
            ErrorCode::kInvalidArgument, "the checkpoint is not signed by this node's log key"
        );
    }
    // Cosigners: current directory nodes, as C2SP tlog-cosignature v1 keys named by node id.
    const auto dir = context_.Directory();
    std::vector<ledger::NoteVerifier> witnesses;
    for (const auto& n : dir->nodes) {
        if (n.id != self && !n.revoked) {
            witnesses.push_back(
                ledger::MakeVerifier(n.id, ledger::NoteKeyType::kCosignatureV1, n.signing_key)
            );
        }
    }
    auto verified = ledger::VerifyNote(note, witnesses);
    if (!verified) {
        return MakeError(
            ErrorCode::kUnauthenticated,
            "no valid cosignature of a listed node: " + verified.error().message
        );
    }
    // This node's own note: the text and its signature line, without anything else.
    const std::string own_note = note.text + "\n" + context_.signer.SignatureLine(note.text);
    const std::int64_t now = context_.Now();
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    int kept = 0;
    for (const auto& sig : note.signatures) {
        const bool valid =
            std::find(verified->verified_by.begin(), verified->verified_by.end(), sig.name) !=
                verified->verified_by.end() &&
            std::any_of(witnesses.begin(), witnesses.end(), [&](const auto& w) {
                return w.name == sig.name && w.key_id == sig.key_id;
            });
        if (!valid) {
            continue;
        }
        Bytes raw;
        AppendBigEndian(raw, sig.key_id);
        raw.insert(raw.end(), sig.signature.begin(), sig.signature.end());
        const std::string line = "\u2014 " + sig.name + " " + crypto::Base64Encode(raw) + "\n";
        CONCORD_RETURN_IF_ERROR(
            tx->Execute(kInsertCosignature, {ToSql(cp.size), sig.name, own_note, line, now})
        );
        ++kept;
    }
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return kept;
}

}  // namespace concord::federation::internal
