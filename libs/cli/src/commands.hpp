#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "concord/core/result.hpp"

namespace concord::cli {

/// Streams and the exit status shared by the subcommands of one run.
struct Context {
    std::istream& in;
    std::ostream& out;
    std::ostream& err;
    int status{0};
};

void AddJsonCommands(CLI::App& app, Context& ctx);
void AddKeyCommands(CLI::App& app, Context& ctx);
void AddLedgerCommands(CLI::App& app, Context& ctx);
void AddLegalCommands(CLI::App& app, Context& ctx);
void AddNoteCommands(CLI::App& app, Context& ctx);
void AddNodeCommands(CLI::App& app, Context& ctx);
void AddDemoCommand(CLI::App& app, Context& ctx);
void AddUserCommands(CLI::App& app, Context& ctx);
void AddApprovalCommands(CLI::App& app, Context& ctx);
/// concord evidence ...: evidence packages over a node's local API, and the offline check of a
/// downloaded package.
void AddEvidenceCommands(CLI::App& app, Context& ctx);
/// concord case ..., duty ..., deadlines: case work over a node's local API.
void AddCaseCommands(CLI::App& app, Context& ctx);
/// concord case hearing ...: the hearing of a video_hearing case (under `cases`).
void AddHearingCommands(CLI::App& cases, Context& ctx);
/// concord stats report: official statistics over a node's local API.
void AddStatsCommands(CLI::App& app, Context& ctx);
/// concord assistance ...: technical assistance between States over a node's local API.
void AddAssistanceCommands(CLI::App& app, Context& ctx);
/// concord backup, concord restore: a node's backup on its host, through its config.
void AddBackupCommands(CLI::App& app, Context& ctx);

/// Stores the exit status for `result` in ctx, reporting an error on ctx.err.
void Finish(Context& ctx, const Result<void>& result);

}  // namespace concord::cli
