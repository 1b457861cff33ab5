#pragma once

// Runs the command line in-process for the CLI tests.

#include <sstream>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "concord/cli/cli.hpp"
#include "concord/crypto/box.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/federation/directory.hpp"

namespace concord::cli::testing {

/// What one run printed and its exit status.
struct Output {
    int status;
    std::string out;
    std::string err;
};

/// Runs `concord ARGS...` with `input` on standard input.
inline Output RunCli(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), "concord");
    std::istringstream in(input);
    std::ostringstream out;
    std::ostringstream err;
    const int status = Run(args, in, out, err);
    return {status, out.str(), err.str()};
}

/// A central authority's directory entry for the offline verification tests (placeholder
/// endpoint and TLS pin).
inline federation::NodeEntry CentralAuthority(
    const std::string& id,
    const std::string& party,
    const crypto::PublicKey& signing_key,
    const crypto::BoxPublicKey& box_key
) {
    federation::NodeEntry n;
    n.id = id;
    n.party = party;
    n.authority = "Central authority of " + party;
    n.roles = {"central_authority"};
    n.endpoint = "https://127.0.0.1:1";
    n.tls_sha256 = std::string(64, 'a');
    n.signing_key = signing_key;
    n.box_key = box_key;
    return n;
}

/// The text of a directory of `nodes` (parties AA and BB) signed by `directory_key`.
inline std::string SignedDirectory(
    const crypto::SigningKey& directory_key, const std::vector<federation::NodeEntry>& nodes
) {
    boost::json::array parties;
    for (const char* code : {"AA", "BB"}) {
        boost::json::object party;
        party["code"] = code;
        party["name"] = std::string("State ") + code;
        party["languages"] = boost::json::array{"en"};
        party["instruments"] = boost::json::array{};
        parties.push_back(std::move(party));
    }
    boost::json::array list;
    for (const auto& n : nodes) {
        list.push_back(federation::NodeEntryToJson(n));
    }
    boost::json::object body;
    body["format"] = "concord-directory/1";
    body["serial"] = 1;
    body["issued"] = "2026-11-29T09:00:00.000Z";
    body["parties"] = std::move(parties);
    body["nodes"] = std::move(list);
    const crypto::SigningKey* keys[] = {&directory_key};
    return federation::SignDirectory(boost::json::serialize(body), keys).value();
}

}  // namespace concord::cli::testing
