#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/time.hpp"
#include "concord/crypto/init.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/node.hpp"
#include "concord/federation/signed_json.hpp"

namespace concord::federation::testing {

/// A node identity for tests: keys and its directory entry.
struct TestIdentity {
    NodeKeys keys;
    NodeEntry entry;
};

inline TestIdentity MakeIdentity(
    std::string id, std::string party, std::vector<std::string> roles
) {
    TestIdentity t{NodeKeys{crypto::SigningKey::Generate(), crypto::BoxKeyPair::Generate()}, {}};
    t.entry.id = std::move(id);
    t.entry.party = std::move(party);
    t.entry.authority = "Authority of " + t.entry.id;
    t.entry.roles = std::move(roles);
    t.entry.endpoint = "https://127.0.0.1:1";
    t.entry.tls_sha256 = std::string(64, 'a');  // never dialled: the tests connect in-process
    t.entry.signing_key = t.keys.signing.PublicKey();
    t.entry.box_key = t.keys.box.PublicKey();
    t.entry.languages = {"en"};
    return t;
}

inline NodeKeys CopyKeys(const NodeKeys& keys) {
    return NodeKeys{
        *crypto::SigningKey::FromSeed(keys.signing.Seed().Span()),
        *crypto::BoxKeyPair::FromSecret(keys.box.Secret().Span())};
}

/// A directory body listing parties AA and BB and the given nodes.
inline boost::json::object DirectoryBody(
    const std::vector<const NodeEntry*>& nodes, std::uint64_t serial = 1
) {
    boost::json::object body;
    body["format"] = "concord-directory/1";
    body["serial"] = static_cast<std::int64_t>(serial);
    body["issued"] = "2026-11-29T12:00:00.000Z";
    boost::json::array parties;
    for (const char* code : {"AA", "BB"}) {
        boost::json::object p;
        p["code"] = code;
        p["name"] = std::string("State ") + code;
        p["languages"] = boost::json::array{"en"};
        boost::json::object binding;
        binding["id"] = "budapest";
        binding["status"] = "ratified";
        p["instruments"] = boost::json::array{binding};
        parties.push_back(std::move(p));
    }
    body["parties"] = std::move(parties);
    boost::json::array list;
    for (const NodeEntry* n : nodes) {
        list.push_back(NodeEntryToJson(*n));
    }
    body["nodes"] = std::move(list);
    return body;
}

inline std::shared_ptr<const Directory> MakeDirectory(
    const std::vector<const NodeEntry*>& nodes, std::uint64_t serial = 1
) {
    auto parsed = ParseDirectoryBody(DirectoryBody(nodes, serial));
    return std::make_shared<const Directory>(std::move(*parsed));
}

}  // namespace concord::federation::testing
