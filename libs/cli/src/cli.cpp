#include "concord/cli/cli.hpp"

#include <exception>
#include <iostream>

#include "concord/crypto/init.hpp"

#include "commands.hpp"
#include "io.hpp"

namespace concord::cli {

void Finish(Context& ctx, const Result<void>& result) {
    ctx.status = result ? kExitOk : ReportError(ctx.err, result.error());
}

int Run(
    const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err
) {
    try {
        if (auto init = crypto::Initialize(); !init) {
            return ReportError(err, init.error());
        }
        CLI::App app{"concord: command line for Concord nodes, logs and proofs", "concord"};
        app.require_subcommand(1);
        Context ctx{in, out, err};
        AddJsonCommands(app, ctx);
        AddKeyCommands(app, ctx);
        AddLedgerCommands(app, ctx);
        AddLegalCommands(app, ctx);
        AddNoteCommands(app, ctx);
        AddNodeCommands(app, ctx);
        AddDemoCommand(app, ctx);
        AddUserCommands(app, ctx);
        AddApprovalCommands(app, ctx);
        AddEvidenceCommands(app, ctx);
        AddCaseCommands(app, ctx);
        AddStatsCommands(app, ctx);
        AddAssistanceCommands(app, ctx);
        AddBackupCommands(app, ctx);
        std::vector<std::string> reversed(args.rbegin(), args.rend());
        if (!reversed.empty()) {
            reversed.pop_back();  // program name
        }
        try {
            app.parse(reversed);
        } catch (const CLI::CallForHelp&) {
            out << app.help();
            return kExitOk;
        } catch (const CLI::CallForAllHelp&) {
            out << app.help("", CLI::AppFormatMode::All);
            return kExitOk;
        } catch (const CLI::ParseError& e) {
            err << "concord: " << e.what() << "\n";
            if (e.get_exit_code() == 0) {
                return kExitOk;
            }
            err << "run 'concord --help' for usage\n";
            return kExitUsage;
        }
        return ctx.status;
    } catch (const std::exception& e) {
        err << "concord: internal error: " << e.what() << "\n";
        return kExitUsage;
    }
}

}  // namespace concord::cli
