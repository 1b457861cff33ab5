// concord evidence: evidence packages over a node's local API (create, add, seal, list, show,
// download; docs/cases.md "Evidence"), legal holds on a case's evidence (hold, release, holds),
// the node's retention register (retention) and the offline check of a downloaded package (verify).
// Files go up and come down as streams: a file of any size crosses the command in constant
// memory, and a downloaded file gets its name only once its size and SHA-256 match the manifest.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/evidence_manifest.hpp"
#include "concord/app/evidence_package.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/net/http.hpp"

#include "api_client.hpp"
#include "commands.hpp"
#include "io.hpp"
#include <sys/stat.h>

namespace concord::cli {
namespace {

// A signed manifest lists at most a few thousand files: far below this.
constexpr std::size_t kMaxManifestBytes = std::size_t{16} << 20;

/// A file as an upload body, hashed as it is read (to compare with what the node recorded).
class HashedFileBody final : public net::BodySource {
public:
    explicit HashedFileBody(app::PlaintextSource source) : source_(std::move(source)) {}
    Result<size_t> Read(std::span<std::uint8_t> buffer) override {
        CONCORD_ASSIGN_OR_RETURN(std::size_t n, source_(buffer));
        hasher_.Update(ByteSpan(buffer.data(), n));
        return n;
    }
    /// The SHA-256 of everything read; call once, after the last Read.
    std::string Sha256() { return HexEncode(hasher_.Finish()); }

private:
    app::PlaintextSource source_;
    crypto::Sha256Hasher hasher_;
};

std::string PackagePath(const std::string& package) {
    return "/api/v1/evidence/" + net::PercentEncode(package);
}

std::string CasePath(const std::string& case_id) {
    return "/api/v1/cases/" + net::PercentEncode(case_id);
}

/// The use conditions in words, one line; empty when there are none.
std::string DescribeConditions(const app::UseConditions& c) {
    std::vector<std::string> parts;
    if (c.confidential) {
        parts.emplace_back("confidential");
    }
    if (c.speciality) {
        parts.emplace_back("only for the investigation or proceedings the request states");
    }
    if (c.onward_consent) {
        parts.emplace_back("onward transfer only with the sender's consent");
    }
    if (!c.note.empty()) {
        parts.push_back("note: " + c.note);
    }
    std::string line;
    for (const std::string& part : parts) {
        line += (line.empty() ? "" : "; ") + part;
    }
    return line.empty() ? line : "USE CONDITIONS: " + line + "\n";
}

// "kept until END (retention of N days from creation[, plus time held]; RULE)" and, while a
// legal hold is in force, that it stops the clock.
std::string DescribeRetention(const boost::json::value& p) {
    constexpr std::int64_t kDayMs = std::int64_t{24} * 3600 * 1000;
    const auto* ms = p.as_object().if_contains("retention_ms");
    const std::int64_t period = ms != nullptr && ms->is_int64() ? ms->as_int64() : 0;
    std::string line = "kept until " + Str(p, "retention_end") + " (retention of " +
                       (period % kDayMs == 0 ? std::to_string(period / kDayMs) + " day(s)"
                                             : std::to_string(period) + " ms") +
                       " from creation";
    const auto* held = p.as_object().if_contains("held_ms");
    if (held != nullptr && held->is_int64() && held->as_int64() > 0) {
        line += ", plus " + std::to_string(held->as_int64()) + " ms under lifted legal holds";
    }
    const std::string rule = Str(p, "retention_rule");
    line += rule.empty() ? "; the node's default" : "; rule " + rule;
    line += ")\n";
    const std::string since = Str(p, "hold_since");
    if (!since.empty()) {
        line += "a legal hold in force since " + since +
                " stops the clock: not shredded while it lasts\n";
    }
    return line;
}

void PrintPackage(Context& ctx, const ApiOptions& o, const boost::json::value& p) {
    if (o.json) {
        PrintJson(ctx, p);
        return;
    }
    ctx.out << "package " << Str(p, "package") << " (" << Str(p, "state") << ") of case "
            << Str(p, "case") << " for " << Str(p, "to") << ", created " << Str(p, "created")
            << " by " << Str(p, "created_by") << "\n";
    if (const auto* conditions = p.as_object().if_contains("conditions")) {
        auto parsed = app::ParseUseConditions(*conditions);
        ctx.out << (parsed ? DescribeConditions(*parsed) : "USE CONDITIONS: (unreadable)\n");
    }
    if (p.as_object().contains("consent_reference")) {
        ctx.out << "sent on under the consent " << Str(p, "consent_reference") << "\n";
    }
    if (p.as_object().contains("shredded")) {
        ctx.out << "shredded " << Str(p, "shredded")
                << " at the end of its retention: the files are gone, their hashes remain\n";
    } else if (p.as_object().contains("retention_end")) {
        ctx.out << DescribeRetention(p);
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : Array(p, "files")) {
        rows.push_back(
            {"  " + Str(f, "sha256"),
             Str(f, "size"),
             Str(f, "name"),
             Str(f, "media_type"),
             Str(f, "added_by") + " " + Str(f, "added")}
        );
    }
    PrintTable(ctx.out, rows);
    ctx.out << Array(p, "files").size() << " file(s), " << Str(p, "bytes") << " bytes\n";
}

void AddCreate(CLI::App& evidence, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string case_id;
        std::string to;
        app::UseConditions conditions;
        std::string consent;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = evidence.add_subcommand("create", "start a draft evidence package of a case");
    cmd->add_option("CASE", a->case_id, "the case id")->required();
    cmd->add_option("--to", a->to, "recipient node (default: the case's other node)");
    cmd->add_flag(
        "--confidential", a->conditions.confidential, "the data is to be kept confidential"
    );
    cmd->add_flag(
        "--speciality",
        a->conditions.speciality,
        "the data may be used only for the investigation or proceedings the request states"
    );
    cmd->add_flag(
        "--onward-consent",
        a->conditions.onward_consent,
        "the data may go to a third State or node only with this node's consent"
    );
    cmd->add_option("--conditions-note", a->conditions.note, "further conditions, in words");
    cmd->add_option(
        "--consent",
        a->consent,
        "the reference of the consent under which data received with conditions goes on to "
        "a third node"
    );
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        boost::json::object body;
        if (!a->to.empty()) {
            body["to"] = a->to;
        }
        if (a->conditions.Any()) {
            body["conditions"] = app::UseConditionsJson(a->conditions);
        }
        if (!a->consent.empty()) {
            body["consent_reference"] = a->consent;
        }
        auto answer = Call(
            ctx, a->api, "POST", CasePath(a->case_id) + "/evidence", boost::json::serialize(body)
        );
        if (answer) {
            PrintPackage(ctx, a->api, *answer);
        }
    });
}

