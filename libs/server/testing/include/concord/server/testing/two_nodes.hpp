#pragma once

// Test support of the server's in-process tests: two nodes over real HTTPS on loopback,
// fr.central (FR central authority) and hu.poc (HU 24/7 point of contact), with the signed
// directory that lists them. Header-only (it calls concord::server, which a test links); used by
// the server's service and matrix tests and the CLI's case command tests.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/net/stream.hpp"
#include "concord/server/init.hpp"
#include "concord/server/testing/ports.hpp"

namespace concord::server::test_util {

/// A loopback TCP port held by this process (testing::ReservePort); throws if none can be had,
/// which the test framework reports as the test's failure.
inline std::uint16_t FreePort() {
    auto port = testing::ReservePort();
    if (!port) {
        throw std::runtime_error(port.error().ToString());
    }
    return *port;
}

/// The whole text of a file (empty if it cannot be read).
inline std::string ReadText(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// What a lost disk takes from the node whose config is `config_file` (SQLite store beside it):
/// the store, the keys and the blob folder `blob_dir` (not the config, the passphrase or the
/// directory, which the operator keeps apart).
inline void LoseNodeDisk(
    const std::filesystem::path& config_file, const std::filesystem::path& blob_dir
) {
    const auto node = config_file.parent_path();
    for (const char* f :
         {"node.db", "node.db-wal", "node.db-shm", "node.key", "tls.key", "tls.crt"}) {
        std::filesystem::remove(node / f);
    }
    std::filesystem::remove_all(blob_dir);
}

/// Polls `done` every 20 ms until it is true (true) or `limit` passes (false).
inline bool WaitFor(
    const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(60)
) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

/// An upload body that sends the first `cut` bytes of `data` and then fails as a client whose
/// connection broke (kUnavailable). `data` must outlive it.
class CutOffBody final : public net::BodySource {
public:
    CutOffBody(std::string_view data, std::size_t cut) : data_(data), cut_(cut) {}
    Result<size_t> Read(std::span<std::uint8_t> buffer) override {
        if (sent_ >= cut_) {
            return MakeError(ErrorCode::kUnavailable, "the connection broke");
        }
        const std::size_t n = std::min(buffer.size(), cut_ - sent_);
        std::copy_n(data_.data() + sent_, n, buffer.data());
        sent_ += n;
        return n;
    }

private:
    std::string_view data_;
    std::size_t cut_;
    std::size_t sent_{0};
};

/// The repository's example expedited-preservation request (FR to HU), dated today.
inline boost::json::value ExamplePreservationRequest() {
    auto request = boost::json::parse(ReadText(
        std::filesystem::path(CONCORD_SOURCE_DIR) /
        "instruments/examples/expedited-preservation.json"
    ));
    request.as_object()["date"] = FormatTimestamp(NowMillis()).substr(0, 10);
    return request;
}

/// The POST /api/v1/messages body that sends `request` to hu.poc as an emergency request (a
/// bare message: no case, so no signed approval).
inline std::string EmergencySubmissionToHu(const boost::json::value& request) {
    boost::json::object submit;
    submit["to"] = "hu.poc";
    submit["type"] = "request";
    submit["priority"] = "emergency";
    submit["body"] = request;
    return boost::json::serialize(submit);
}

/// `concord init` of fr.central and hu.poc under `dir` (fast key derivation, the directory
/// `dir`/directory.json trusted under `directory_key`).
inline Result<std::vector<InitResult>> InitTwoNodes(
    const std::filesystem::path& dir, const crypto::SigningKey& directory_key
) {
    const auto& pk = directory_key.PublicKey().Bytes();
    const std::string directory_pub = crypto::Base64Encode(ByteSpan(pk.data(), pk.size()));
    const std::pair<const char*, const char*> who[] = {
        {"fr.central", "central_authority"}, {"hu.poc", "point_of_contact_24_7"}};
    std::vector<InitResult> inits;
    for (const auto& [id, role] : who) {
        InitOptions o;
        o.dir = dir / id;
        o.node_id = id;
        o.party = std::string(id).substr(0, 2) == "fr" ? "FR" : "HU";
        o.roles = {role};
        o.authority = id;
        o.listen = "127.0.0.1:" + std::to_string(FreePort());
        o.api_listen = "127.0.0.1:" + std::to_string(FreePort());
        o.passphrase = "test passphrase";
        o.write_passphrase_file = true;
        o.fast_key_derivation = true;
        o.directory_file = dir / "directory.json";
        o.directory_keys = {directory_pub};
        CONCORD_ASSIGN_OR_RETURN(InitResult r, InitNode(o));
        inits.push_back(std::move(r));
    }
    return inits;
}

/// Writes `dir`/directory.json: parties FR and HU, the nodes of `inits` under `serial`, the node
/// `revoked` (if not empty) marked revoked, signed by `key`.
inline Result<void> WriteDirectory(
    const std::filesystem::path& dir,
    const std::vector<InitResult>& inits,
    const crypto::SigningKey& key,
    std::int64_t serial,
    std::string_view revoked = ""
) {
    boost::json::object body;
    body["format"] = "concord-directory/1";
    body["serial"] = serial;
    body["issued"] = FormatTimestamp(NowMillis());
    boost::json::array parties;
    for (const char* code : {"FR", "HU"}) {
        boost::json::object p;
        p["code"] = code;
        p["name"] = code;
        p["languages"] = boost::json::array{"en"};
        p["instruments"] = boost::json::array();
        parties.push_back(std::move(p));
    }
    body["parties"] = std::move(parties);
    boost::json::array nodes;
    for (const auto& r : inits) {
        auto entry = r.entry;
        entry.revoked = !revoked.empty() && entry.id == revoked;
        nodes.push_back(federation::NodeEntryToJson(entry));
    }
    body["nodes"] = std::move(nodes);
    const crypto::SigningKey* keys[] = {&key};
    CONCORD_ASSIGN_OR_RETURN(
        std::string text, federation::SignDirectory(federation::CanonicalText(body), keys)
    );
    std::ofstream(dir / "directory.json", std::ios::trunc) << text;
    return {};
}

}  // namespace concord::server::test_util
