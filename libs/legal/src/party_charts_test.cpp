// Tests of the party status charts (instruments/parties/charts/*.tsv) on the shipped data and on
// charts written into a copy of the instruments directory.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "concord/legal/catalog.hpp"
#include "concord/legal/check.hpp"

#include <unistd.h>

namespace concord::legal {
namespace {

namespace fs = std::filesystem;

const fs::path kInstruments = fs::path(CONCORD_SOURCE_DIR) / "instruments";
const fs::path kCharts = kInstruments / "parties" / "charts";
constexpr const char* kHeader =
    "code\tname_en\tsigned\tconsent\tconsent_kind\tin_force\treservations\t"
    "reservations_complete\tdeclarations\tverification\tsource\tnote\n";

const Catalog& Shipped() {
    static const Catalog catalog = [] {
        auto c = LoadCatalog(kInstruments);
        EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().message);
        return c ? std::move(*c) : Catalog{};
    }();
    return catalog;
}

std::vector<fs::path> ShippedCharts() {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(kCharts)) {
        if (e.path().extension() == ".tsv" && e.path().filename() != "names.tsv") {
            out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

// A private copy of the shipped instruments directory.
class ChartDir : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("concord-charts-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::copy(kInstruments, dir_, fs::copy_options::recursive);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path Charts() const { return dir_ / "parties" / "charts"; }
    void Write(const std::string& name, const std::string& text) const {
        std::ofstream(Charts() / name, std::ios::trunc) << text;
    }
    // A chart of `instrument` with the given rows after the comment lines and header.
    void WriteChart(const std::string& instrument, const std::string& rows) const {
        Write(
            instrument + ".tsv", "# source = test chart\n# as_of = 2026-01-01\n" + (kHeader + rows)
        );
    }
    std::string LoadError() const {
        auto c = LoadCatalog(dir_);
        return c ? std::string("loaded") : c.error().message;
    }
    fs::path dir_;
};

TEST(PartyCharts, EveryShippedChartLoadsAndIsCounted) {
    const Catalog& c = Shipped();
    ASSERT_FALSE(ShippedCharts().empty());
    const std::string date = "2026-03-01";
    for (const fs::path& chart : ShippedCharts()) {
        const std::string id = chart.stem().string();
        ASSERT_TRUE(c.instruments.contains(id)) << chart;
        std::size_t rows = 0;
        std::map<std::string, std::size_t> by_status;
        std::map<std::string, std::size_t> by_verification;
        for (const InstrumentParty& ip : PartiesTo(c, id, date)) {
            ++by_status[std::string(PartyStatusName(ip.status))];
            ++by_verification[std::string(VerificationName(ip.entry->verification))];
            EXPECT_FALSE(ip.entry->source.empty()) << id << " " << ip.party->code;
            EXPECT_EQ(ip.entry->as_of.size(), 10U) << id << " " << ip.party->code;
            rows += ip.entry->chart == chart ? 1U : 0U;
        }
        EXPECT_GT(rows, 0U) << chart;
        std::cout << "[ counts   ] " << id << " on " << date << ":";
        for (const auto& [k, n] : by_status) {
            std::cout << " " << k << "=" << n;
        }
        for (const auto& [k, n] : by_verification) {
            std::cout << " " << k << "=" << n;
        }
        std::cout << "\n";
    }
}

TEST(PartyCharts, BudapestChartHasItsParties) {
    const Catalog& c = Shipped();
    std::size_t in_force = 0;
    for (const InstrumentParty& ip : PartiesTo(c, "budapest", "2026-03-01")) {
        in_force += ip.status == PartyStatus::kInForce ? 1U : 0U;
    }
    EXPECT_GE(in_force, 70U);  // the CoE counted 76 parties on 2024-10-09
    // Statuses: in force, signed only, and not yet in force on an earlier date.
    EXPECT_TRUE(c.parties.at("AL").BoundBy("budapest", "2004-07-01"));
    EXPECT_FALSE(c.parties.at("AL").BoundBy("budapest", "2004-06-30"));
    const PartyInstrument* za = c.parties.at("ZA").Find("budapest");
    ASSERT_NE(za, nullptr);
    EXPECT_TRUE(za->ratified.empty());
    EXPECT_FALSE(za->signed_on.empty());
    for (const InstrumentParty& ip : PartiesTo(c, "budapest-2ap", "2026-03-01")) {
        if (ip.party->code == "RS") {
            EXPECT_EQ(ip.status, PartyStatus::kNotYetInForce);
        }
        if (ip.party->code == "US") {
            EXPECT_EQ(ip.status, PartyStatus::kSigned);
        }
    }
    EXPECT_EQ(c.parties.at("AL").name.at("fr"), "Albanie");
}

// Rows read on 2026-12-01: New Zealand's accession (Dutch treaty database, list of changes),
// Sweden's ratification with its 29(4) reservation (CoE news release, WIPO Lex) and Switzerland's
// reservations (CoE declarations pages); all secondary.
TEST(PartyCharts, BudapestRowsReadInSecondarySources) {
    const Catalog& c = Shipped();
    const Party& nz = c.parties.at("NZ");
    EXPECT_TRUE(nz.BoundBy("budapest", "2025-12-01"));
    EXPECT_FALSE(nz.BoundBy("budapest", "2025-11-30"));
    const PartyInstrument* nzb = nz.Find("budapest");
    ASSERT_NE(nzb, nullptr);
    EXPECT_EQ(nzb->ratified, "2025-08-28");
    EXPECT_EQ(nzb->verification, Verification::kSecondary);
    const PartyInstrument* se = c.parties.at("SE").Find("budapest");
    ASSERT_NE(se, nullptr);
    EXPECT_EQ(se->reservations, std::vector<std::string>{"29(4)"});
    EXPECT_FALSE(se->reservations_complete);
    EXPECT_EQ(se->verification, Verification::kSecondary);
    const PartyInstrument* ch = c.parties.at("CH").Find("budapest");
    ASSERT_NE(ch, nullptr);
    EXPECT_EQ(ch->reservations, (std::vector<std::string>{"6(3)", "9(4)", "29(4)"}));
    EXPECT_EQ(ch->ratified, "2011-09-21");
    // No chart row claims "verified" unless it names the CoE chart as its source.
    for (const InstrumentParty& ip : PartiesTo(c, "budapest", "2026-03-01")) {
        const PartyInstrument* pi = ip.party->Find("budapest");
        ASSERT_NE(pi, nullptr);
        if (!pi->chart.empty() && pi->verification == Verification::kVerified) {
            EXPECT_NE(pi->source.find("CoE Treaty Office, chart"), std::string::npos)
                << ip.party->code << ": " << pi->source;
        }
    }
}

// Issue 8 §4: a party's status read only in the Dutch treaty database is secondary, in the hand
// files as in the charts (CETS 224 entries of DE, FR, HU, JP, RS and US claimed "verified").
TEST(PartyCharts, NoEntryReadInTheDutchDatabaseClaimsVerified) {
    const Catalog& c = Shipped();
    std::size_t seen = 0;
    for (const auto& [code, party] : c.parties) {
        for (const PartyInstrument& pi : party.instruments) {
            const bool dutch = pi.source.find("verdragenbank") != std::string::npos ||
                               pi.source.find("Dutch treaty database") != std::string::npos;
            const bool depositary =
                pi.source.find("CoE Treaty Office, chart") != std::string::npos ||
                pi.source.find("UN Treaty Collection") != std::string::npos;
            if (dutch && !depositary) {
                ++seen;
                EXPECT_NE(pi.verification, Verification::kVerified)
                    << code << " " << pi.instrument << ": " << pi.source;
            }
        }
    }
    EXPECT_GT(seen, 6U);
}

// Every fact of the hand-written parties/<CODE>.toml files survives the merge with the charts.
TEST_F(ChartDir, HandFilesOverrideChartRowsAndKeepEveryFact) {
    fs::remove_all(Charts());
    auto hand = LoadCatalog(dir_);
    ASSERT_TRUE(hand.has_value()) << hand.error().message;
    ASSERT_EQ(hand->parties.size(), 8U);
    const Catalog& merged = Shipped();
    for (const auto& [code, p] : hand->parties) {
        ASSERT_TRUE(merged.parties.contains(code)) << code;
        const Party& m = merged.parties.at(code);
        EXPECT_EQ(m.name, p.name) << code;
        EXPECT_EQ(m.groups, p.groups) << code;
        EXPECT_EQ(m.file, p.file.string().replace(0, dir_.string().size(), kInstruments.string()))
            << code;
        ASSERT_EQ(m.authorities.size(), p.authorities.size()) << code;
        for (std::size_t i = 0; i < p.authorities.size(); ++i) {
            EXPECT_EQ(m.authorities[i].name, p.authorities[i].name) << code;
        }
        for (const PartyInstrument& pi : p.instruments) {
            const PartyInstrument* mi = m.Find(pi.instrument);
            ASSERT_NE(mi, nullptr) << code << " " << pi.instrument;
            EXPECT_TRUE(mi->chart.empty()) << code << " " << pi.instrument;
            EXPECT_EQ(mi->signed_on, pi.signed_on) << code << " " << pi.instrument;
            EXPECT_EQ(mi->ratified, pi.ratified) << code << " " << pi.instrument;
            EXPECT_EQ(mi->in_force, pi.in_force) << code << " " << pi.instrument;
            EXPECT_EQ(mi->reservations, pi.reservations) << code << " " << pi.instrument;
            EXPECT_EQ(mi->declarations, pi.declarations) << code << " " << pi.instrument;
            EXPECT_EQ(mi->source, pi.source) << code << " " << pi.instrument;
            EXPECT_EQ(mi->verification, pi.verification) << code << " " << pi.instrument;
        }
    }
    // A chart row stays for an instrument the hand file does not name (and chart-only parties).
    const PartyInstrument* vn = merged.parties.at("DE").Find("budapest");
    ASSERT_NE(vn, nullptr);
    EXPECT_TRUE(vn->chart.empty());
}

TEST_F(ChartDir, ChartRowStaysWhereTheHandFileIsSilent) {
    WriteChart(
        "untoc",
        "DE\tGermany\t2000-12-12\t2006-06-14\tratification\t2006-07-"
        "14\t\tfalse\t\tunverified\ttest\t\n"
    );
    auto c = LoadCatalog(dir_);
    ASSERT_TRUE(c.has_value()) << c.error().message;
    const Party& de = c->parties.at("DE");
    const PartyInstrument* untoc = de.Find("untoc");
    ASSERT_NE(untoc, nullptr);
    EXPECT_EQ(untoc->chart, Charts() / "untoc.tsv");
    EXPECT_TRUE(de.BoundBy("untoc", "2026-01-01"));
    EXPECT_FALSE(de.authorities.empty() && !Shipped().parties.at("DE").authorities.empty());
    EXPECT_TRUE(de.Find("budapest")->chart.empty());  // DE.toml wins over budapest.tsv
}

// The example: laundering between two UNCAC parties has UNCAC as its common basis. The
// chart is written here so the test does not depend on the UN charts being shipped.
TEST_F(ChartDir, LaunderingBetweenTwoUncacPartiesHasACommonBasis) {
    for (const char* un : {"uncac.tsv", "untoc.tsv", "un-2024.tsv"}) {
        fs::remove(Charts() / un);
    }
    boost::json::object req;
    req["schema"] = "concord.legal.request/1";
    req["type"] = "mla_stored_data";
    // Parties known from the shipped data (a Budapest signatory, a hand file) that share no
    // instrument there.
    req["requesting_party"] = "ZA";
    req["requested_party"] = "VN";
    req["date"] = "2026-03-02";
    req["language"] = "en";
    req["issuing_authority"] = {{"name", "Central authority"}, {"role", "central_authority"}};
    req["offences"] = boost::json::array{
        {{"article", "uncac:23"},
         {"domestic_law", "Lei 9.613/1998, art. 1"},
         {"max_penalty_years", 10}}};
    boost::json::object fields;
    fields["investigating_authority"] = "Federal Police, financial crimes unit";
    fields["summary_of_facts"] = "Proceeds of bribery were moved through accounts abroad.";
    fields["assistance_sought"] = "Account holder information and statements.";
    fields["purpose"] = "To trace the proceeds for the criminal proceedings.";
    fields["data_categories"] = boost::json::array{"subscriber"};
    req["fields"] = fields;
    const std::string json = boost::json::serialize(req);
    auto find = [](const std::vector<Finding>& fs, std::string_view code) -> const Finding* {
        for (const Finding& f : fs) {
            if (f.code == code) {
                return &f;
            }
        }
        return nullptr;
    };

    auto before = LoadCatalog(dir_);
    ASSERT_TRUE(before.has_value()) << before.error().message;
    auto fs_before = CheckRequest(*before, json, "en");
    EXPECT_NE(find(fs_before, "no_common_basis"), nullptr) << FindingsToJson(fs_before);

    WriteChart(
        "uncac",
        "VN\tViet "
        "Nam\t2003-12-10\t2009-08-19\tratification\t2009-09-18\t\tfalse\t\tunverified\ttest\t\n"
        "ZA\tSouth "
        "Africa\t2003-12-09\t2004-11-22\tratification\t2005-12-14\t\tfalse\t\tunverified\ttest\t\n"
    );
    auto after = LoadCatalog(dir_);
    ASSERT_TRUE(after.has_value()) << after.error().message;
    auto fs_after = CheckRequest(*after, json, "en");
    EXPECT_EQ(find(fs_after, "no_common_basis"), nullptr) << FindingsToJson(fs_after);
    const Finding* basis = find(fs_after, "basis_selected");
    ASSERT_NE(basis, nullptr) << FindingsToJson(fs_after);
    ASSERT_FALSE(basis->citations.empty());
    EXPECT_EQ(basis->citations.front().ref, "uncac:46");

    // Before Viet Nam is bound there is no common basis.
    req["date"] = "2009-09-17";
    auto fs_early = CheckRequest(*after, boost::json::serialize(req), "en");
    EXPECT_NE(find(fs_early, "no_common_basis"), nullptr) << FindingsToJson(fs_early);
}

// On the shipped Budapest chart alone: two parties with no hand file share Budapest.
TEST(PartyCharts, TwoBudapestPartiesShareBudapest) {
    std::ifstream in(kInstruments / "examples" / "expedited-preservation.json");
    std::stringstream ss;
    ss << in.rdbuf();
    auto req = boost::json::parse(ss.str()).as_object();
    req["requesting_party"] = "AL";
    req["requested_party"] = "CL";
    req.erase("instrument");
    auto fs = CheckRequest(Shipped(), boost::json::serialize(req), "en");
    EXPECT_FALSE(HasErrors(fs)) << FindingsToJson(fs);
    bool budapest = false;
    for (const Finding& f : fs) {
        if (f.code == "basis_selected") {
            budapest = !f.citations.empty() && f.citations.front().ref == "budapest:29";
        }
    }
    EXPECT_TRUE(budapest) << FindingsToJson(fs);
}

// A ';' inside round brackets belongs to one declaration: the United Arab Emirates' UNCAC row
// has one, "Art 66(2) not bound (reservation; per 2010 chart copy)".
TEST(PartyCharts, ASemicolonInBracketsDoesNotSplitADeclaration) {
    const auto it = Shipped().parties.find("AE");
    ASSERT_NE(it, Shipped().parties.end());
    bool seen = false;
    for (const auto& inst : it->second.instruments) {
        if (inst.instrument != "uncac") {
            continue;
        }
        seen = true;
        ASSERT_EQ(inst.declarations.size(), 1u);
        EXPECT_NE(inst.declarations[0].find("(reservation; per 2010"), std::string::npos)
            << inst.declarations[0];
    }
    EXPECT_TRUE(seen);
}

TEST_F(ChartDir, UnbalancedBracketsInDeclarationsAreRefused) {
    WriteChart(
        "untoc", "DE\tGermany\t2000-12-12\t\t\t\t\tfalse\tArt 35(2) (x; y\tunverified\ttest\t\n"
    );
    const std::string e = LoadError();
    EXPECT_NE(e.find("untoc.tsv:4: unbalanced brackets in the declarations"), std::string::npos)
        << e;
}

TEST_F(ChartDir, UnknownColumnIsRefusedWithFileAndLine) {
    Write("untoc.tsv", "# source = x\n# as_of = 2026-01-01\ncode\tname\n");
    const std::string e = LoadError();
    EXPECT_NE(e.find("untoc.tsv:3: unknown column 'name'"), std::string::npos) << e;
}

TEST_F(ChartDir, BadDateIsRefused) {
    WriteChart("untoc", "DE\tGermany\t2000-02-30\t\t\t\t\tfalse\t\tunverified\ttest\t\n");
    const std::string e = LoadError();
    EXPECT_NE(e.find("untoc.tsv:4: signed '2000-02-30' is not a date"), std::string::npos) << e;
}

TEST_F(ChartDir, UnknownCodeIsRefused) {
    WriteChart("untoc", "XQ\tNowhere\t2000-12-12\t\t\t\t\tfalse\t\tunverified\ttest\t\n");
    const std::string e = LoadError();
    EXPECT_NE(e.find("untoc.tsv:4: unknown code 'XQ'"), std::string::npos) << e;
}

TEST_F(ChartDir, UnknownReservationIsRefused) {
    WriteChart(
        "budapest",
        "AL\tAlbania\t2001-11-23\t2002-06-20\tratification\t2004-07-01\t29(9)"
        "\tfalse\t\tverified\ttest\t\n"
    );
    const std::string e = LoadError();
    EXPECT_NE(
        e.find("budapest.tsv:4: '29(9)' is not a reservation point of budapest"), std::string::npos
    ) << e;
}

TEST_F(ChartDir, DuplicateRowIsRefused) {
    const std::string row = "AL\tAlbania\t2001-11-23\t\t\t\t\tfalse\t\tverified\ttest\t\n";
    WriteChart("budapest", row + row);
    const std::string e = LoadError();
    EXPECT_NE(e.find("budapest.tsv:5: AL listed twice"), std::string::npos) << e;
}

TEST_F(ChartDir, MalformedNamesAreRefused) {
    std::ofstream(Charts() / "names.tsv", std::ios::app) << "AL\ta\tb\tc\td\te\tf\n";
    EXPECT_NE(LoadError().find("names.tsv:"), std::string::npos);
    EXPECT_NE(LoadError().find("code 'AL' listed twice"), std::string::npos) << LoadError();
}

TEST_F(ChartDir, NamesWithAMissingLanguageAreRefused) {
    Write("names.tsv", "code\tar\tzh\ten\tfr\tru\tes\nAL\t\tb\tc\td\te\tf\n");
    EXPECT_NE(LoadError().find("names.tsv:2: AL has no 'ar' name"), std::string::npos)
        << LoadError();
}

TEST_F(ChartDir, RowsNeedTheirFieldsAndAsOf) {
    Write("untoc.tsv", std::string("# source = x\n") + kHeader);
    EXPECT_NE(LoadError().find("untoc.tsv:1: no '# as_of"), std::string::npos) << LoadError();
    WriteChart("untoc", "DE\tGermany\t2000-12-12\n");
    EXPECT_NE(LoadError().find("untoc.tsv:4: 3 fields, expected 12"), std::string::npos)
        << LoadError();
    WriteChart(
        "untoc", "DE\tGermany\t\t2006-06-14\tratification\t2006-06-13\t\tfalse\t\tunverified\tt\t\n"
    );
    EXPECT_NE(LoadError().find("untoc.tsv:4: in_force before consent"), std::string::npos)
        << LoadError();
    WriteChart("untoc", "DE\tGermany\t2000-12-12\t\tratified\t\t\tfalse\t\tunverified\tt\t\n");
    EXPECT_NE(LoadError().find("consent_kind 'ratified'"), std::string::npos) << LoadError();
    WriteChart("untoc", "DE\tGermany\t2000-12-12\t\t\t\t\tmaybe\t\tunverified\ttest\t\n");
    EXPECT_NE(LoadError().find("reservations_complete 'maybe'"), std::string::npos) << LoadError();
    WriteChart("nonesuch", "DE\tGermany\t2000-12-12\t\t\t\t\tfalse\t\tunverified\ttest\t\n");
    EXPECT_NE(LoadError().find("nonesuch.tsv:1: unknown instrument"), std::string::npos)
        << LoadError();
}

// A row whose status was not read (all dates empty) is listed as unknown and binds nobody; an
// entry into force without a consent date still binds.
TEST_F(ChartDir, UnreadRowsAreUnknownAndBindNobody) {
    WriteChart(
        "untoc",
        "AD\tAndorra\t\t\t\t\t\tfalse\t\tunverified\tnot read\t\n"
        "BT\tBhutan\t\t\t\t2023-03-22\t\tfalse\t\tsecondary\tt\t\n"
        "CN\tChina\t2000-12-12\t\t\t\t\tfalse\t\tunverified\tt\t\n"
    );
    auto c = LoadCatalog(dir_);
    ASSERT_TRUE(c.has_value()) << c.error().message;
    std::map<std::string, PartyStatus> status;
    for (const InstrumentParty& ip : PartiesTo(*c, "untoc", "2026-01-01")) {
        status[ip.party->code] = ip.status;
    }
    EXPECT_EQ(status.at("AD"), PartyStatus::kUnknown);
    EXPECT_EQ(status.at("BT"), PartyStatus::kInForce);
    EXPECT_EQ(status.at("CN"), PartyStatus::kSigned);
    EXPECT_FALSE(c->parties.at("AD").BoundBy("untoc", "2026-01-01"));
}

}  // namespace
}  // namespace concord::legal