/// What the node holds of an upload in parts: its first `received` bytes, whose SHA-256 is
/// `sha256` (received 0 when none is under way).
struct KeptPart {
    std::uint64_t received{0};
    std::string sha256;
};

/// Where the upload in parts of `name` into `package` stands at the node.
Result<KeptPart> KeptOfUpload(
    ApiClient& client, const std::string& package, const std::string& name
) {
    auto status =
        client.Fetch(PackagePath(package) + "/uploads/" + net::PercentEncode(name), 64 << 10);
    if (!status) {
        return status.error().code == ErrorCode::kNotFound ? Result<KeptPart>(KeptPart{})
                                                           : tl::unexpected(status.error());
    }
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(*status, ec);
    const auto* received = ec || !v.is_object() ? nullptr : v.as_object().if_contains("received");
    if (received == nullptr || !received->is_number()) {
        return MakeError(ErrorCode::kInvalidArgument, "the node's upload status has no 'received'");
    }
    return KeptPart{received->to_number<std::uint64_t>(), Str(v, "received_sha256")};
}

/// Reads the first `bytes` of `body` without sending them (the node holds them) and returns
/// their SHA-256 (they still count in the body's own hash).
Result<std::string> Skip(net::BodySource& body, std::uint64_t bytes) {
    crypto::Sha256Hasher prefix;
    std::vector<std::uint8_t> piece(std::size_t{1} << 20);
    while (bytes > 0) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(bytes, piece.size()));
        CONCORD_ASSIGN_OR_RETURN(std::size_t n, body.Read(std::span(piece.data(), want)));
        if (n == 0) {
            return MakeError(
                ErrorCode::kInvalidArgument, "the file is shorter than what the node holds of it"
            );
        }
        prefix.Update(ByteSpan(piece.data(), n));
        bytes -= n;
    }
    return HexEncode(prefix.Finish());
}

