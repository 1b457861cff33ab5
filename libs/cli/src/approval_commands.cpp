#include <iostream>
#include <memory>

#include "concord/app/approval.hpp"
#include "concord/core/canonical_json.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/federation/directory.hpp"

#include "commands.hpp"
#include "io.hpp"

namespace concord::cli {

void AddApprovalCommands(CLI::App& app, Context& ctx) {
    CLI::App* approval = app.add_subcommand("approval", "approvals signed by an approver's key");
    approval->require_subcommand(1);
    CLI::App* verify = approval->add_subcommand(
        "verify",
        "verify an approval offline along directory → node key → user certificate → signature "
        "(docs/formats/approval.md)"
    );
    struct Args {
        std::string file;
        std::string directory;
        std::vector<std::string> trusted;
        std::string request;
        std::string at;
    };
    auto args = std::make_shared<Args>();
    verify->add_option("FILE", args->file, "the approval (JSON)")->required();
    verify->add_option("--directory", args->directory, "signed directory file")->required();
    verify->add_option("--trusted-key", args->trusted, "trusted directory key (base64)")
        ->required();
    verify->add_option(
        "--request",
        args->request,
        "file with the request the approval must approve (JSON, canonicalised); default: the "
        "request the approval names"
    );
    verify->add_option(
        "--at", args->at, "time of the message that carried it (RFC 3339); default: its own time"
    );
    verify->callback([&ctx, args] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(
                federation::Directory directory,
                ReadTrustedDirectory(args->directory, args->trusted)
            );
            CONCORD_ASSIGN_OR_RETURN(std::string text, ReadFile(args->file));
            // Trailing newlines of a file are not part of the approval.
            while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
                text.pop_back();
            }
            auto parsed = app::ParseApproval(text);
            if (!parsed) {
                return app::ApprovalRefused{
                    app::ApprovalFailure::kMalformed, parsed.error().message}
                    .ToError();
            }
            std::string request = parsed->canonical_request;
            if (!args->request.empty()) {
                CONCORD_ASSIGN_OR_RETURN(std::string given, ReadFile(args->request));
                CONCORD_ASSIGN_OR_RETURN(request, json::CanonicalizeOrError(given));
            }
            std::int64_t at = parsed->time_ms;
            if (!args->at.empty()) {
                CONCORD_ASSIGN_OR_RETURN(at, ParseTimestamp(args->at));
            }
            auto verified = app::VerifyApproval(directory, parsed->request.from, text, request, at);
            if (!verified) {
                return verified.error().ToError();
            }
            ctx.out << "OK: " << app::DescribeApproval(*verified) << "\n"
                    << "signed at " << FormatTimestamp(verified->time_ms) << "; approves case "
                    << verified->request.case_id << ", " << verified->request.request_type << ", "
                    << verified->request.priority << ", " << verified->request.from << " → "
                    << verified->request.to << ", body sha256 " << verified->request.body_sha256
                    << "\n";
            return {};
        }());
    });
}

}  // namespace concord::cli
