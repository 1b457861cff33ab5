#include <iostream>
#include <memory>

#include "concord/crypto/base64.hpp"
#include "concord/ledger/log.hpp"
#include "concord/ledger/proof_file.hpp"
#include "concord/store/store.hpp"

#include "commands.hpp"
#include "io.hpp"
#include "keys.hpp"

namespace concord::cli {
namespace {

struct OpenLog {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<ledger::Log> log;
};

Result<OpenLog> Open(const std::string& url) {
    OpenLog out;
    CONCORD_ASSIGN_OR_RETURN(out.store, store::Store::Open(url));
    CONCORD_ASSIGN_OR_RETURN(out.log, ledger::Log::Open(*out.store));
    return out;
}

std::string Hex(const ledger::Hash256& h) {
    return HexEncode(ByteSpan(h.data(), h.size()));
}

void AddAppend(CLI::App& ledger_app, Context& ctx) {
    struct Args {
        std::string store;
        std::vector<std::string> data;
        std::vector<std::string> files;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = ledger_app.add_subcommand("append", "append entries in one transaction");
    cmd->add_option("--store", args->store, "store URL (sqlite:PATH or a PostgreSQL DSN)")
        ->required();
    cmd->add_option("--data", args->data, "an entry given as text");
    cmd->add_option("--file", args->files, "an entry read from a file");
    cmd->callback([&ctx, args] {
        Finish(ctx, [&]() -> Result<void> {
            std::vector<Bytes> leaves;
            for (const std::string& d : args->data) {
                leaves.push_back(ToBytes(d));
            }
            for (const std::string& f : args->files) {
                CONCORD_ASSIGN_OR_RETURN(std::string content, ReadFile(f));
                leaves.push_back(ToBytes(content));
            }
            if (leaves.empty()) {
                return MakeError(
                    ErrorCode::kInvalidArgument, "nothing to append: give --data or --file"
                );
            }
            CONCORD_ASSIGN_OR_RETURN(OpenLog open, Open(args->store));
            CONCORD_ASSIGN_OR_RETURN(auto tx, open.store->Begin());
            CONCORD_ASSIGN_OR_RETURN(auto appended, open.log->Append(*tx, leaves));
            CONCORD_RETURN_IF_ERROR(tx->Commit());
            for (std::uint64_t i = 0; i < leaves.size(); ++i) {
                ctx.out << "appended entry " << appended.first_index + i << "\n";
            }
            ctx.out << "size " << appended.size << " root " << Hex(appended.root) << "\n";
            return {};
        }());
    });
}

void AddCheckpoint(CLI::App& ledger_app, Context& ctx) {
    struct Args {
        std::string store;
        std::string key_file;
        std::string passphrase_file;
        std::string origin;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd =
        ledger_app.add_subcommand("checkpoint", "sign, store and print a checkpoint of the log");
    cmd->add_option("--store", args->store, "store URL")->required();
    cmd->add_option("--key-file", args->key_file, "signing key made by 'concord keygen'")
        ->required();
    cmd->add_option("--passphrase-file", args->passphrase_file, "file holding the passphrase");
    cmd->add_option("--origin", args->origin, "checkpoint origin (default: the key name)");
    cmd->callback([&ctx, args] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(
                ledger::NoteSigner signer, LoadSigner(args->key_file, args->passphrase_file)
            );
            CONCORD_ASSIGN_OR_RETURN(OpenLog open, Open(args->store));
            CONCORD_ASSIGN_OR_RETURN(auto tx, open.store->Begin());
            std::string origin = args->origin.empty() ? signer.Name() : args->origin;
            CONCORD_ASSIGN_OR_RETURN(
                std::string note, open.log->MakeCheckpoint(*tx, signer, origin)
            );
            CONCORD_RETURN_IF_ERROR(tx->Commit());
            ctx.out << note;
            return {};
        }());
    });
}

void AddLeaf(CLI::App& ledger_app, Context& ctx) {
    struct Args {
        std::string store;
        std::uint64_t index{0};
        std::string out;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = ledger_app.add_subcommand("leaf", "print or save the data of one entry");
    cmd->add_option("--store", args->store, "store URL")->required();
    cmd->add_option("--index", args->index, "entry index")->required();
    cmd->add_option("--out", args->out, "write the data to this file instead of stdout");
    cmd->callback([&ctx, args] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(OpenLog open, Open(args->store));
            CONCORD_ASSIGN_OR_RETURN(auto tx, open.store->Begin());
            CONCORD_ASSIGN_OR_RETURN(Bytes data, open.log->Leaf(*tx, args->index));
            if (args->out.empty()) {
                ctx.out << ToString(data);
                return {};
            }
            return WriteFile(args->out, ToString(data));
        }());
    });
}

