// Fuzz target: a witness reading a peer's checkpoint reply (GET /fed/v1/checkpoint, the JSON
// {"checkpoint", "old_size", "size", "consistency"} of docs/protocol.md §Witnessing), through the
// public path federation::Node::WitnessPeers with a Transport that answers with the input.
//
// Input: one control byte, then the reply body. Control bits 0-1 choose the HTTP status (200,
// 400, 404, 503); bit 2 first lets the witness cosign the peer's real checkpoint at size 3, so
// that the input is read as growth from size 3 (with a consistency proof) rather than as a first
// checkpoint. After a 400 the witness asks again for the latest checkpoint and gets the same body
// with 200.
//
// Invariants: no crash, leak or exception, whatever the body; the witness cosigns only a
// checkpoint signed by the peer's key (a cosignature count that grows on a body whose note does
// not verify under that key aborts).
//
// The peer's log and key are fixed, so its replies are the same in every run. Seeds
// (fuzz/corpus/checkpoint_reply/): its replies at sizes 3 and 8, a forked log under the same key,
// and malformed replies; regenerate with CONCORD_FUZZ_WRITE_SEEDS=fuzz/corpus/checkpoint_reply
// build/fuzz/fuzz/fuzz_checkpoint_reply -runs=0.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/bytes.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/box.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/init.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/node.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/log.hpp"
#include "concord/ledger/note.hpp"
#include "concord/store/store.hpp"

#include "fuzz_files.hpp"
#include "fuzz_support.hpp"

