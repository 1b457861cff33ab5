// Witnessing peers' audit logs (DESIGN §4, docs/protocol.md §Witnessing).

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "concord/core/log.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/federation/node.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/witness.hpp"

#include "node_internal.hpp"

namespace concord::federation {

Result<int> Node::WitnessPeers() {
    std::scoped_lock lock(witness_mu_);
    const auto dir = directory();
    int cosigned = 0;
    for (const NodeEntry& peer : dir->nodes) {
        if (peer.id == options_.node_id || peer.revoked) {
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

Result<int> Node::WitnessOne(const NodeEntry& peer) {
    CONCORD_ASSIGN_OR_RETURN(
        crypto::SigningKey key, crypto::SigningKey::FromSeed(keys_.signing.seed().span())
    );
    ledger::Witness witness(
        store_,
        ledger::Cosigner(options_.node_id, std::move(key)),
        {ledger::MakeVerifier(peer.id, ledger::NoteKeyType::kEd25519, peer.signing_key)},
        [this] { return static_cast<std::uint64_t>(Now() / 1000); }
    );
    CONCORD_ASSIGN_OR_RETURN(auto state, witness.Latest(peer.id));
    const std::uint64_t old_size = state ? state->size : 0;
    CONCORD_ASSIGN_OR_RETURN(
        auto reply,
        transport_.Send(peer, "GET", "/fed/v1/checkpoint?old_size=" + std::to_string(old_size), "")
    );
    if (reply.status == 404 && old_size == 0) {
        return 0;  // an empty log: nothing to witness yet
    }
    std::string evidence_note;
    std::string problem;
    if (reply.status == 400 && old_size > 0) {
        // The peer says its log is smaller than what we cosigned: a rollback. Keep its current
        // checkpoint beside ours as evidence.
        auto latest = transport_.Send(peer, "GET", "/fed/v1/checkpoint?old_size=0", "");
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
            counters_.cosigned.fetch_add(1, std::memory_order_relaxed);
            // Hand the cosignature back, so that the peer publishes who witnessed its log (GET
            // /fed/v1/checkpoint "cosigned"). Best effort: the cosignature is already committed
            // here, and the next round sends the next one.
            boost::json::object handed;
            handed["checkpoint"] = checkpoint.note + *added;
            auto sent = transport_.Send(
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
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto earlier,
        tx->Query("SELECT evidence FROM fed_alerts WHERE kind = 'fork' AND peer = $1", {peer.id})
    );
    const bool known = std::any_of(earlier.begin(), earlier.end(), [&](const store::Row& r) {
        return r.Text(0).starts_with(cosigned + "\npresented:");
    });
    if (!known) {
        CONCORD_RETURN_IF_ERROR(RaiseAlert(*tx, "fork", peer.id, problem, evidence));
        CONCORD_RETURN_IF_ERROR(tx->Commit());
    }
    return 0;
}

}  // namespace concord::federation