void AddAdd(CLI::App& evidence, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string package;
        std::string file;
        std::string name;
        std::string type = "application/octet-stream";
        bool resume{false};
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = evidence.add_subcommand(
        "add",
        "upload a file into a draft package (streamed: any size, constant memory; the node keeps "
        "every whole chunk, so a cut upload goes on with --resume)"
    );
    cmd->add_option("PACKAGE", a->package, "the package id")->required();
    cmd->add_option("FILE", a->file, "the file to upload")->required();
    cmd->add_option("--name", a->name, "its name in the package (default: the file's name)");
    cmd->add_option("--type", a->type, "its media type, e.g. application/pdf");
    cmd->add_flag(
        "--resume",
        a->resume,
        "go on with an upload of this file that was cut off, from the last chunk the node kept"
    );
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        std::unique_ptr<ApiClient> client = ApiClient::Open(ctx, a->api);
        if (client == nullptr) {
            return;
        }
        const std::string name =
            a->name.empty() ? std::filesystem::path(a->file).filename().string() : a->name;
        struct stat st {};
        auto source = app::FileSource(a->file);
        if (!source || ::stat(a->file.c_str(), &st) != 0) {
            Finish(
                ctx,
                source ? MakeError(ErrorCode::kNotFound, a->file + ": cannot stat")
                       : Result<void>(source.error())
            );
            return;
        }
        const auto size = static_cast<std::uint64_t>(st.st_size);
        HashedFileBody body(std::move(*source));
        std::uint64_t offset = 0;
        if (a->resume) {
            auto kept = KeptOfUpload(*client, a->package, name);
            auto prefix = kept ? Skip(body, kept->received)
                               : Result<std::string>(tl::unexpected(kept.error()));
            if (prefix && kept->received > 0 && *prefix != kept->sha256) {
                prefix = MakeError(
                    ErrorCode::kInvalidArgument,
                    "the node holds the first " + std::to_string(kept->received) + " bytes of " +
                        "another file named " + name + ": run without --resume to start again"
                );
            }
            if (!prefix) {
                Finish(ctx, Result<void>(tl::unexpected(prefix.error())));
                return;
            }
            offset = kept->received;
            if (!a->api.json && offset > 0) {
                ctx.out << "the node holds the first " << offset << " bytes of " << name
                        << " (their SHA-256 is this file's): sending the rest\n";
            }
        }
        auto answer = client->Upload(
            "PUT",
            PackagePath(a->package) + "/files/" + net::PercentEncode(name) +
                "?size=" + std::to_string(size) + "&offset=" + std::to_string(offset),
            a->type,
            body,
            size - offset
        );
        if (!answer) {
            return;
        }
        if (answer->is_object() && answer->as_object().contains("received")) {
            // 202: the body ended before the file did (the file shrank while it was read).
            Finish(
                ctx,
                MakeError(
                    ErrorCode::kUnavailable,
                    "the node holds " + Str(*answer, "received") + " of " + std::to_string(size) +
                        " bytes of " + name + ": run again with --resume"
                )
            );
            return;
        }
        // What the node recorded must be what was sent.
        const std::string sent = body.Sha256();
        if (Str(*answer, "sha256") != sent) {
            Finish(
                ctx,
                MakeError(
                    ErrorCode::kCorruption,
                    "the node recorded sha256 " + Str(*answer, "sha256") + " for " + name +
                        ", but the bytes sent hash to " + sent
                )
            );
            return;
        }
        if (a->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        ctx.out << "added " << Str(*answer, "name") << ": " << Str(*answer, "size")
                << " bytes, sha256 " << Str(*answer, "sha256") << " (checked)\n";
    });
}

