// Tests of `concord legal ...` through cli::Run. Expected titles, labels and mappings are read
// from the shipped instruments directory, so the tests follow the data rather than copy it.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "concord/cli/cli.hpp"
#include "concord/legal/catalog.hpp"

#include "cli_test_util.hpp"

namespace concord::cli {
namespace {

namespace fs = std::filesystem;

const std::string kInstrumentsDir = std::string(CONCORD_SOURCE_DIR) + "/instruments";
const std::string kExample = kInstrumentsDir + "/examples/expedited-preservation.json";

using testing::Output;
using testing::RunCli;

const legal::Catalog& Catalog() {
    static const legal::Catalog catalog = [] {
        auto c = legal::LoadCatalog(kInstrumentsDir);
        EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().message);
        return c ? std::move(*c) : legal::Catalog{};
    }();
    return catalog;
}

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

bool HasLine(const std::string& text, const std::string& line) {
    auto lines = Lines(text);
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::string Status(legal::Verification v, const std::string& lang) {
    return Catalog().Text("verification." + std::string(legal::VerificationName(v)), lang);
}

boost::json::object Example() {
    std::ifstream in(kExample);
    std::stringstream ss;
    ss << in.rdbuf();
    return boost::json::parse(ss.str()).as_object();
}

// An EPOC for content data issued by a prosecutor with no validating judge, and a malformed IP.
boost::json::object BadRequest() {
    auto req = Example();
    req["type"] = "epoc";
    req["instrument"] = "eu-2023-1543";
    req["requested_party"] = "DE";
    req["date"] = "2026-09-01";
    req["issuing_authority"] = {{"name", "Parquet de Paris"}, {"role", "prosecutor"}};
    boost::json::object fields;
    fields["service_provider"] = "Example Mail GmbH, designated establishment in Berlin";
    fields["data_categories"] = boost::json::array{"content"};
    fields["identifiers"] = boost::json::array{
        {{"type", "ip_endpoint"},
         {"value", "203.0.113.300:443"},
         {"timestamp", "2026-02-28T02:14:07+01:00"}}};
    fields["summary_of_facts"] = "Extortion e-mails sent to the hospital.";
    fields["legal_provisions"] = "Code pénal, art. 312-1; 7 years";
    req["fields"] = fields;
    return req;
}

class LegalCliTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(Catalog().instruments.empty());
        std::random_device rd;
        dir_ = fs::temp_directory_path() /
               ("concord-legal-cli-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string Write(const std::string& name, const boost::json::object& request) const {
        std::string path = (dir_ / name).string();
        std::ofstream(path) << boost::json::serialize(request);
        return path;
    }

    fs::path dir_;
};

// Changed for issue 8 §2: the EU's EIO and EAW are instruments of the catalog too.
TEST_F(LegalCliTest, InstrumentsListsTheShippedIds) {
    const std::set<std::string> expected = {
        "ru-draft-2021",
        "un-2024",
        "budapest",
        "budapest-2ap",
        "eu-2023-1543",
        "uncac",
        "untoc",
        "eu-2014-41",
        "eu-2002-584"};
    Output text = RunCli({"legal", "instruments"});
    ASSERT_EQ(text.status, 0) << text.err;
    std::set<std::string> listed;
    for (const std::string& line : Lines(text.out)) {
        listed.insert(line.substr(0, line.find('\t')));
    }
    EXPECT_EQ(listed, expected) << text.out;
    for (const auto& [id, ins] : Catalog().instruments) {
        EXPECT_NE(text.out.find(std::string(legal::Pick(ins.title, "en"))), std::string::npos)
            << id;
    }

    Output json = RunCli({"legal", "instruments", "--json", "--lang", "ru"});
    ASSERT_EQ(json.status, 0) << json.err;
    boost::json::value v = boost::json::parse(json.out);
    ASSERT_TRUE(v.is_array());
    std::set<std::string> ids;
    for (const boost::json::value& e : v.as_array()) {
        const auto& o = e.as_object();
        const std::string id(o.at("id").as_string());
        ids.insert(id);
        EXPECT_EQ(o.at("title").as_string(), legal::Pick(Catalog().instruments.at(id).title, "ru"));
        EXPECT_EQ(
            o.at("articles").to_number<std::size_t>(), Catalog().instruments.at(id).articles.size()
        );
    }
    EXPECT_EQ(ids, expected);
}

TEST_F(LegalCliTest, OffencesOneALineWithTitleAndStatusInEachLanguage) {
    const legal::Instrument& budapest = Catalog().instruments.at("budapest");
    std::vector<const legal::Article*> offences;
    for (const legal::Article& a : budapest.articles) {
        if (a.kind == "offence") {
            offences.push_back(&a);
        }
    }
    ASSERT_FALSE(offences.empty());
    for (std::string lang : {"en", "fr", "ru", "zh", "ar", "es"}) {
        Output r = RunCli({"legal", "offences", "--instrument", "budapest", "--lang", lang});
        ASSERT_EQ(r.status, 0) << lang << ": " << r.err;
        std::vector<std::string> lines = Lines(r.out);
        ASSERT_EQ(lines.size(), offences.size()) << lang << ":\n" << r.out;
        for (std::size_t i = 0; i < offences.size(); ++i) {
            const legal::Article& a = *offences[i];
            const std::string title(legal::Pick(a.title, lang));
            EXPECT_FALSE(title.empty()) << lang << " " << a.id;
            if (lang != "en") {
                EXPECT_NE(title, legal::Pick(a.title, "en")) << lang << " " << a.id;
            }
            EXPECT_EQ(
                lines[i], "budapest:" + a.id + "\t" + title + "\t" + Status(a.verification, lang)
            ) << lang;
        }
    }

    Output json = RunCli({"legal", "offences", "--instrument", "budapest", "--json"});
    ASSERT_EQ(json.status, 0) << json.err;
    boost::json::value v = boost::json::parse(json.out);
    ASSERT_EQ(v.as_array().size(), offences.size());
    EXPECT_EQ(v.as_array().front().at("article").as_string(), "budapest:" + offences.front()->id);
    EXPECT_EQ(
        v.as_array().front().at("verification").as_string(),
        legal::VerificationName(offences.front()->verification)
    );
}

TEST_F(LegalCliTest, MapNamesCounterpartsAndSaysWhereNoneCorresponds) {
    const legal::Article* art = Catalog().FindCitation("budapest:2");
    ASSERT_NE(art, nullptr);
    ASSERT_FALSE(art->concept_id.empty());
    Output r = RunCli({"legal", "map", "budapest:2"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(
        Lines(r.out).front(),
        "budapest:2\t" + std::string(legal::Pick(art->title, "en")) + "\t" +
            Status(art->verification, "en")
    );
    const std::string none = Catalog().Text("label.none", "en");
    std::size_t with = 0;
    std::size_t without = 0;
    for (const auto& [id, ins] : Catalog().instruments) {
        if (id == "budapest") {
            continue;
        }
        bool any = false;
        for (const legal::Article& a : ins.articles) {
            if (a.kind == "offence" && a.concept_id == art->concept_id) {
                any = true;
                EXPECT_TRUE(HasLine(
                    r.out,
                    "  " + id + ":" + a.id + "\t" + std::string(legal::Pick(a.title, "en")) + "\t" +
                        Status(a.verification, "en")
                )) << id
                   << ":" << a.id << "\n"
                   << r.out;
            }
        }
        EXPECT_EQ(HasLine(r.out, "  " + id + "\t" + none), !any) << id << "\n" << r.out;
        ++(any ? with : without);
    }
    EXPECT_GT(with, 0U);
    EXPECT_GT(without, 0U);  // the "none" lines above were really exercised

    Output fr = RunCli({"legal", "map", "budapest:2", "--lang", "fr"});
    ASSERT_EQ(fr.status, 0) << fr.err;
    EXPECT_NE(fr.out.find("\t" + Catalog().Text("label.none", "fr")), std::string::npos);
    EXPECT_NE(Catalog().Text("label.none", "fr"), none);

    Output json = RunCli({"legal", "map", "budapest:2", "--json"});
    ASSERT_EQ(json.status, 0) << json.err;
    boost::json::object o = boost::json::parse(json.out).as_object();
    EXPECT_EQ(o.at("concept").as_string(), art->concept_id);
    EXPECT_EQ(o.at("counterparts").as_array().size(), with + without);
}

TEST_F(LegalCliTest, CheckShippedExampleExitsZero) {
    Output r = RunCli({"legal", "check", kExample});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_EQ(r.out.find("error\t"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("dual_criminality_not_required"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[budapest:29(3): verified against the official text]"), std::string::npos)
        << r.out;

    std::ifstream in(kExample);
    std::stringstream ss;
    ss << in.rdbuf();
    Output stdin_run = RunCli({"legal", "check", "-", "--json"}, ss.str());
    EXPECT_EQ(stdin_run.status, 0) << stdin_run.err;
    boost::json::value v = boost::json::parse(stdin_run.out);
    ASSERT_TRUE(v.is_array());
    for (const boost::json::value& f : v.as_array()) {
        EXPECT_NE(f.at("severity").as_string(), "error") << stdin_run.out;
    }
}

TEST_F(LegalCliTest, CheckBadRequestExitsOneWithCodesAndCitations) {
    const std::string path = Write("bad.json", BadRequest());
    Output r = RunCli({"legal", "check", path});
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("must not be sent"), std::string::npos) << r.err;
    // In the reader's language: severity, citation status and the closing line.
    Output fr = RunCli({"legal", "check", path, "--lang", "fr"});
    EXPECT_EQ(fr.status, 1) << fr.out << fr.err;
    EXPECT_NE(fr.out.find("erreur\tfield_invalid\t"), std::string::npos) << fr.out;
    EXPECT_EQ(fr.out.find("error\t"), std::string::npos) << fr.out;
    EXPECT_NE(fr.err.find("ne doit pas être envoyée"), std::string::npos) << fr.err;
    bool ip = false;
    bool issuer = false;
    for (const std::string& line : Lines(r.out)) {
        if (line.rfind("error\tfield_invalid\tfields.identifiers[0].value\t", 0) == 0) {
            ip = true;
        }
        if (line.rfind("error\tissuer_not_competent\tissuing_authority.role\t", 0) == 0) {
            issuer = true;
            EXPECT_NE(line.find("[eu-2023-1543:4(2): "), std::string::npos) << line;
        }
    }
    EXPECT_TRUE(ip) << r.out;
    EXPECT_TRUE(issuer) << r.out;

    Output json = RunCli({"legal", "check", path, "--json", "--lang", "es"});
    EXPECT_EQ(json.status, 1);
    boost::json::value v = boost::json::parse(json.out);
    ASSERT_TRUE(v.is_array());
    std::set<std::string> codes;
    for (const boost::json::value& e : v.as_array()) {
        const auto& f = e.as_object();
        codes.insert(std::string(f.at("code").as_string()));
        EXPECT_FALSE(f.at("message").as_string().empty());
        for (const boost::json::value& c : f.at("citations").as_array()) {
            EXPECT_FALSE(c.at("ref").as_string().empty());
            EXPECT_FALSE(c.at("verification").as_string().empty());
        }
        if (f.at("code").as_string() == "issuer_not_competent") {
            const auto& cites = f.at("citations").as_array();
            ASSERT_FALSE(cites.empty());
            EXPECT_EQ(cites.front().at("ref").as_string(), "eu-2023-1543:4(2)");
            // The message is in Spanish: the role is named in Spanish.
            EXPECT_NE(
                std::string(f.at("message").as_string())
                    .find(Catalog().Text("role.prosecutor", "es")),
                std::string::npos
            ) << f.at("message");
        }
    }
    EXPECT_TRUE(codes.contains("field_invalid")) << json.out;
    EXPECT_TRUE(codes.contains("issuer_not_competent")) << json.out;
}

TEST_F(LegalCliTest, BadArgumentsExitTwoWithAClearMessage) {
    Output unknown = RunCli({"legal", "offences", "--instrument", "nope"});
    EXPECT_EQ(unknown.status, 2);
    EXPECT_TRUE(unknown.out.empty());
    EXPECT_NE(unknown.err.find("unknown instrument 'nope'"), std::string::npos) << unknown.err;

    Output map = RunCli({"legal", "map", "nope:2"});
    EXPECT_EQ(map.status, 2);
    EXPECT_NE(map.err.find("nope"), std::string::npos) << map.err;

    Output article = RunCli({"legal", "map", "budapest:999"});
    EXPECT_EQ(article.status, 2);
    EXPECT_NE(article.err.find("budapest:999"), std::string::npos) << article.err;

    Output no_instrument = RunCli({"legal", "offences"});
    EXPECT_EQ(no_instrument.status, 2);
    EXPECT_NE(no_instrument.err.find("--instrument"), std::string::npos) << no_instrument.err;

    Output lang = RunCli({"legal", "instruments", "--lang", "xx"});
    EXPECT_EQ(lang.status, 2);
    EXPECT_NE(lang.err.find("xx"), std::string::npos) << lang.err;

    Output missing = RunCli({"legal", "check", (dir_ / "missing.json").string()});
    EXPECT_EQ(missing.status, 2);
    EXPECT_NE(missing.err.find("missing.json"), std::string::npos) << missing.err;

    Output dir = RunCli({"legal", "instruments", "--instruments", (dir_ / "nowhere").string()});
    EXPECT_EQ(dir.status, 2);
    EXPECT_NE(dir.err.find("nowhere"), std::string::npos) << dir.err;

    Output bare = RunCli({"legal"});
    EXPECT_EQ(bare.status, 2);
    EXPECT_FALSE(bare.err.empty());
}

TEST_F(LegalCliTest, InstrumentsDirOptionIsUsed) {
    const fs::path copy = dir_ / "instruments";
    fs::copy(kInstrumentsDir, copy, fs::copy_options::recursive);
    const std::string short_name = Catalog().instruments.at("budapest").short_name;
    std::ifstream in(copy / "budapest.toml");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    const std::string line = "short_name = \"" + short_name + "\"";
    ASSERT_NE(text.find(line), std::string::npos);
    text.replace(text.find(line), line.size(), "short_name = \"Copied ETS\"");
    std::ofstream(copy / "budapest.toml", std::ios::trunc) << text;

    Output r = RunCli({"legal", "instruments", "--instruments", copy.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(HasLine(
        r.out,
        "budapest\tCopied ETS\t" +
            std::string(legal::Pick(Catalog().instruments.at("budapest").title, "en")) + "\t" +
            Catalog().instruments.at("budapest").in_force
    )) << r.out;
    Output shipped = RunCli({"legal", "instruments"});
    EXPECT_EQ(shipped.out.find("Copied ETS"), std::string::npos);
}

TEST_F(LegalCliTest, RenderLabelsFieldsInTheLanguageAsked) {
    const boost::json::object example = Example();
    const auto& fields = example.at("fields").as_object();
    ASSERT_FALSE(fields.empty());
    for (std::string lang : {"ar", "zh", "en", "fr", "ru", "es"}) {
        Output r = RunCli({"legal", "render", kExample, "--lang", lang});
        ASSERT_EQ(r.status, 0) << lang << ": " << r.err;
        for (const auto& [name, value] : fields) {
            const std::string label = Catalog().Text("field." + std::string(name), lang);
            ASSERT_NE(label, "field." + std::string(name));
            if (lang != "en") {
                EXPECT_NE(label, Catalog().Text("field." + std::string(name), "en"))
                    << lang << " " << name;
            }
            EXPECT_NE(r.out.find(label), std::string::npos) << lang << " " << name << "\n" << r.out;
        }
    }
    Output bad = RunCli({"legal", "render", kExample, "--lang", "xx"});
    EXPECT_EQ(bad.status, 2);
    EXPECT_TRUE(bad.out.empty());
}

// `concord legal template TYPE` prints a request of that type which `concord legal check` passes
// (with the fictional test states of libs/legal/testdata added, which some examples use while
// their instrument binds no pair of shipped parties).
TEST_F(LegalCliTest, TemplateOfEveryTypeChecksWithoutErrors) {
    const fs::path copy = dir_ / "instruments";
    fs::copy(kInstrumentsDir, copy, fs::copy_options::recursive);
    const fs::path testdata = fs::path(CONCORD_SOURCE_DIR) / "libs/legal/testdata";
    const auto options = fs::copy_options::overwrite_existing | fs::copy_options::recursive;
    fs::copy(testdata / "parties", copy / "parties", options);
    fs::copy(testdata / "criminalisation", copy / "criminalisation", options);
    for (const auto& [id, type] : Catalog().request_types) {
        SCOPED_TRACE(id);
        Output t = RunCli({"legal", "template", id});
        ASSERT_EQ(t.status, 0) << t.err;
        boost::json::value v = boost::json::parse(t.out);
        EXPECT_EQ(v.as_object().at("type").as_string(), id);
        Output c = RunCli({"legal", "check", "-", "--instruments", copy.string()}, t.out);
        EXPECT_EQ(c.status, 0) << c.out << c.err;
    }
    Output unknown = RunCli({"legal", "template", "no_such_type"});
    EXPECT_NE(unknown.status, 0);
    EXPECT_NE(unknown.err.find("no_such_type"), std::string::npos) << unknown.err;
}

TEST_F(LegalCliTest, FieldsPrintsTheTablesOfTheDoc) {
    Output r = RunCli({"legal", "fields"});
    ASSERT_EQ(r.status, 0) << r.err;
    std::ifstream in(fs::path(CONCORD_SOURCE_DIR) / "docs/legal-data.md");
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_NE(ss.str().find(r.out), std::string::npos) << "docs/legal-data.md is not up to date";
}

}  // namespace
}  // namespace concord::cli