void AddProve(CLI::App& ledger_app, Context& ctx) {
    struct Args {
        std::string store;
        std::uint64_t index{0};
        std::string out;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = ledger_app.add_subcommand(
        "prove", "emit a C2SP tlog-proof@v1 of one entry against the latest checkpoint"
    );
    cmd->add_option("--store", args->store, "store URL")->required();
    cmd->add_option("--index", args->index, "entry index")->required();
    cmd->add_option("--out", args->out, "write the proof to this file instead of stdout");
    cmd->callback([&ctx, args] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(OpenLog open, Open(args->store));
            CONCORD_ASSIGN_OR_RETURN(auto tx, open.store->Begin());
            CONCORD_ASSIGN_OR_RETURN(auto latest, open.log->LatestCheckpoint(*tx));
            if (!latest) {
                return MakeError(
                    ErrorCode::kNotFound, "no checkpoint yet: run 'concord ledger checkpoint'"
                );
            }
            CONCORD_ASSIGN_OR_RETURN(ledger::Note note, ledger::ParseNote(*latest));
            CONCORD_ASSIGN_OR_RETURN(ledger::Checkpoint cp, ledger::ParseCheckpoint(note.text));
            if (args->index >= cp.size) {
                return MakeError(
                    ErrorCode::kInvalidArgument,
                    "entry " + std::to_string(args->index) +
                        " is not covered by the latest checkpoint (size " +
                        std::to_string(cp.size) + "); make a new checkpoint first"
                );
            }
            ledger::TlogProof proof;
            proof.index = args->index;
            CONCORD_ASSIGN_OR_RETURN(
                proof.hashes, open.log->InclusionProof(*tx, args->index, cp.size)
            );
            proof.checkpoint = *latest;
            std::string text = ledger::FormatTlogProof(proof);
            if (args->out.empty()) {
                ctx.out << text;
                return {};
            }
            return WriteFile(args->out, text);
        }());
    });
}

void AddVerify(CLI::App& ledger_app, Context& ctx) {
    struct Args {
        std::string store;
        std::vector<std::string> keys;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = ledger_app.add_subcommand(
        "verify", "check a whole stored log: every entry and node hash and every signed checkpoint"
    );
    cmd->add_option("--store", args->store, "store URL")->required();
    cmd->add_option("--key", args->keys, "verifier key of the log (text or file)")->required();
    cmd->callback([&ctx, args] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(auto keys, ParseVerifierArgs(args->keys));
            CONCORD_ASSIGN_OR_RETURN(OpenLog open, Open(args->store));
            CONCORD_ASSIGN_OR_RETURN(auto tx, open.store->Begin());
            CONCORD_ASSIGN_OR_RETURN(auto report, open.log->VerifyAll(*tx, keys));
            if (report.checkpoints == 0) {
                return MakeError(
                    ErrorCode::kNotFound, "the log has no checkpoint to verify against"
                );
            }
            ctx.out << "OK: " << report.size << " entries, root " << Hex(report.root) << ", "
                    << report.checkpoints << " checkpoints verified, latest at size "
                    << report.latest_checkpoint << "\n";
            return {};
        }());
    });
}

void AddVerifyProof(CLI::App& ledger_app, Context& ctx) {
    struct Args {
        std::string file;
        std::string leaf;
        std::vector<std::string> keys;
        std::vector<std::string> log_keys;
        std::string origin;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = ledger_app.add_subcommand(
        "verify-proof",
        "verify offline a tlog-proof@v1 file or an RFC 9162 proof in transparency-dev JSON"
    );
    cmd->add_option("FILE", args->file, "the proof")->required();
    cmd->add_option("--leaf", args->leaf, "file holding the entry's data");
    cmd->add_option("--key", args->keys, "verifier key (text or file) of the log or a witness");
    cmd->add_option(
        "--log-key",
        args->log_keys,
        "verifier key of the log itself, whatever its name (C2SP: a key name SHOULD match the "
        "origin; some logs' keys do not); --key keys then only count as witnesses"
    );
    cmd->add_option("--origin", args->origin, "require this checkpoint origin");
    cmd->callback([&ctx, args] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(std::string text, ReadFile(args->file));
            std::optional<std::string> leaf;
            if (!args->leaf.empty()) {
                CONCORD_ASSIGN_OR_RETURN(leaf, ReadFile(args->leaf));
            }
            std::string summary;
            if (text.rfind("c2sp.org/tlog-proof@", 0) == 0) {
                if (!leaf) {
                    return MakeError(ErrorCode::kInvalidArgument, "a tlog-proof needs --leaf FILE");
                }
                if (args->keys.empty() && args->log_keys.empty()) {
                    return MakeError(
                        ErrorCode::kInvalidArgument, "a tlog-proof needs --key or --log-key VKEY"
                    );
                }
                CONCORD_ASSIGN_OR_RETURN(auto keys, ParseVerifierArgs(args->keys));
                CONCORD_ASSIGN_OR_RETURN(auto log_keys, ParseVerifierArgs(args->log_keys));
                CONCORD_ASSIGN_OR_RETURN(ledger::TlogProof proof, ledger::ParseTlogProof(text));
                std::optional<std::string_view> origin;
                if (!args->origin.empty()) {
                    origin = args->origin;
                }
                if (log_keys.empty()) {
                    CONCORD_ASSIGN_OR_RETURN(
                        summary, ledger::VerifyTlogProof(proof, AsBytes(*leaf), keys, origin)
                    );
                } else {
                    CONCORD_ASSIGN_OR_RETURN(
                        summary,
                        ledger::VerifyTlogProof(proof, AsBytes(*leaf), log_keys, keys, origin)
                    );
                }
            } else {
                std::optional<ByteSpan> leaf_bytes;
                if (leaf) {
                    leaf_bytes = AsBytes(*leaf);
                }
                CONCORD_ASSIGN_OR_RETURN(summary, ledger::VerifyJsonProof(text, leaf_bytes));
            }
            ctx.out << summary << "\n";
            return {};
        }());
    });
}

}  // namespace

void AddLedgerCommands(CLI::App& app, Context& ctx) {
    CLI::App* ledger_app = app.add_subcommand("ledger", "the Merkle audit log");
    ledger_app->require_subcommand(1);
    AddAppend(*ledger_app, ctx);
    AddCheckpoint(*ledger_app, ctx);
    AddLeaf(*ledger_app, ctx);
    AddProve(*ledger_app, ctx);
    AddVerify(*ledger_app, ctx);
    AddVerifyProof(*ledger_app, ctx);
}

}  // namespace concord::cli
