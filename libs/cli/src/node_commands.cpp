// concord init and concord directory: creating nodes and the signed directory.

#include <iostream>
#include <memory>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/key_file.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/server/init.hpp"

#include "commands.hpp"
#include "io.hpp"

namespace concord::cli {
namespace {

constexpr std::string_view kDirectoryKeyLabel = "concord-directory-key-v1";

Result<boost::json::object> ReadBody(const std::string& file) {
    CONCORD_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
    CONCORD_ASSIGN_OR_RETURN(boost::json::object body, federation::ParseObject(text));
    return body;
}

// Bumps the serial and issue time, checks the result and writes it back.
Result<void> WriteBody(const std::string& file, boost::json::object body) {
    CONCORD_ASSIGN_OR_RETURN(std::int64_t serial, federation::GetInt(body, "serial"));
    body["serial"] = serial + 1;
    body["issued"] = FormatTimestamp(NowMillis());
    CONCORD_RETURN_IF_ERROR(federation::ParseDirectoryBody(body));
    return WriteFile(file, federation::CanonicalText(body) + "\n");
}

Result<crypto::SigningKey> LoadDirectoryKey(
    const std::string& key_file, const std::string& pass_file
) {
    CONCORD_ASSIGN_OR_RETURN(std::string pass, ReadPassphrase(pass_file));
    CONCORD_ASSIGN_OR_RETURN(auto contents, crypto::KeyFile::Read(key_file, pass));
    if (contents.label != kDirectoryKeyLabel) {
        return MakeError(ErrorCode::kInvalidArgument, key_file + " is not a directory signing key");
    }
    return crypto::SigningKey::FromSeed(contents.secret.Span());
}

// Removes the objects of `array` whose member `key` equals `value`.
void RemoveWhere(boost::json::array& array, std::string_view key, const std::string& value) {
    for (auto it = array.begin(); it != array.end();) {
        const auto* member = it->as_object().if_contains(key);
        if (member != nullptr && member->is_string() && member->as_string() == value) {
            it = array.erase(it);
        } else {
            ++it;
        }
    }
}

std::string KeyBase64(const crypto::PublicKey& key) {
    return crypto::Base64Encode(ByteSpan(key.Bytes().data(), key.Bytes().size()));
}

// "ID:STATUS[:DATE]" → an instrument binding.
Result<boost::json::object> ParseBinding(const std::string& text) {
    const auto first = text.find(':');
    if (first == std::string::npos) {
        return MakeError(
            ErrorCode::kInvalidArgument, "--instrument expects ID:STATUS[:DATE], got " + text
        );
    }
    boost::json::object b;
    b["id"] = text.substr(0, first);
    const auto second = text.find(':', first + 1);
    b["status"] = text.substr(
        first + 1, second == std::string::npos ? std::string::npos : second - first - 1
    );
    if (second != std::string::npos) {
        b["date"] = text.substr(second + 1);
    }
    return b;
}

void AddInit(CLI::App& app, Context& ctx) {
    auto o = std::make_shared<server::InitOptions>();
    auto pass_file = std::make_shared<std::string>();
    auto dir = std::make_shared<std::string>();
    auto directory = std::make_shared<std::string>();
    CLI::App* init = app.add_subcommand(
        "init", "create a node: keys, TLS certificate, config, store and empty audit log"
    );
    init->add_option("--dir", *dir, "folder of the new node")->required();
    init->add_option("--name", o->node_id, "node id, e.g. fr.central ([a-z0-9.-])")->required();
    init->add_option("--party", o->party, "ISO 3166 code or organisation id")->required();
    init->add_option(
            "--role",
            o->roles,
            "central_authority, point_of_contact_24_7, competent_authority, service_provider"
    )
        ->required();
    init->add_option("--authority", o->authority, "name of the authority (default: the node id)");
    init->add_option("--language", o->languages, "accepted languages (default: en)");
    init->add_option("--listen", o->listen, "ADDRESS:PORT of the federation listener")
        ->capture_default_str();
    init->add_option(
        "--api-listen",
        o->api_listen,
        "ADDRESS:PORT of the local API listener (default 127.0.0.1 and the --listen port + 100)"
    );
    init->add_option("--endpoint", o->endpoint, "URL peers use (default https://LISTEN)");
    init->add_option(
        "--directory", *directory, "signed directory file (default DIR/../directory.json)"
    );
    init->add_option("--directory-key", o->directory_keys, "trusted directory key (base64)")
        ->required();
    init->add_option(
        "--passphrase-file", *pass_file, "passphrase for node.key (else CONCORD_PASSPHRASE)"
    );
    init->add_flag(
        "--write-passphrase-file",
        o->write_passphrase_file,
        "keep the passphrase in DIR/passphrase (0600) for unattended start"
    );
    init->add_flag(
        "--plain-http", o->allow_plain_http, "serve plain HTTP (loopback development only)"
    );
    init->callback([&ctx, o, pass_file, dir, directory] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(o->passphrase, ReadPassphrase(*pass_file));
            o->dir = *dir;
            o->directory_file = *directory;
            if (o->authority.empty()) {
                o->authority = o->node_id;
            }
            CONCORD_ASSIGN_OR_RETURN(server::InitResult r, server::InitNode(*o));
            ctx.out << "created node " << o->node_id << " in " << *dir << "\n"
                    << "config:      " << r.config_file.string() << "\n"
                    << "node info:   " << (std::filesystem::path(*dir) / "node-info.json").string()
                    << " (add it to the directory)\n"
                    << "signing key: " << KeyBase64(r.entry.signing_key) << "\n"
                    << "TLS pin:     " << r.entry.tls_sha256 << "\n"
                    << "API token:   " << r.api_token << " (also in " << *dir << "/api-token)\n";
            return {};
        }());
    });
}

