#include "concord/legal/check.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace concord::legal {
namespace {

using testing::TestCatalog;

boost::json::object Example() {
    std::ifstream in(
        std::string(CONCORD_SOURCE_DIR) + "/instruments/examples/expedited-preservation.json"
    );
    std::stringstream ss;
    ss << in.rdbuf();
    return boost::json::parse(ss.str()).as_object();
}

std::vector<Finding> Check(const boost::json::object& req, std::string_view lang = "en") {
    return CheckRequest(TestCatalog(), boost::json::serialize(req), lang);
}

const Finding* Find(const std::vector<Finding>& fs, std::string_view code) {
    for (const Finding& f : fs) {
        if (f.code == code) {
            return &f;
        }
    }
    return nullptr;
}

bool Cites(const Finding& f, std::string_view ref) {
    for (const Citation& c : f.citations) {
        if (c.ref == ref) {
            return true;
        }
    }
    return false;
}

std::string Dump(const std::vector<Finding>& fs) {
    return FindingsToJson(fs);
}

TEST(CheckRequest, ShippedExampleValidatesWithoutErrors) {
    auto fs = Check(Example());
    EXPECT_FALSE(HasErrors(fs)) << Dump(fs);
    const Finding* dc = Find(fs, "dual_criminality_not_required");
    ASSERT_NE(dc, nullptr) << Dump(fs);
    EXPECT_TRUE(Cites(*dc, "budapest:29(3)"));
    EXPECT_EQ(dc->citations.front().verification, Verification::kVerified);
    ASSERT_NE(Find(fs, "deadline"), nullptr);
    EXPECT_NE(Find(fs, "deadline")->message.find("60"), std::string::npos);
}

TEST(CheckRequest, FindingsJsonIsAnArrayWithCitations) {
    boost::json::value v = boost::json::parse(FindingsToJson(Check(Example())));
    ASSERT_TRUE(v.is_array());
    ASSERT_FALSE(v.as_array().empty());
    const auto& first = v.as_array().front().as_object();
    EXPECT_TRUE(first.contains("severity"));
    EXPECT_TRUE(first.contains("code"));
    EXPECT_TRUE(first.at("citations").is_array());
}

TEST(CheckRequest, UnparseableJsonIsOneError) {
    auto fs = CheckRequest(TestCatalog(), "{not json", "en");
    ASSERT_EQ(fs.size(), 1U);
    EXPECT_EQ(fs[0].code, "request_malformed");
    EXPECT_TRUE(HasErrors(fs));
}

// Scenario table from the issue.
TEST(CheckRequest, BudapestPartyAsksUnOnlyPartyToPreserve) {
    auto req = Example();
    req["requesting_party"] = "XB";
    req["requested_party"] = "XU";
    req["date"] = "2027-03-01";
    req.erase("instrument");
    auto fs = Check(req);
    EXPECT_FALSE(HasErrors(fs)) << Dump(fs);
    const Finding* basis = Find(fs, "basis_selected");
    ASSERT_NE(basis, nullptr) << Dump(fs);
    EXPECT_TRUE(Cites(*basis, "un-2024:42"));
    ASSERT_NE(Find(fs, "dual_criminality_not_required"), nullptr);
    // The UN article number is not verified: the checker says so.
    EXPECT_NE(Find(fs, "citation_unverified"), nullptr) << Dump(fs);

    req["instrument"] = "budapest";  // named but not binding XU: explained alternative
    fs = Check(req);
    EXPECT_FALSE(HasErrors(fs)) << Dump(fs);
    ASSERT_NE(Find(fs, "party_not_bound"), nullptr);
    ASSERT_NE(Find(fs, "alternative_basis"), nullptr);
}

TEST(CheckRequest, NoSharedInstrumentIsAnError) {
    auto req = Example();
    req["requested_party"] = "VN";  // signatory only: not bound
    auto fs = Check(req);
    ASSERT_NE(Find(fs, "no_common_basis"), nullptr) << Dump(fs);
    EXPECT_TRUE(HasErrors(fs));
}

boost::json::object Epoc(const char* role) {
    auto req = Example();
    req["type"] = "epoc";
    req["instrument"] = "eu-2023-1543";
    req["requested_party"] = "DE";
    req["date"] = "2026-09-01";
    req["issuing_authority"] = {{"name", "Parquet de Paris"}, {"role", role}};
    boost::json::object fields;
    fields["service_provider"] = "Example Mail GmbH, designated establishment in Berlin";
    fields["data_categories"] = boost::json::array{"content"};
    fields["identifiers"] =
        boost::json::array{{{"type", "email"}, {"value", "suspect@mail.example"}}};
    fields["summary_of_facts"] = "Extortion e-mails sent to the hospital.";
    fields["legal_provisions"] = "Code pénal, art. 312-1; 7 years";
    req["fields"] = fields;
    return req;
}

TEST(CheckRequest, EpocForContentDataByProsecutorNeedsAJudge) {
    auto fs = Check(Epoc("prosecutor"));
    const Finding* f = Find(fs, "issuer_not_competent");
    ASSERT_NE(f, nullptr) << Dump(fs);
    EXPECT_EQ(f->severity, Severity::kError);
    EXPECT_TRUE(Cites(*f, "eu-2023-1543:4(2)"));

    auto judge = Check(Epoc("investigating_judge"));
    EXPECT_EQ(Find(judge, "issuer_not_competent"), nullptr) << Dump(judge);
    EXPECT_FALSE(HasErrors(judge)) << Dump(judge);

    auto validated = Epoc("prosecutor");
    validated["validating_authority"] = {{"name", "Juge des libertés"}, {"role", "judge"}};
    EXPECT_EQ(Find(Check(validated), "issuer_not_competent"), nullptr);
}

TEST(CheckRequest, EpocBeforeTheRegulationAppliesHasNoBasis) {
    auto req = Epoc("judge");
    req["date"] = "2026-03-02";
    EXPECT_NE(Find(Check(req), "no_common_basis"), nullptr);
}

boost::json::object Emergency() {
    auto req = Example();
    req["type"] = "emergency_disclosure";
    req["instrument"] = "budapest-2ap";
    req["requesting_party"] = "XB";
    req["requested_party"] = "XR";
    req["date"] = "2027-03-01";
    boost::json::object fields;
    fields["summary_of_facts"] = "Kidnapping; the kidnapper uses this account.";
    fields["service_provider"] = "Example Chat Ltd";
    fields["data_categories"] = boost::json::array{"subscriber", "traffic"};
    fields["identifiers"] = boost::json::array{
        {{"type", "account"}, {"service", "Example Chat"}, {"value", "kidnap4321"}}};
    fields["contact_phone"] = "+33144775500";
    req["fields"] = fields;
    return req;
}

TEST(CheckRequest, EmergencyDisclosureWithoutRiskToLifeIsRefused) {
    auto req = Emergency();
    req["emergency"] = {
        {"risk", "financial_loss"}, {"imminent", true}, {"facts", "Money may be moved."}};
    auto fs = Check(req);
    const Finding* f = Find(fs, "emergency_not_established");
    ASSERT_NE(f, nullptr) << Dump(fs);
    EXPECT_TRUE(Cites(*f, "budapest-2ap:3"));

    req["emergency"] = {
        {"risk", "life"}, {"imminent", true}, {"facts", "The victim is held since yesterday."}};
    fs = Check(req);
    EXPECT_EQ(Find(fs, "emergency_not_established"), nullptr) << Dump(fs);
    EXPECT_NE(Find(fs, "emergency_established"), nullptr);
}

TEST(CheckRequest, OffenceNotCriminalisedUnderASharedInstrument) {
    auto req = Example();
    req["type"] = "extradition";
    req["requesting_party"] = "XB";
    req["requested_party"] = "XR";
    req["date"] = "2027-03-01";
    req["offences"] = boost::json::array{{{"concept", "extremism"}, {"domestic_law", "Art. 282"}}};
    req["fields"] = {
        {"person_sought",
         {{"name", "A. Person"}, {"date_of_birth", "1990-05-17"}, {"nationality", "XB"}}},
        {"summary_of_facts", "Posts on a forum."},
        {"legal_provisions", "Art. 282, 5 years"},
        {"warrant", "Warrant no. 12/2027"}};
    auto fs = Check(req);
    const Finding* f = Find(fs, "dual_criminality_not_established");
    ASSERT_NE(f, nullptr) << Dump(fs);
    EXPECT_EQ(f->severity, Severity::kError);
    EXPECT_TRUE(Cites(*f, "budapest:24(1)"));

    req["offences"] = boost::json::array{{{"article", "budapest:2"}}};
    fs = Check(req);
    const Finding* ok = Find(fs, "dual_criminality_satisfied");
    ASSERT_NE(ok, nullptr) << Dump(fs);
    EXPECT_TRUE(Cites(*ok, "budapest:2"));
    EXPECT_FALSE(HasErrors(fs)) << Dump(fs);
}

TEST(CheckRequest, Reservation29_4RestoresDualCriminalityForOtherOffences) {
    auto req = Example();
    req["requesting_party"] = "XB";
    req["requested_party"] = "XR";
    req["date"] = "2027-03-01";
    req["offences"] = boost::json::array{{{"concept", "drug_trafficking"}}};
    auto fs = Check(req);
    ASSERT_NE(Find(fs, "reservation_applies"), nullptr) << Dump(fs);
    EXPECT_TRUE(Cites(*Find(fs, "reservation_applies"), "budapest:29(4)"));
    EXPECT_NE(Find(fs, "dual_criminality_not_established"), nullptr) << Dump(fs);

    req["offences"] = boost::json::array{{{"article", "budapest:2"}}};
    fs = Check(req);
    EXPECT_FALSE(HasErrors(fs)) << Dump(fs);
    EXPECT_NE(Find(fs, "dual_criminality_not_required"), nullptr);
}

TEST(CheckRequest, ReservationExcludesDirectSubscriberOrders) {
    auto req = Example();
    req["type"] = "direct_subscriber_order";
    req["instrument"] = "budapest-2ap";
    req["requesting_party"] = "XB";
    req["requested_party"] = "XR";
    req["date"] = "2027-03-01";
    req["fields"] = {
        {"service_provider", "Example Host"},
        {"identifiers", boost::json::array{{{"type", "domain"}, {"value", "example.org"}}}},
        {"summary_of_facts", "Phishing site."},
        {"legal_provisions", "Art. 8"}};
    auto fs = Check(req);
    const Finding* f = Find(fs, "excluded_by_reservation");
    ASSERT_NE(f, nullptr) << Dump(fs);
    EXPECT_TRUE(Cites(*f, "budapest-2ap:7(9)(a)"));
}

TEST(CheckRequest, MalformedTypedFieldsAreFieldLevelErrors) {
    auto req = Example();
    auto& fields = req["fields"].as_object();
    fields["identifiers"] = boost::json::array{
        {{"type", "ip_endpoint"},
         {"value", "203.0.113.300:443"},
         {"timestamp", "2026-02-28T02:14:07+01:00"}},
        {{"type", "iban"}, {"value", "GB82WEST12345698765431"}},
        {{"type", "crypto_address"},
         {"chain", "bitcoin"},
         {"address", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"}},
        {{"type", "ip_endpoint"},
         {"value", "203.0.113.45:443"},
         {"timestamp", "2026-02-28T02:14:07"}}};
    auto fs = Check(req);
    std::vector<std::string> paths;
    for (const Finding& f : fs) {
        if (f.code == "field_invalid") {
            paths.push_back(f.field);
        }
    }
    EXPECT_EQ(
        paths,
        (std::vector<std::string>{
            "fields.identifiers[0].value",
            "fields.identifiers[1].value",
            "fields.identifiers[2].address",
            "fields.identifiers[3].timestamp"})
    ) << Dump(fs);
}

TEST(CheckRequest, MissingRequiredFieldCitesTheArticle) {
    auto req = Example();
    req["fields"].as_object().erase("necessity");
    auto fs = Check(req);
    const Finding* f = Find(fs, "field_missing");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->field, "fields.necessity");
    EXPECT_TRUE(Cites(*f, "budapest:29(2)(e)"));
}

// Penalty thresholds (max_penalty_years) read from the instruments' data.
struct PenaltyCase {
    const char* name;
    bool eu;                 // true: EPOC to DE under the Regulation; false: preservation XB -> XU
    const char* categories;  // comma-separated data categories
    const char* offence;     // "budapest:2" (an article) or a concept id
    double max_penalty;      // < 0: not given
    const char* code;        // expected penalty finding, "" for none
    Severity severity;
    const char* cite;
};

boost::json::object PenaltyRequest(const PenaltyCase& c) {
    boost::json::object req;
    if (c.eu) {
        req = Epoc("investigating_judge");
    } else {
        req = Example();
        req["requesting_party"] = "XB";
        req["requested_party"] = "XU";
        req["date"] = "2027-03-01";
        req.erase("instrument");
    }
    boost::json::array cats;
    for (std::string_view rest = c.categories; !rest.empty();) {
        std::size_t comma = rest.find(',');
        cats.emplace_back(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    req["fields"].as_object()["data_categories"] = cats;
    boost::json::object offence;
    offence
        [std::string_view(c.offence).find(':') != std::string_view::npos ? "article" : "concept"] =
            c.offence;
    if (c.max_penalty >= 0) {
        offence["max_penalty_years"] = c.max_penalty;
    }
    req["offences"] = boost::json::array{offence};
    return req;
}

const Finding* FindPenalty(const std::vector<Finding>& fs) {
    for (const Finding& f : fs) {
        if (f.code.rfind("penalty_", 0) == 0) {
            return &f;
        }
    }
    return nullptr;
}

TEST(CheckRequest, PenaltyThresholds) {
    const PenaltyCase cases[] = {
        {"eu content below 3 years",
         true,
         "content",
         "drug_trafficking",
         2,
         "penalty_threshold_not_met",
         Severity::kError,
         "eu-2023-1543:5(4)"},
        {"eu traffic 2.5 years",
         true,
         "traffic",
         "drug_trafficking",
         2.5,
         "penalty_threshold_not_met",
         Severity::kError,
         "eu-2023-1543:5(4)"},
        {"eu content exactly 3 years",
         true,
         "content",
         "drug_trafficking",
         3,
         "penalty_threshold_met",
         Severity::kNote,
         "eu-2023-1543:5(4)"},
        {"eu content 8 years",
         true,
         "subscriber,content",
         "drug_trafficking",
         8,
         "penalty_threshold_met",
         Severity::kNote,
         "eu-2023-1543:5(4)"},
        {"eu content penalty not given",
         true,
         "content",
         "drug_trafficking",
         -1,
         "penalty_unknown",
         Severity::kWarning,
         "eu-2023-1543:5(4)"},
        {"eu listed cyber offence",
         true,
         "content",
         "budapest:2",
         1,
         "penalty_threshold_exempt",
         Severity::kNote,
         "eu-2023-1543:5(4)"},
        {"eu csam exempt",
         true,
         "traffic",
         "csam",
         1,
         "penalty_threshold_exempt",
         Severity::kNote,
         "eu-2023-1543:5(4)"},
        {"eu identification only",
         true,
         "identification",
         "drug_trafficking",
         1,
         "",
         Severity::kNote,
         ""},
        {"eu subscriber only", true, "subscriber", "drug_trafficking", 1, "", Severity::kNote, ""},
        {"un other offence below 4 years",
         false,
         "traffic",
         "drug_trafficking",
         3,
         "penalty_threshold_not_met",
         Severity::kError,
         "un-2024:35(1)(c)"},
        {"un serious crime",
         false,
         "traffic",
         "drug_trafficking",
         4,
         "penalty_threshold_met",
         Severity::kNote,
         "un-2024:2(h)"},
        {"un penalty not given",
         false,
         "traffic",
         "drug_trafficking",
         -1,
         "penalty_unknown",
         Severity::kWarning,
         "un-2024:35(1)(c)"},
        {"un own offence needs no threshold",
         false,
         "traffic",
         "budapest:2",
         1,
         "",
         Severity::kNote,
         ""},
    };
    for (const PenaltyCase& c : cases) {
        SCOPED_TRACE(c.name);
        auto fs = Check(PenaltyRequest(c));
        const Finding* f = FindPenalty(fs);
        if (std::string_view(c.code).empty()) {
            EXPECT_EQ(f, nullptr) << Dump(fs);
            continue;
        }
        ASSERT_NE(f, nullptr) << Dump(fs);
        EXPECT_EQ(f->code, c.code) << Dump(fs);
        EXPECT_EQ(f->severity, c.severity) << Dump(fs);
        EXPECT_TRUE(Cites(*f, c.cite)) << Dump(fs);
        EXPECT_EQ(f->field.rfind("offences[0]", 0), 0U) << f->field;
        EXPECT_EQ(HasErrors(fs), c.severity == Severity::kError) << Dump(fs);
        EXPECT_EQ(f->message.find('{'), std::string::npos) << f->message;
    }
}

TEST(CheckRequest, PenaltyThresholdStatusIsShown) {
    // The EU threshold is attested by secondary sources only: the checker warns, citing it.
    PenaltyCase eu{"", true, "content", "drug_trafficking", 5, "", Severity::kNote, ""};
    auto fs = Check(PenaltyRequest(eu));
    bool warned = false;
    for (const Finding& f : fs) {
        warned = warned || (f.code == "citation_unverified" && Cites(f, "eu-2023-1543:5(4)"));
    }
    EXPECT_TRUE(warned) << Dump(fs);
    // The UN threshold is verified: no such warning for it.
    PenaltyCase un{"", false, "traffic", "drug_trafficking", 5, "", Severity::kNote, ""};
    fs = Check(PenaltyRequest(un));
    for (const Finding& f : fs) {
        EXPECT_FALSE(f.code == "citation_unverified" && Cites(f, "un-2024:35(1)(c)")) << Dump(fs);
    }
    // Messages in every language, with the numbers filled in.
    PenaltyCase low{"", false, "traffic", "drug_trafficking", 2, "", Severity::kNote, ""};
    for (std::string_view lang : kLanguages) {
        const auto low_fs = Check(PenaltyRequest(low), lang);
        const Finding* f = FindPenalty(low_fs);
        ASSERT_NE(f, nullptr) << lang;
        EXPECT_NE(f->message.find('2'), std::string::npos) << lang << ": " << f->message;
        EXPECT_NE(f->message.find('4'), std::string::npos) << lang << ": " << f->message;
    }
}

TEST(CheckRequest, MessagesFollowTheLanguage) {
    auto req = Example();
    req["fields"].as_object().erase("necessity");
    for (std::string_view lang : kLanguages) {
        auto fs = Check(req, lang);
        const Finding* f = Find(fs, "field_missing");
        ASSERT_NE(f, nullptr);
        EXPECT_EQ(f->message.find("finding."), std::string::npos) << lang;
        EXPECT_EQ(f->message.find('{'), std::string::npos) << lang << ": " << f->message;
    }
    EXPECT_NE(Find(Check(req, "fr"), "field_missing")->message.find("manquant"), std::string::npos);
}

// Issue 13: every field's length is capped by the schema (request-types.toml), before the field's
// own check runs, so no decoder sees unbounded input.
TEST(CheckRequest, OverlongFieldValuesAreRefusedBeforeDecoding) {
    const FieldSpec* spec = TestCatalog().request_types.at("freezing_seizure").FindField("crypto_addresses");
    ASSERT_NE(spec, nullptr);
    auto req = Example();
    req["type"] = "freezing_seizure";
    req.erase("instrument");
    req["fields"] = {
        {"property", "Funds on the wallet below"},
        {"summary_of_facts", "Ransom paid in bitcoin."},
        {"crypto_addresses",
         boost::json::array{
             {{"chain", "bitcoin"}, {"address", std::string(spec->max_length + 1, '2')}}}}};
    auto fs = Check(req);
    const Finding* f = Find(fs, "field_invalid");
    ASSERT_NE(f, nullptr) << Dump(fs);
    EXPECT_EQ(f->field, "fields.crypto_addresses[0].address");
    EXPECT_NE(f->message.find(TestCatalog().Text("reason.too_long", "en")), std::string::npos)
        << f->message;

    boost::json::array many;
    for (std::size_t i = 0; i <= spec->max_items; ++i) {
        many.push_back(boost::json::object{
            {"chain", "bitcoin"}, {"address", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"}});
    }
    req["fields"].as_object()["crypto_addresses"] = many;
    fs = Check(req);
    f = Find(fs, "field_invalid");
    ASSERT_NE(f, nullptr) << Dump(fs);
    EXPECT_EQ(f->field, "fields.crypto_addresses");
    EXPECT_NE(f->message.find(TestCatalog().Text("reason.too_many", "en")), std::string::npos);
}

TEST(CheckRequest, EveryFieldDefinitionCarriesALengthCap) {
    for (const auto& [id, type] : TestCatalog().request_types) {
        for (const FieldSpec& f : type.fields) {
            EXPECT_GT(f.max_length, 0U) << id << "." << f.name;
            EXPECT_EQ(f.list, f.max_items > 0) << id << "." << f.name;
        }
    }
    EXPECT_GT(TestCatalog().limits.name_length, 0U);
}

TEST(CheckRequest, OverlongMembersOutsideFieldsAreRefused) {
    auto req = Example();
    req["issuing_authority"].as_object()["name"] =
        std::string(TestCatalog().limits.name_length + 1, 'a');
    auto fs = Check(req);
    ASSERT_EQ(fs.size(), 1U) << Dump(fs);  // nothing else is checked
    EXPECT_EQ(fs[0].code, "field_invalid");
    EXPECT_EQ(fs[0].field, "issuing_authority.name");

    req = Example();
    boost::json::array offences;
    for (std::size_t i = 0; i <= TestCatalog().limits.offences; ++i) {
        offences.push_back(boost::json::object{{"article", "budapest:2"}});
    }
    req["offences"] = offences;
    fs = Check(req);
    ASSERT_NE(Find(fs, "field_invalid"), nullptr) << Dump(fs);
    EXPECT_EQ(Find(fs, "field_invalid")->field, "offences");
}

TEST(CheckRequest, NegativeOrAbsurdPenaltyIsRefused) {
    for (double years : {-1.0, -0.5, 151.0, 1e300}) {
        auto req = Example();
        req["offences"].as_array()[0].as_object()["max_penalty_years"] = years;
        auto fs = Check(req);
        const Finding* f = Find(fs, "field_invalid");
        ASSERT_NE(f, nullptr) << years << Dump(fs);
        EXPECT_EQ(f->field, "offences[0].max_penalty_years");
        EXPECT_TRUE(HasErrors(fs));
    }
    auto req = Example();
    req["offences"].as_array()[0].as_object()["max_penalty_years"] = 0;  // a fine only
    EXPECT_FALSE(HasErrors(Check(req))) << Dump(Check(req));
}

TEST(CheckRequest, HiddenOrReorderedTextInNamesAndFreeTextIsRefused) {
    struct Case {
        const char* where;
        std::string value;
        const char* path;
    };
    const Case cases[] = {
        {"name", "Parquet\u202e de Paris", "issuing_authority.name"},
        {"name", "\u200b\u200b", "issuing_authority.name"},
        {"name", "Parquet\x01", "issuing_authority.name"},
        {"text", "Facts\u2067hidden\u2069", "fields.summary_of_facts"},
        {"text", "\ufeff\u3164", "fields.summary_of_facts"},
        {"law", "Code p\u00e9nal\u202d 323-1", "offences[0].domestic_law"},
        {"person", "A.\u202eosreP", "fields.persons[0].name"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.path);
        auto req = Example();
        std::string_view where = c.where;
        if (where == "name") {
            req["issuing_authority"].as_object()["name"] = c.value;
        } else if (where == "text") {
            req["fields"].as_object()["summary_of_facts"] = c.value;
        } else if (where == "law") {
            req["offences"].as_array()[0].as_object()["domestic_law"] = c.value;
        } else {
            req["type"] = "mla_stored_data";
            req.erase("instrument");
            req["fields"] = {
                {"investigating_authority", "Parquet de Paris"},
                {"summary_of_facts", "Facts."},
                {"assistance_sought", "Subscriber data."},
                {"purpose", "Identify the sender."},
                {"data_categories", boost::json::array{"subscriber"}},
                {"persons", boost::json::array{{{"name", c.value}}}}};
        }
        auto fs = Check(req);
        bool found = false;
        for (const Finding& f : fs) {
            found = found || (f.code == "field_invalid" && f.field == c.path);
        }
        EXPECT_TRUE(found) << Dump(fs);
        EXPECT_TRUE(HasErrors(fs));
    }
}

TEST(CheckRequest, UnknownMembersAreRefusedWithTheirPath) {
    auto req = Example();
    req["priority"] = "urgent";
    req["offences"].as_array()[0].as_object()["penalty"] = 3;
    req["issuing_authority"].as_object()["fax"] = "+33100000000";
    req["fields"].as_object()["identifiers"].as_array()[0].as_object()["port"] = 443;
    req["fields"].as_object()["notes"] = "extra";
    auto fs = Check(req);
    std::set<std::string> paths;
    for (const Finding& f : fs) {
        if (f.severity == Severity::kError) {
            paths.insert(f.field);
        }
    }
    EXPECT_EQ(
        paths,
        (std::set<std::string>{
            "priority",
            "offences[0].penalty",
            "issuing_authority.fax",
            "fields.identifiers[0].port",
            "fields.notes"})
    ) << Dump(fs);
}

}  // namespace
}  // namespace concord::legal
