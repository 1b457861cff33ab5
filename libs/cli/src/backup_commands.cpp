// concord backup / concord restore: a node's backup on its host, through its config
// (docs/operations.md "Backups").

#include <memory>
#include <string>

#include "concord/server/backup.hpp"
#include "concord/server/config.hpp"

#include "commands.hpp"

namespace concord::cli {
namespace {

void AddBackup(CLI::App& app, Context& ctx) {
    struct Args {
        std::string config;
        std::string out;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand(
        "backup", "back up a node while it runs: store, evidence blobs and keys, signed"
    );
    cmd->add_option("--config", args->config, "the node's config.toml")->required();
    cmd->add_option("--out", args->out, "the backup folder to create")->required();
    cmd->callback([&ctx, args] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(server::Config config, server::LoadConfig(args->config));
            CONCORD_ASSIGN_OR_RETURN(server::BackupReport r, server::BackUpNode(config, args->out));
            ctx.out << "backup of " << config.node_id << " in " << args->out << "\n"
                    << "audit log: at least " << r.ledger_size << " entries, root " << r.ledger_root
                    << "\n"
                    << "evidence: " << r.packages << " packages, " << r.blobs << " blobs, "
                    << r.blob_bytes << " bytes\n";
            if (r.shredded_meanwhile > 0) {
                ctx.out << r.shredded_meanwhile
                        << " packages shredded while the backup was taken: not in it; a node "
                           "restored from it shreds them again at start\n";
            }
            return {};
        }());
    });
}

void AddRestore(CLI::App& app, Context& ctx) {
    struct Args {
        std::string config;
        std::string from;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand(
        "restore", "restore a backup into a fresh node and verify its audit log and evidence"
    );
    cmd->add_option("--config", args->config, "the fresh node's config.toml")->required();
    cmd->add_option("--from", args->from, "the backup folder")->required();
    cmd->callback([&ctx, args] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(server::Config config, server::LoadConfig(args->config));
            CONCORD_ASSIGN_OR_RETURN(
                server::RestoreReport r, server::RestoreNode(config, args->from)
            );
            ctx.out << "restored " << config.node_id << " from " << args->from << "\n"
                    << "audit log: " << r.ledger_size << " entries, " << r.checkpoints
                    << " signed checkpoints: verified\n"
                    << "evidence: " << r.packages << " packages, " << r.files
                    << " files: every blob present and matching its hash\n";
            if (r.arriving_files > 0) {
                ctx.out << r.arriving_files
                        << " files of incoming packages still arriving: their senders resend "
                           "them\n";
            }
            if (r.shredded_meanwhile > 0) {
                ctx.out << r.shredded_meanwhile
                        << " packages shredded while the backup was taken: shredded again when "
                           "the node starts\n";
            }
            ctx.out << "start the node: it shreds every package whose retention has ended "
                       "before it serves anyone\n";
            return {};
        }());
    });
}

}  // namespace

void AddBackupCommands(CLI::App& app, Context& ctx) {
    AddBackup(app, ctx);
    AddRestore(app, ctx);
}

}  // namespace concord::cli
