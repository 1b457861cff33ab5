// concord case hearing ...: a video_hearing case's hearing (docs/cases.md "Hearings"): what was
// proposed and agreed, and whether the minutes and recording in hand are those the record names.

#include <memory>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "concord/app/evidence_package.hpp"
#include "concord/core/bytes.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/net/client.hpp"

#include "api_client.hpp"
#include "commands.hpp"
#include "io.hpp"

namespace concord::cli {
namespace {

// The SHA-256 of a file, read in blocks through the evidence file source (a recording may be
// many gigabytes).
Result<std::string> FileSha256(const std::string& path) {
    CONCORD_ASSIGN_OR_RETURN(app::PlaintextSource source, app::FileSource(path));
    crypto::Sha256Hasher hasher;
    std::vector<std::uint8_t> block(std::size_t{1} << 16);
    for (;;) {
        CONCORD_ASSIGN_OR_RETURN(const std::size_t n, source(block));
        if (n == 0) {
            return HexEncode(hasher.Finish());
        }
        hasher.Update(ByteSpan(block.data(), n));
    }
}

// The hearing of the case view `view`, or null.
const boost::json::value& HearingOf(const boost::json::value& view) {
    static const boost::json::value kNone;
    const auto* h = view.is_object() ? view.as_object().if_contains("hearing") : nullptr;
    return h != nullptr && h->is_object() ? *h : kNone;
}

void AddShowHearing(CLI::App& hearing, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string id;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = hearing.add_subcommand(
        "show", "the times proposed, the time agreed, the participants and the record"
    );
    cmd->add_option("id", a->id, "case id")->required();
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        auto answer = Call(ctx, a->api, "GET", "/api/v1/cases/" + net::PercentEncode(a->id));
        if (!answer) {
            return;
        }
        const boost::json::value& h = HearingOf(*answer);
        if (a->api.json) {
            PrintJson(ctx, h);
            return;
        }
        if (h.is_null()) {
            ctx.out << "no hearing time has been proposed on this case\n";
            return;
        }
        ctx.out << "hearing: " << Str(h, "state") << "; proposal " << Str(h, "proposal")
                << " by the " << Str(h, "proposed_by") << " party\n";
        std::vector<std::vector<std::string>> rows{{"slot", "start", "time zone", "minutes"}};
        std::size_t i = 0;
        for (const auto& s : Array(h, "slots")) {
            rows.push_back(
                {std::to_string(i++), Str(s, "start"), Str(s, "time_zone"), Str(s, "minutes")}
            );
        }
        PrintTable(ctx.out, rows);
        const auto& agreed = h.as_object().at("agreed");
        if (agreed.is_object()) {
            ctx.out << "agreed: " << Str(agreed, "start") << " (" << Str(agreed, "time_zone")
                    << ", " << Str(agreed, "minutes") << " min)\n";
        }
        if (!Str(h, "meeting_address").empty()) {
            ctx.out << "meeting address: " << Str(h, "meeting_address") << "\n";
        }
        if (Str(h, "state") == "held") {
            ctx.out << "held at " << Str(h, "held_at") << ", recorded by the "
                    << Str(h, "recorded_by") << " party (audit entry " << Str(h, "record_leaf")
                    << ")\nminutes sha256   " << Str(h, "minutes_sha256") << "\n";
            if (!Str(h, "recording_sha256").empty()) {
                ctx.out << "recording sha256 " << Str(h, "recording_sha256") << "\n";
            }
            for (const auto& p : Array(h, "participants")) {
                ctx.out << "  " << Str(p, "name") << " (" << Str(p, "role") << ", "
                        << Str(p, "party") << " party)\n";
            }
        }
    });
}

void AddCheckHearing(CLI::App& hearing, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string id, minutes, recording;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = hearing.add_subcommand(
        "check",
        "whether the minutes (and recording) files in hand are those the hearing's record names; "
        "exit status 1 if one differs"
    );
    cmd->add_option("id", a->id, "case id")->required();
    cmd->add_option("--minutes", a->minutes, "the minutes file")->required();
    cmd->add_option("--recording", a->recording, "the recording file");
    AddApiOptions(cmd, a->api, false);
    cmd->callback([&ctx, a] {
        auto answer = Call(ctx, a->api, "GET", "/api/v1/cases/" + net::PercentEncode(a->id));
        if (!answer) {
            return;
        }
        const boost::json::value& h = HearingOf(*answer);
        if (h.is_null() || Str(h, "state") != "held") {
            ctx.status = ReportError(
                ctx.err, MakeError(ErrorCode::kNotFound, "the hearing of this case is not recorded")
            );
            return;
        }
        struct Item {
            std::string label, path, key;
        };
        std::vector<Item> items{{"minutes", a->minutes, "minutes_sha256"}};
        if (!a->recording.empty()) {
            items.push_back({"recording", a->recording, "recording_sha256"});
        }
        bool all_match = true;
        for (const Item& item : items) {
            auto hash = FileSha256(item.path);
            if (!hash) {
                ctx.status = ReportError(ctx.err, hash.error());
                return;
            }
            const std::string recorded = Str(h, item.key);
            const bool match = !recorded.empty() && *hash == recorded;
            all_match = all_match && match;
            ctx.out << item.label << ": " << (match ? "matches" : "DIFFERS from") << " the record"
                    << " (file " << *hash << ", recorded " << (recorded.empty() ? "none" : recorded)
                    << ")\n";
        }
        ctx.out << "the record is audit entry " << Str(h, "record_leaf")
                << "; its inclusion proof: GET /api/v1/ledger/proof?index=" << Str(h, "record_leaf")
                << "\n";
        if (!all_match) {
            ctx.status = kExitInvalid;
        }
    });
}

}  // namespace

void AddHearingCommands(CLI::App& cases, Context& ctx) {
    CLI::App* hearing =
        cases.add_subcommand("hearing", "the hearing by video conference of a video_hearing case");
    hearing->require_subcommand(1);
    AddShowHearing(*hearing, ctx);
    AddCheckHearing(*hearing, ctx);
}

}  // namespace concord::cli