/// seal and show: one call on a package, the package printed.
void AddPackageCall(
    CLI::App& evidence,
    Context& ctx,
    const std::string& name,
    const std::string& help,
    const std::string& method,
    const std::string& suffix
) {
    struct Args {
        ApiOptions api;
        std::string package;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = evidence.add_subcommand(name, help);
    cmd->add_option("PACKAGE", a->package, "the package id")->required();
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a, method, suffix] {
        auto answer = Call(ctx, a->api, method, PackagePath(a->package) + suffix);
        if (answer) {
            PrintPackage(ctx, a->api, *answer);
        }
    });
}

void AddList(CLI::App& evidence, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string case_id;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = evidence.add_subcommand("list", "the evidence packages of a case");
    cmd->add_option("CASE", a->case_id, "the case id")->required();
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        auto answer = Call(ctx, a->api, "GET", CasePath(a->case_id) + "/evidence");
        if (!answer) {
            return;
        }
        if (a->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        const auto& packages = Array(*answer, "packages");
        for (const auto& p : packages) {
            PrintPackage(ctx, a->api, p);
        }
        if (packages.empty()) {
            ctx.out << "no evidence packages\n";
        }
    });
}

/// The answer of GET /api/v1/evidence/{package}/custody.
Result<app::EvidenceCustody> ParseCustody(std::string_view text) {
    boost::system::error_code ec;
    const boost::json::value answer = boost::json::parse(text, ec);
    if (ec || !answer.is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "the custody answer is not a JSON object");
    }
    app::EvidenceCustody custody;
    custody.receipt = Str(answer, "receipt");
    if (answer.as_object().contains("ledger_leaf")) {
        auto leaf = crypto::Base64Decode(Str(answer, "ledger_leaf"));
        if (!leaf) {
            return MakeError(ErrorCode::kInvalidArgument, "the ledger leaf is not base64");
        }
        custody.ledger_leaf = std::move(*leaf);
        custody.ledger_proof = Str(answer, "ledger_proof");
    }
    return custody;
}

