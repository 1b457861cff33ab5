#include "concord/server/testing/process_federation.hpp"

#include <fstream>

#include "concord/core/bytes.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/random.hpp"
#include "concord/server/testing/local_node.hpp"
#include "concord/server/testing/ports.hpp"

namespace concord::server::testing {

std::unique_ptr<ApiClient> ProcessNode::NodeApi() const {
    return std::make_unique<ApiClient>(
        "https://127.0.0.1:" + std::to_string(api_port), init.api_token, init.entry.tls_sha256
    );
}

Result<std::unique_ptr<ProcessFederation>> ProcessFederation::Start(
    const std::filesystem::path& root,
    const std::vector<Spec>& specs,
    const std::filesystem::path& concordd,
    const std::function<void(ProcessNode&)>& configure
) {
    std::unique_ptr<ProcessFederation> federation(new ProcessFederation());
    const auto directory_key = crypto::SigningKey::Generate();
    const auto& pk = directory_key.PublicKey().Bytes();
    const std::string directory_pub = crypto::Base64Encode(ByteSpan(pk.data(), pk.size()));
    std::vector<federation::Party> parties;
    std::vector<federation::NodeEntry> entries;
    for (const Spec& spec : specs) {
        ProcessNode node;
        node.id = spec.id;
        node.party = spec.party;
        node.role = spec.role;
        CONCORD_ASSIGN_OR_RETURN(node.port, ReservePort());
        CONCORD_ASSIGN_OR_RETURN(node.api_port, ReservePort());
        node.dir = root / node.id;
        InitOptions o;
        o.dir = node.dir;
        o.node_id = node.id;
        o.party = node.party;
        o.roles = {node.role};
        o.authority = "benchmark " + node.role + " " + node.id;
        o.listen = "127.0.0.1:" + std::to_string(node.port);
        o.api_listen = "127.0.0.1:" + std::to_string(node.api_port);
        o.passphrase = HexEncode(crypto::RandomBytes(16));
        o.write_passphrase_file = true;
        o.fast_key_derivation = true;
        o.directory_file = root / "directory.json";
        o.directory_keys = {directory_pub};
        CONCORD_ASSIGN_OR_RETURN(node.init, InitNode(o));
        if (configure) {
            configure(node);
        }
        bool known = false;
        for (const auto& p : parties) {
            known = known || p.code == node.party;
        }
        if (!known) {
            federation::Party p;
            p.code = node.party;
            p.name = node.party;
            p.languages = {"en"};
            parties.push_back(p);
        }
        entries.push_back(node.init.entry);
        federation->nodes_.push_back(std::move(node));
    }
    CONCORD_ASSIGN_OR_RETURN(
        std::string directory, SignedDirectory(1, parties, entries, directory_key)
    );
    std::ofstream(root / "directory.json") << directory;
    for (ProcessNode& node : federation->nodes_) {
        CONCORD_ASSIGN_OR_RETURN(
            node.pid, SpawnConcordd(concordd, node.init.config_file, node.dir / "concordd.log")
        );
    }
    for (const ProcessNode& node : federation->nodes_) {
        CONCORD_RETURN_IF_ERROR(
            WaitHealthy(node.pid, node.port, node.init.entry.tls_sha256, std::chrono::seconds(120))
        );
    }
    return federation;
}

ProcessFederation::~ProcessFederation() {
    for (const ProcessNode& node : nodes_) {
        if (node.pid > 0) {
            TerminateProcess(node.pid, std::chrono::seconds(60));
        }
    }
}

}  // namespace concord::server::testing
