#include <memory>
#include <string>
#include <vector>

#include "concord/app/evidence_package.hpp"
#include "concord/core/time.hpp"

#include "commands.hpp"
#include "io.hpp"

namespace concord::cli {

void AddEvidenceCommands(CLI::App& app, Context& ctx) {
    CLI::App* evidence =
        app.add_subcommand("evidence", "evidence packages (docs/formats/evidence.md)");
    evidence->require_subcommand(1);
    CLI::App* verify = evidence->add_subcommand(
        "verify",
        "check a downloaded package folder offline: the manifest's node and officer signatures "
        "along directory → node key → officer certificate, and every file's size and SHA-256"
    );
    struct Args {
        std::string folder;
        std::string directory;
        std::vector<std::string> trusted;
    };
    auto args = std::make_shared<Args>();
    verify->add_option("PACKAGE_DIR", args->folder, "the package folder (manifest.json, files/)")
        ->required();
    verify->add_option("--directory", args->directory, "signed directory file")->required();
    verify->add_option("--trusted-key", args->trusted, "trusted directory key (base64)")
        ->required();
    verify->callback([&ctx, args] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(
                federation::Directory directory,
                ReadTrustedDirectory(args->directory, args->trusted)
            );
            CONCORD_ASSIGN_OR_RETURN(
                app::PackageReport report, app::VerifyExportedPackage(directory, args->folder)
            );
            const app::VerifiedManifest& v = report.manifest;
            const app::EvidenceManifest& m = v.parsed.manifest;
            ctx.out << "OK: package " << m.package << " of case " << m.case_id << ", " << m.from
                    << " → " << m.to << ", created " << FormatTimestamp(m.created_ms) << "\n"
                    << "signed by node " << m.from << " (" << v.authority << ") and by "
                    << v.officer_name << " (" << v.officer_user
                    << (v.unit.empty() ? "" : ", " + v.unit) << "), certificate "
                    << v.certificate_serial << ", at " << FormatTimestamp(v.parsed.officer_time_ms)
                    << "\n";
            for (const app::EvidenceFile& f : m.files) {
                ctx.out << "  " << f.sealed.sha256 << "  " << f.sealed.size << "  " << f.name
                        << " (" << f.media_type << ", added by " << f.added_by << " "
                        << FormatTimestamp(f.added_ms) << ")\n";
            }
            ctx.out << m.files.size() << (m.files.size() == 1 ? " file, " : " files, ")
                    << report.bytes << " bytes: every hash matches\n";
            return {};
        }());
    });
}

}  // namespace concord::cli