void AddDownload(CLI::App& evidence, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string package;
        std::string out;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = evidence.add_subcommand(
        "download",
        "download a sealed package into a new folder (manifest.json, files/): each file "
        "streamed, and kept only if its size and SHA-256 match the signed manifest"
    );
    cmd->add_option("PACKAGE", a->package, "the package id")->required();
    cmd->add_option("--out", a->out, "the folder to create (must not exist)")->required();
    AddApiOptions(cmd, a->api, false);
    cmd->callback([&ctx, a] {
        std::unique_ptr<ApiClient> client = ApiClient::Open(ctx, a->api);
        if (client == nullptr) {
            return;
        }
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(
                std::string manifest,
                client->Fetch(PackagePath(a->package) + "/manifest", kMaxManifestBytes)
            );
            CONCORD_ASSIGN_OR_RETURN(app::ParsedManifest parsed, app::ParseManifest(manifest));
            const app::FileFetcher fetch = [&](const app::EvidenceFile& f,
                                               const app::PlaintextSink& write) -> Result<void> {
                CONCORD_RETURN_IF_ERROR(client->Download(
                    PackagePath(a->package) + "/files/" + net::PercentEncode(f.name),
                    [&write](std::span<const std::uint8_t> piece) { return write(piece); }
                ));
                return {};
            };
            // The receipt and its ledger proof, when there are any, go under custody/.
            CONCORD_ASSIGN_OR_RETURN(
                std::string custody_text,
                client->Fetch(PackagePath(a->package) + "/custody", kMaxManifestBytes)
            );
            CONCORD_ASSIGN_OR_RETURN(app::EvidenceCustody custody, ParseCustody(custody_text));
            CONCORD_RETURN_IF_ERROR(app::WritePackageFolder(parsed, manifest, fetch, a->out));
            CONCORD_RETURN_IF_ERROR(app::WriteCustody(a->out, custody));
            std::uint64_t bytes = 0;
            for (const auto& f : parsed.manifest.files) {
                bytes += f.sealed.size;
            }
            ctx.out << "downloaded package " << parsed.manifest.package << " into " << a->out
                    << ": " << parsed.manifest.files.size() << " file(s), " << bytes
                    << " bytes, every size and SHA-256 as the manifest states\n"
                    << (custody.receipt.empty()
                            ? "no receipt yet: custody/ is not written\n"
                            : (custody.ledger_leaf.empty()
                                   ? "with the recipient's receipt (custody/)\n"
                                   : "with the receipt and its ledger proof (custody/)\n"))
                    << "check its signatures offline: concord evidence verify " << a->out
                    << " --directory DIRECTORY --trusted-key KEY\n";
            return {};
        }());
    });
}

void PrintHold(Context& ctx, const boost::json::value& h) {
    ctx.out << "hold " << Str(h, "hold") << " on case " << Str(h, "case") << ": placed "
            << Str(h, "placed") << " by " << Str(h, "placed_by");
    if (h.as_object().contains("lifted")) {
        ctx.out << ", lifted " << Str(h, "lifted") << " by " << Str(h, "lifted_by");
    } else {
        ctx.out << ", in force";
    }
    ctx.out << "\n  reason: " << Str(h, "reason") << "\n";
}

/// hold, release and holds: legal holds on a case's evidence (docs/operations.md "Retention and
/// legal holds").
void AddHolds(CLI::App& evidence, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string case_id;
        std::string reason;
    };
    auto hold = std::make_shared<Args>();
    CLI::App* place = evidence.add_subcommand(
        "hold",
        "place a legal hold on a case's evidence: nothing of it is shredded, and its retention "
        "clock stands still, until the hold is released"
    );
    place->add_option("CASE", hold->case_id, "the case id")->required();
    place->add_option("--reason", hold->reason, "why (kept at this node, not in the audit log)")
        ->required();
    AddApiOptions(place, hold->api, true);
    place->callback([&ctx, hold] {
        auto answer = Call(
            ctx,
            hold->api,
            "PUT",
            CasePath(hold->case_id) + "/hold",
            boost::json::serialize(boost::json::object{{"reason", hold->reason}})
        );
        if (answer) {
            hold->api.json ? PrintJson(ctx, *answer) : PrintHold(ctx, *answer);
        }
    });

    auto release = std::make_shared<Args>();
    CLI::App* lift = evidence.add_subcommand(
        "release", "lift the legal hold in force on a case: its retention clock runs again"
    );
    lift->add_option("CASE", release->case_id, "the case id")->required();
    AddApiOptions(lift, release->api, true);
    lift->callback([&ctx, release] {
        auto answer = Call(ctx, release->api, "DELETE", CasePath(release->case_id) + "/hold");
        if (answer) {
            release->api.json ? PrintJson(ctx, *answer) : PrintHold(ctx, *answer);
        }
    });

    auto list = std::make_shared<Args>();
    CLI::App* holds = evidence.add_subcommand("holds", "the legal holds of a case, oldest first");
    holds->add_option("CASE", list->case_id, "the case id")->required();
    AddApiOptions(holds, list->api, true);
    holds->callback([&ctx, list] {
        auto answer = Call(ctx, list->api, "GET", CasePath(list->case_id) + "/holds");
        if (!answer) {
            return;
        }
        if (list->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        for (const auto& h : Array(*answer, "holds")) {
            PrintHold(ctx, h);
        }
        if (Array(*answer, "holds").empty()) {
            ctx.out << "no legal holds\n";
        }
    });
}

