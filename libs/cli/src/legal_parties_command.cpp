// `concord legal parties [--instrument ID] [--date YYYY-MM-DD] [--json]`: the parties and
// signatories of each instrument, with their status on a date and where each fact was read.

#include <array>
#include <iostream>
#include <memory>

#include <boost/json.hpp>

#include "concord/core/time.hpp"
#include "concord/legal/catalog.hpp"

#include "commands.hpp"

namespace concord::cli {
namespace {

struct PartiesArgs {
    std::string instruments_dir;
    std::string lang{"en"};
    std::string instrument;
    std::string date;
    bool json{false};
};

constexpr std::array<legal::PartyStatus, 4> kStatuses = {
    legal::PartyStatus::kInForce,
    legal::PartyStatus::kNotYetInForce,
    legal::PartyStatus::kSigned,
    legal::PartyStatus::kUnknown};

boost::json::array Strings(const std::vector<std::string>& values) {
    boost::json::array out;
    for (const std::string& v : values) {
        out.emplace_back(v);
    }
    return out;
}

boost::json::object EntryJson(const legal::InstrumentParty& ip, const std::string& lang) {
    const legal::PartyInstrument& e = *ip.entry;
    boost::json::object o;
    o["code"] = ip.party->code;
    o["name"] = legal::Pick(ip.party->name, lang);
    o["status"] = legal::PartyStatusName(ip.status);
    o["signed"] = e.signed_on;
    o["consent"] = e.ratified;
    o["consent_kind"] = e.consent_kind;
    o["in_force"] = e.in_force;
    o["reservations"] = Strings(e.reservations);
    o["reservations_complete"] = e.reservations_complete;
    o["declarations"] = Strings(e.declarations);
    o["verification"] = legal::VerificationName(e.verification);
    o["source"] = e.source;
    o["as_of"] = e.as_of;
    o["note"] = e.note;
    o["origin"] = e.chart.empty() ? "party_file" : "chart";
    return o;
}

std::string Today() {
    return FormatTimestamp(NowMillis()).substr(0, 10);
}

Result<void> ListParties(Context& ctx, const PartiesArgs& args) {
    CONCORD_ASSIGN_OR_RETURN(
        legal::Catalog catalog,
        legal::LoadCatalog(
            args.instruments_dir.empty() ? legal::DefaultInstrumentsDir()
                                         : std::filesystem::path(args.instruments_dir)
        )
    );
    if (!args.instrument.empty() && !catalog.instruments.contains(args.instrument)) {
        return MakeError(ErrorCode::kNotFound, "unknown instrument '" + args.instrument + "'");
    }
    const std::string date = args.date.empty() ? Today() : args.date;
    boost::json::array instruments;
    for (const auto& [id, ins] : catalog.instruments) {
        if (!args.instrument.empty() && id != args.instrument) {
            continue;
        }
        const std::vector<legal::InstrumentParty> parties = legal::PartiesTo(catalog, id, date);
        std::array<std::size_t, kStatuses.size()> by_status{};
        std::array<std::size_t, 3> by_verification{};
        for (const legal::InstrumentParty& ip : parties) {
            ++by_status[static_cast<std::size_t>(ip.status)];
            ++by_verification[static_cast<std::size_t>(ip.entry->verification)];
        }
        if (args.json) {
            boost::json::object o;
            o["instrument"] = id;
            o["title"] = legal::Pick(ins.title, args.lang);
            boost::json::object counts;
            for (legal::PartyStatus s : kStatuses) {
                counts[legal::PartyStatusName(s)] = by_status[static_cast<std::size_t>(s)];
            }
            for (legal::Verification v :
                 {legal::Verification::kVerified,
                  legal::Verification::kSecondary,
                  legal::Verification::kUnverified}) {
                counts[legal::VerificationName(v)] = by_verification[static_cast<std::size_t>(v)];
            }
            o["counts"] = std::move(counts);
            boost::json::array rows;
            for (const legal::InstrumentParty& ip : parties) {
                rows.emplace_back(EntryJson(ip, args.lang));
            }
            o["parties"] = std::move(rows);
            instruments.emplace_back(std::move(o));
            continue;
        }
        ctx.out << id << "\t" << legal::Pick(ins.title, args.lang) << "\n";
        for (const legal::InstrumentParty& ip : parties) {
            const legal::PartyInstrument& e = *ip.entry;
            ctx.out
                << "  " << ip.party->code << "\t" << legal::Pick(ip.party->name, args.lang) << "\t"
                << catalog.Text(
                       "party_status." + std::string(legal::PartyStatusName(ip.status)), args.lang
                   )
                << "\t" << (e.signed_on.empty() ? "-" : e.signed_on) << "\t"
                << (e.ratified.empty() ? "-" : e.ratified) << "\t"
                << (e.in_force.empty() ? "-" : e.in_force) << "\t"
                << catalog.Text(
                       "party_verification." + std::string(legal::VerificationName(e.verification)),
                       args.lang
                   )
                << "\t" << e.source << "\n";
        }
        ctx.out << "  =";
        for (legal::PartyStatus s : kStatuses) {
            ctx.out << "\t"
                    << catalog.Text(
                           "party_status." + std::string(legal::PartyStatusName(s)), args.lang
                       )
                    << ": " << by_status[static_cast<std::size_t>(s)];
        }
        ctx.out << "\n";
    }
    if (args.json) {
        boost::json::object root;
        root["date"] = date;
        root["instruments"] = std::move(instruments);
        ctx.out << boost::json::serialize(root) << "\n";
    }
    return {};
}

}  // namespace

void AddLegalPartiesCommand(CLI::App& legal_app, Context& ctx) {
    auto args = std::make_shared<PartiesArgs>();
    CLI::App* cmd = legal_app.add_subcommand(
        "parties", "parties and signatories of each instrument, with status and sources"
    );
    cmd->add_option(
        "--instruments", args->instruments_dir, "instruments directory (default: built-in)"
    );
    cmd->add_option("--lang", args->lang, "language: ar, zh, en, fr, ru, es")
        ->check(CLI::IsMember({"ar", "zh", "en", "fr", "ru", "es"}));
    cmd->add_option("--instrument", args->instrument, "only this instrument, e.g. budapest");
    cmd->add_option("--date", args->date, "status on this date, YYYY-MM-DD (default: today)")
        ->check([](const std::string& d) {
            const bool ok = d.size() == 10 && d[4] == '-' && d[7] == '-';
            return ok ? std::string() : std::string("the date is YYYY-MM-DD");
        });
    cmd->add_flag("--json", args->json, "print JSON");
    cmd->callback([&ctx, args] { Finish(ctx, ListParties(ctx, *args)); });
}

}  // namespace concord::cli