namespace {

namespace fed = concord::federation;
namespace ledger = concord::ledger;
using concord::Bytes;
using concord::ByteSpan;

constexpr const char* kPeer = "peer.fuzz";
constexpr const char* kWitness = "witness.fuzz";

using concord::fuzz::Check;
using concord::fuzz::KeyFromByte;
using concord::fuzz::Must;

// Answers every request with the next scripted reply (the last one repeats).
class ScriptedTransport : public fed::Transport {
public:
    void Script(std::vector<Reply> replies) {
        std::scoped_lock lock(mu_);
        replies_.assign(replies.begin(), replies.end());
    }
    concord::Result<Reply> Send(
        const fed::NodeEntry& /*peer*/,
        std::string_view /*method*/,
        std::string_view /*target*/,
        std::string_view /*body*/
    ) override {
        std::scoped_lock lock(mu_);
        if (replies_.empty()) {
            return concord::MakeError(concord::ErrorCode::kUnavailable, "no reply scripted");
        }
        Reply r = replies_.front();
        if (replies_.size() > 1) {
            replies_.pop_front();
        }
        return r;
    }

private:
    std::mutex mu_;
    std::deque<Reply> replies_;
};

// A log of `count` fixed leaves signed as kPeer; returns checkpoint replies at `sizes`, each with
// a consistency proof from `from` (0: none).
std::vector<std::string> PeerReplies(
    const std::filesystem::path& db,
    const std::string& leaf_prefix,
    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& from_to
) {
    std::filesystem::remove(db);
    auto store = Must(concord::store::Store::Open("sqlite:" + db.string()));
    auto log = Must(ledger::Log::Open(*store));
    const ledger::NoteSigner signer(kPeer, KeyFromByte(0x11));
    std::vector<std::string> replies;
    std::uint64_t size = 0;
    for (const auto& [from, to] : from_to) {
        auto tx = Must(store->Begin());
        for (; size < to; ++size) {
            const std::string leaf = leaf_prefix + std::to_string(size);
            Check(log->Append(
                         *tx,
                         ByteSpan(reinterpret_cast<const std::uint8_t*>(leaf.data()), leaf.size())
            )
                      .has_value());
        }
        boost::json::object o;
        o["checkpoint"] = Must(log->MakeCheckpoint(*tx, signer, kPeer));
        o["old_size"] = static_cast<std::int64_t>(from);
        o["size"] = static_cast<std::int64_t>(to);
        boost::json::array proof;
        if (from > 0 && from < to) {
            for (const auto& h : Must(log->ConsistencyProof(*tx, from, to))) {
                proof.emplace_back(concord::crypto::Base64Encode(ByteSpan(h.data(), h.size())));
            }
        }
        o["consistency"] = std::move(proof);
        Check(tx->Commit().has_value());
        replies.push_back(boost::json::serialize(o));
    }
    return replies;
}

struct World {
    std::unique_ptr<concord::store::Store> store;
    ScriptedTransport transport;
    std::unique_ptr<fed::Node> node;
    ledger::NoteVerifier peer_verifier;
    std::string baseline;  ///< the peer's real reply at size 3
};

World& TheWorld() {
    static World* world = [] {
        Check(concord::crypto::Initialize().has_value());
        auto* w = new World();
        const auto dir = concord::fuzz::ScratchDir();
        const auto peer_key = KeyFromByte(0x11);
        fed::NodeEntry peer;
        peer.id = kPeer;
        peer.party = "AA";
        peer.authority = "fuzzed peer";
        peer.roles = {"central_authority"};
        peer.endpoint = "https://127.0.0.1:1";
        peer.signing_key = peer_key.PublicKey();
        peer.box_key = concord::crypto::BoxKeyPair::Generate().PublicKey();
        peer.tls_sha256 = std::string(64, '0');
        peer.languages = {"en"};
        fed::NodeEntry self = peer;
        self.id = kWitness;
        self.authority = "witness";
        auto keys = fed::NodeKeys{KeyFromByte(0x22), concord::crypto::BoxKeyPair::Generate()};
        self.signing_key = keys.signing.PublicKey();
        self.box_key = keys.box.PublicKey();
        auto directory = std::make_shared<fed::Directory>();
        directory->serial = 1;
        directory->nodes = {self, peer};
        w->peer_verifier =
            ledger::MakeVerifier(kPeer, ledger::NoteKeyType::kEd25519, peer.signing_key);
        w->baseline = PeerReplies(dir / "peer.db", "leaf ", {{0, 3}}).front();
        w->store = Must(concord::store::Store::Open("sqlite:" + (dir / "witness.db").string()));
        fed::NodeOptions options;
        options.node_id = kWitness;
        options.now = [] { return std::int64_t{1'800'000'000'000}; };
        w->node = Must(fed::Node::Open(
            *w->store, std::move(keys), std::move(directory), w->transport, std::move(options)
        ));
        return w;
    }();
    return *world;
}

void WriteSeeds(const std::filesystem::path& out) {
    const auto dir = concord::fuzz::ScratchDir();
    const auto good = PeerReplies(dir / "seed-peer.db", "leaf ", {{0, 3}, {3, 8}, {0, 8}});
    const auto fork = PeerReplies(dir / "seed-fork.db", "other ", {{3, 8}});
    using concord::fuzz::WriteSeed;
    WriteSeed(out, "first_size3.bin", std::string(1, '\0') + good[0]);
    WriteSeed(out, "first_size8.bin", std::string(1, '\0') + good[2]);
    WriteSeed(out, "growth_3_to_8.bin", "\x04" + good[1]);
    WriteSeed(out, "fork_3_to_8.bin", "\x04" + fork[0]);
    WriteSeed(out, "rollback_400.bin", std::string("\x05", 1) + good[0]);
    WriteSeed(out, "empty_404.bin", std::string("\x02", 1) + "{}");
    WriteSeed(out, "unavailable_503.bin", std::string("\x03", 1) + "{}");
    WriteSeed(out, "no_checkpoint.bin", std::string(1, '\0') + R"({"consistency":[]})");
    WriteSeed(
        out,
        "bad_hash.bin",
        std::string("\x04", 1) + R"({"checkpoint":"x","consistency":["AAAA","!!",7]})"
    );
    WriteSeed(out, "not_json.bin", std::string(1, '\0') + "[1,2");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    TheWorld();
    if (const auto dir = concord::fuzz::SeedDir(); !dir.empty()) {
        WriteSeeds(dir);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    World& w = TheWorld();
    // Forget what was witnessed before, so that each input starts from the same state.
    {
        auto tx = Must(w.store->Begin());
        Check(tx->Execute("DELETE FROM witness_state").has_value());
        Check(tx->Commit().has_value());
    }
    {
        // Alerts are kept apart so that their table's layout is no precondition of this target.
        auto tx = Must(w.store->Begin());
        if (tx->Execute("DELETE FROM fed_alerts")) {
            (void)tx->Commit();
        }
    }
    const std::uint8_t control = data[0];
    const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    static constexpr unsigned kStatus[] = {200, 400, 404, 503};
    if ((control & 4) != 0) {
        w.transport.Script({{200, w.baseline}});
        Check(Must(w.node->WitnessPeers()) == 1);
    }
    const auto before = w.node->Counters().cosigned.load();
    w.transport.Script({{kStatus[control & 3], body}, {200, body}});
    (void)w.node->WitnessPeers();
    if (w.node->Counters().cosigned.load() != before) {
        // Cosigned: the body must carry a checkpoint that the peer's key signed.
        auto object = Must(fed::ParseObject(body));
        auto note = Must(fed::GetString(object, "checkpoint"));
        Check(ledger::VerifyNote(note, std::span(&w.peer_verifier, 1)).has_value());
    }
    return 0;
}