/// retention: the node's retention register for the data-protection officer (audit.read):
/// every package kept, the next to be shredded first, or the shredded ones, newest first.
void AddRetention(CLI::App& evidence, Context& ctx) {
    struct Args {
        ApiOptions api;
        bool shredded = false;
        unsigned limit = 100;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = evidence.add_subcommand(
        "retention",
        "the retention register: each package kept with the day it will be shredded and any "
        "legal hold in force (metadata only: no file name, no hold's reason)"
    );
    cmd->add_flag("--shredded", a->shredded, "the shredded packages instead, newest first");
    cmd->add_option("--limit", a->limit, "at most this many (1-1000)")->check(CLI::Range(1, 1000));
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        auto answer = Call(
            ctx,
            a->api,
            "GET",
            std::string("/api/v1/retention?view=") + (a->shredded ? "shredded" : "kept") +
                "&limit=" + std::to_string(a->limit)
        );
        if (!answer) {
            return;
        }
        if (a->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        const auto& packages = Array(*answer, "packages");
        if (packages.empty()) {
            ctx.out << (a->shredded ? "no package shredded\n" : "no package kept\n");
            return;
        }
        std::vector<std::vector<std::string>> rows = {
            {"PACKAGE",
             "CASE",
             "FROM",
             "TO",
             "STATE",
             "CREATED",
             a->shredded ? "SHREDDED" : "SHREDDED ON",
             "RULE",
             "HOLD",
             "FILES",
             "BYTES"}};
        for (const auto& p : packages) {
            const std::string since = Str(p, "hold_since");
            const std::string rule = Str(p, "retention_rule");
            rows.push_back(
                {Str(p, "package"),
                 Str(p, "case"),
                 Str(p, "from"),
                 Str(p, "to"),
                 Str(p, "state"),
                 Str(p, "created"),
                 Str(p, a->shredded ? "shredded" : "retention_end"),
                 rule.empty() ? "default" : rule,
                 since.empty() ? "-" : "in force since " + since,
                 Str(p, "files"),
                 Str(p, "bytes")}
            );
        }
        PrintTable(ctx.out, rows);
    });
}

}  // namespace

void AddEvidenceCommands(CLI::App& app, Context& ctx) {
    CLI::App* evidence =
        app.add_subcommand("evidence", "evidence packages (docs/formats/evidence.md)");
    evidence->require_subcommand(1);
    AddCreate(*evidence, ctx);
    AddAdd(*evidence, ctx);
    AddPackageCall(
        *evidence,
        ctx,
        "seal",
        "seal a draft package: your certified key and the node's key sign its manifest",
        "POST",
        "/seal"
    );
    AddPackageCall(*evidence, ctx, "show", "one package and its files", "GET", "");
    AddList(*evidence, ctx);
    AddDownload(*evidence, ctx);
    AddHolds(*evidence, ctx);
    AddRetention(*evidence, ctx);
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
                    << "\n"
                    << DescribeConditions(m.conditions);
            if (report.receipt) {
                ctx.out << "receipt: " << report.receipt->to << " received every file at "
                        << FormatTimestamp(report.receipt->received_ms)
                        << " and signed this manifest's SHA-256\n";
            }
            if (!report.ledger.empty()) {
                ctx.out << "ledger: the receipt's entry " << report.receipt->ledger_index << " of "
                        << report.receipt->to << "'s audit log is proven (" << report.ledger
                        << ")\n";
            }
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