void AddDirectory(CLI::App& app, Context& ctx) {
    CLI::App* d = app.add_subcommand("directory", "create, edit, sign and verify the directory");
    d->require_subcommand(1);
    struct Args {
        std::string file, out, key, pass_file, code, name, node, node_info;
        std::vector<std::string> languages, instruments, trusted;
    };
    auto a = std::make_shared<Args>();

    CLI::App* keygen =
        d->add_subcommand("keygen", "create a directory signing key; prints its public key");
    keygen->add_option("--out", a->out, "key file to create")->required();
    keygen->add_option("--passphrase-file", a->pass_file, "passphrase (else CONCORD_PASSPHRASE)");
    keygen->callback([&ctx, a] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(std::string pass, ReadPassphrase(a->pass_file));
            crypto::SigningKey key = crypto::SigningKey::Generate();
            CONCORD_RETURN_IF_ERROR(
                crypto::KeyFile::Write(a->out, kDirectoryKeyLabel, key.Seed(), pass)
            );
            ctx.out << KeyBase64(key.PublicKey()) << "\n";
            return {};
        }());
    });

    CLI::App* create = d->add_subcommand("new", "write an empty directory body (serial 1)");
    create->add_option("--out", a->out, "body file to create")->required();
    create->callback([&ctx, a] {
        Finish(ctx, [&]() -> Result<void> {
            boost::json::object body;
            body["format"] = "concord-directory/1";
            body["serial"] = 1;
            body["issued"] = FormatTimestamp(NowMillis());
            body["parties"] = boost::json::array();
            body["nodes"] = boost::json::array();
            return WriteFile(a->out, federation::CanonicalText(body) + "\n");
        }());
    });

    CLI::App* party = d->add_subcommand("add-party", "add or replace a party");
    party->add_option("--file", a->file, "directory body")->required();
    party->add_option("--code", a->code, "ISO 3166 code or organisation id")->required();
    party->add_option("--name", a->name, "name")->required();
    party->add_option("--language", a->languages, "accepted languages");
    party->add_option(
        "--instrument", a->instruments, "ID:STATUS[:DATE], e.g. budapest:ratified:2006-01-10"
    );
    party->callback([&ctx, a] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(boost::json::object body, ReadBody(a->file));
            boost::json::object p;
            p["code"] = a->code;
            p["name"] = a->name;
            boost::json::array languages(a->languages.begin(), a->languages.end());
            p["languages"] = std::move(languages);
            boost::json::array bindings;
            for (const auto& text : a->instruments) {
                CONCORD_ASSIGN_OR_RETURN(boost::json::object b, ParseBinding(text));
                bindings.push_back(std::move(b));
            }
            p["instruments"] = std::move(bindings);
            auto& parties = body["parties"].as_array();
            RemoveWhere(parties, "code", a->code);
            parties.push_back(std::move(p));
            return WriteBody(a->file, std::move(body));
        }());
    });

    CLI::App* node = d->add_subcommand("add-node", "add or replace a node from its node-info.json");
    node->add_option("--file", a->file, "directory body")->required();
    node->add_option("--node-info", a->node_info, "node-info.json written by concord init")
        ->required();
    node->callback([&ctx, a] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(boost::json::object body, ReadBody(a->file));
            CONCORD_ASSIGN_OR_RETURN(boost::json::object info, ReadBody(a->node_info));
            CONCORD_ASSIGN_OR_RETURN(std::string id, federation::GetString(info, "id"));
            auto& nodes = body["nodes"].as_array();
            RemoveWhere(nodes, "id", id);
            nodes.push_back(std::move(info));
            return WriteBody(a->file, std::move(body));
        }());
    });

    CLI::App* revoke =
        d->add_subcommand("revoke", "revoke a node's keys (effective on its next message)");
    revoke->add_option("--file", a->file, "directory body")->required();
    revoke->add_option("--node", a->node, "node id")->required();
    revoke->callback([&ctx, a] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(boost::json::object body, ReadBody(a->file));
            bool found = false;
            for (auto& v : body["nodes"].as_array()) {
                if (v.as_object().at("id") == a->node.c_str()) {
                    v.as_object()["revoked"] = true;
                    found = true;
                }
            }
            if (!found) {
                return MakeError(ErrorCode::kNotFound, "no node " + a->node + " in " + a->file);
            }
            return WriteBody(a->file, std::move(body));
        }());
    });

    CLI::App* sign = d->add_subcommand("sign", "sign a directory body");
    sign->add_option("--file", a->file, "directory body")->required();
    sign->add_option("--key", a->key, "directory key file")->required();
    sign->add_option("--passphrase-file", a->pass_file, "passphrase (else CONCORD_PASSPHRASE)");
    sign->add_option("--out", a->out, "signed directory to write")->required();
    sign->callback([&ctx, a] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(std::string body, ReadFile(a->file));
            CONCORD_ASSIGN_OR_RETURN(
                crypto::SigningKey key, LoadDirectoryKey(a->key, a->pass_file)
            );
            const crypto::SigningKey* keys[] = {&key};
            CONCORD_ASSIGN_OR_RETURN(
                std::string signed_text, federation::SignDirectory(body, keys)
            );
            return WriteFile(a->out, signed_text + "\n");
        }());
    });

    CLI::App* verify = d->add_subcommand("verify", "verify a signed directory and summarise it");
    verify->add_option("FILE", a->file, "signed directory")->required();
    verify->add_option("--trusted-key", a->trusted, "trusted directory key (base64)")->required();
    verify->callback([&ctx, a] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(
                federation::Directory dir, ReadTrustedDirectory(a->file, a->trusted)
            );
            ctx.out << "OK: directory serial " << dir.serial << " issued " << dir.issued << ", "
                    << dir.parties.size() << " parties, " << dir.nodes.size() << " nodes\n";
            for (const auto& n : dir.nodes) {
                ctx.out << "  " << n.id << " (" << n.party << ") " << n.endpoint
                        << (n.revoked ? " REVOKED" : "") << "\n";
            }
            return {};
        }());
    });
}

}  // namespace

void AddNodeCommands(CLI::App& app, Context& ctx) {
    AddInit(app, ctx);
    AddDirectory(app, ctx);
}

}  // namespace concord::cli
