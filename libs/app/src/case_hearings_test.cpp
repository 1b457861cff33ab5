#include "concord/app/case_hearings.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/core/time.hpp"

#include "app_test_support.hpp"
#include "case_test_support.hpp"

namespace concord::app {
namespace {

// The shipped example, between the test parties (FR asks JP) under UNCAC.
std::string HearingRequest() {
    std::ifstream in(
        std::filesystem::path(CONCORD_SOURCE_DIR) / "instruments" / "examples" /
        "video-hearing.json"
    );
    std::stringstream text;
    text << in.rdbuf();
    boost::json::object r = boost::json::parse(text.str()).as_object();
    r["instrument"] = "uncac";
    r["requesting_party"] = "FR";
    r["requested_party"] = "JP";
    r["offences"] = boost::json::parse(
        R"([{"article": "uncac:15", "domestic_law": "Code pénal, art. 433-1", "max_penalty_years": 10}])"
    );
    return boost::json::serialize(r);
}

boost::json::object Json(std::string_view text) {
    return boost::json::parse(text).as_object();
}

// Both nodes follow hearings, as concordd does.
class CaseHearingsTest : public testing::TwoNodes {
protected:
    void SetUp() override {
        TwoNodes::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        Close(a_);
        Close(b_);
        for (testing::NodeUnderTest* n : {&a_, &b_}) {
            auto leaf = [n](store::Transaction& tx, const boost::json::object& l) {
                return n->node->AppendEvent(tx, l);
            };
            auto hook = std::make_unique<CaseHearings>(leaf);
            CaseHooks case_hooks;
            CaseHearings* raw = hook.get();
            case_hooks.on_state_change =
                [raw](store::Transaction& tx, const Case& c, const StateChange& s) {
                    return raw->OnStateChange(tx, c, s);
                };
            hooks_.push_back(std::move(hook));
            n->cases = std::make_unique<CaseService>(
                *n->store, testing::Catalog(), testing::Lifecycle(), case_hooks
            );
            ASSERT_TRUE(Open(*n));
        }
        auto [out_id, in] = SendToB(HearingRequest());
        out_id_ = out_id;
        in_ = in;
        ASSERT_FALSE(in_.id.empty());
        ASSERT_TRUE(StepB("acknowledge", {}));
        ASSERT_TRUE(StepB("accept", {}));
    }

    Result<Case> StepA(const std::string& transition, boost::json::object details) {
        StepInput step{transition, {}, ""};
        step.details = std::move(details);
        auto done = a_.cases->Transition(alice_, out_id_, step);
        Settle();
        return done;
    }

    Result<Case> StepB(const std::string& transition, boost::json::object details) {
        StepInput step{transition, {}, ""};
        step.details = std::move(details);
        auto done = b_.cases->Transition(dora_, in_.id, step);
        Settle();
        return done;
    }

    std::optional<Hearing> HearingAt(testing::NodeUnderTest& n) {
        const bool at_a = n.id == a_.id;
        auto view = n.cases->Read(at_a ? alice_ : dora_, at_a ? out_id_ : in_.id);
        EXPECT_TRUE(view) << view.error().ToString();
        return view ? view->hearing : std::nullopt;
    }

    static void ExpectRefused(const Result<Case>& r, std::string_view rule) {
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
        EXPECT_TRUE(r.error().message.starts_with(rule)) << r.error().message;
    }

    // Two times in March 2027 (CET, UTC+1) and one after the change to summer time in Paris.
    static boost::json::object Proposal() {
        return Json(R"({"slots": [
            {"start": "2027-03-10T10:00:00+01:00", "time_zone": "Europe/Paris", "minutes": 90},
            {"start": "2027-04-07T09:30:00+02:00", "time_zone": "Europe/Paris", "minutes": 60}]})");
    }

    static boost::json::object Record() {
        return Json(R"({"held_at": "2027-04-07T09:31:00+02:00",
            "minutes_sha256": "8b7df143d91c716ecfa5fc1730022f6b421b05cedee8fd52b1fc65a96030ad52",
            "recording_sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "participants": [
                {"name": "Judge R. Marchand", "role": "judge", "party": "requesting"},
                {"name": "B. Witness", "role": "witness", "party": "requested"},
                {"name": "K. Sato", "role": "judge", "party": "requested"}]})");
    }

    std::string out_id_;
    Case in_;
    std::vector<std::unique_ptr<CaseHearings>> hooks_;
};

TEST_P(CaseHearingsTest, AProposalIsAcceptedByTheOtherPartyAndTheRecordIsKeptOnBothSides) {
    ASSERT_TRUE(StepA("propose_hearing", Proposal()));
    auto at_b = HearingAt(b_);
    ASSERT_TRUE(at_b);
    EXPECT_EQ(at_b->state, HearingState::kProposed);
    EXPECT_EQ(at_b->proposal, 1);
    EXPECT_EQ(at_b->proposed_by, "requesting");
    ASSERT_EQ(at_b->slots.size(), 2U);
    EXPECT_EQ(at_b->slots[1].start_ms, *ParseTimestamp("2027-04-07T07:30:00Z"));

    // The proposer cannot accept its own proposal.
    ExpectRefused(
        StepA("accept_hearing", Json(R"({"proposal": 1, "slot": 1})")), "hearing_wrong_state"
    );
    ASSERT_TRUE(StepB(
        "accept_hearing",
        Json(
            R"({"proposal": 1, "slot": 1, "meeting_address": "https://video.justice.example.jp/r/4411"})"
        )
    ));
    for (testing::NodeUnderTest* n : {&a_, &b_}) {
        auto h = HearingAt(*n);
        ASSERT_TRUE(h);
        EXPECT_EQ(h->state, HearingState::kScheduled);
        ASSERT_TRUE(h->agreed);
        EXPECT_EQ(h->agreed->start, "2027-04-07T09:30:00+02:00");
        EXPECT_EQ(h->meeting_address, "https://video.justice.example.jp/r/4411");
    }

    // The hearing took place: its record may not be dated in the future of the node's clock.
    boost::json::object record = Record();
    record["held_at"] = FormatTimestamp(NowMillis() - 60'000);
    ASSERT_TRUE(StepA("record_hearing", record));
    for (testing::NodeUnderTest* n : {&a_, &b_}) {
        auto h = HearingAt(*n);
        ASSERT_TRUE(h);
        EXPECT_EQ(h->state, HearingState::kHeld);
        EXPECT_EQ(h->recorded_by, "requesting");
        EXPECT_EQ(h->minutes_sha256, Record().at("minutes_sha256").as_string());
        EXPECT_EQ(h->recording_sha256, Record().at("recording_sha256").as_string());
        ASSERT_EQ(h->participants.size(), 3U);
        EXPECT_EQ(h->participants[2].name, "K. Sato");
        ASSERT_GE(h->record_leaf, 0);
        // The audit leaf at record_leaf holds both hashes, and the log proves it: the record
        // can be shown unaltered later.
        auto leaf = n->node->LedgerLeaf(static_cast<std::uint64_t>(h->record_leaf));
        ASSERT_TRUE(leaf) << leaf.error().ToString();
        EXPECT_TRUE(n->node->LedgerProof(static_cast<std::uint64_t>(h->record_leaf)));
        auto text = boost::json::parse(std::string(leaf->begin(), leaf->end())).as_object();
        EXPECT_EQ(text.at("event").as_string(), "hearing.recorded");
        EXPECT_EQ(text.at("minutes_sha256").as_string(), h->minutes_sha256);
        EXPECT_EQ(text.at("recording_sha256").as_string(), h->recording_sha256);
    }
    // A held hearing is final: no second record, no new proposal.
    ExpectRefused(StepB("record_hearing", record), "hearing_wrong_state");
    ExpectRefused(StepB("propose_hearing", Proposal()), "hearing_wrong_state");
}

TEST_P(CaseHearingsTest, ACounterProposalReplacesTheOneInForce) {
    ASSERT_TRUE(StepA("propose_hearing", Proposal()));
    ASSERT_TRUE(StepB(
        "propose_hearing",
        Json(
            R"({"slots": [{"start": "2027-03-11T18:00:00+09:00", "time_zone": "Asia/Tokyo", "minutes": 120}]})"
        )
    ));
    auto h = HearingAt(a_);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->proposal, 2);
    EXPECT_EQ(h->proposed_by, "requested");
    // Accepting the replaced proposal is refused; the one in force is accepted.
    ExpectRefused(
        StepA("accept_hearing", Json(R"({"proposal": 1, "slot": 0})")), "hearing_wrong_state"
    );
    ASSERT_TRUE(StepA("accept_hearing", Json(R"({"proposal": 2, "slot": 0})")));
    h = HearingAt(b_);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->state, HearingState::kScheduled);
    EXPECT_EQ(h->agreed->start_ms, *ParseTimestamp("2027-03-11T09:00:00Z"));
}

TEST_P(CaseHearingsTest, BadDetailsAreRefusedAndChangeNothing) {
    const auto before = a_.cases->Read(alice_, out_id_)->record.version;
    for (std::string_view bad : {
             // summer time forgotten: Paris is at +02:00 in July
             R"({"slots": [{"start": "2027-07-01T10:00:00+01:00", "time_zone": "Europe/Paris", "minutes": 60}]})",
             R"({"slots": [{"start": "2027-07-01T10:00:00+02:00", "time_zone": "Europe/Pariss", "minutes": 60}]})",
             R"({"slots": [{"start": "2027-07-01T10:00:00+02:00", "time_zone": "Europe/Paris", "minutes": 2}]})",
             R"({"slots": [{"start": "2020-07-01T10:00:00+02:00", "time_zone": "Europe/Paris", "minutes": 60}]})",
             R"({"slots": [{"start": "tomorrow", "time_zone": "Europe/Paris", "minutes": 60}]})",
             R"({"slots": []})",
             R"({"slots": [{"start": "2027-07-01T10:00:00+02:00", "time_zone": "Europe/Paris", "minutes": 60, "x": 1}]})",
             R"({})",
         }) {
        ExpectRefused(StepA("propose_hearing", Json(bad)), "hearing_details");
    }
    EXPECT_FALSE(HearingAt(a_));
    EXPECT_EQ(a_.cases->Read(alice_, out_id_)->record.version, before);
    // Before any proposal, there is nothing to accept or record.
    ExpectRefused(
        StepB("accept_hearing", Json(R"({"proposal": 1, "slot": 0})")), "hearing_wrong_state"
    );
    ExpectRefused(StepB("record_hearing", Record()), "hearing_wrong_state");

    ASSERT_TRUE(StepA("propose_hearing", Proposal()));
    ASSERT_TRUE(StepB("accept_hearing", Json(R"({"proposal": 1, "slot": 0})")));
    boost::json::object record = Record();
    record["held_at"] = FormatTimestamp(NowMillis() - 60'000);
    const boost::json::object wrong{
        {"minutes_sha256", "8B7DF143D91C716ECFA5FC1730022F6B421B05CEDEE8FD52B1FC65A96030AD52"},
        {"recording_sha256", "abc"},
        {"held_at", FormatTimestamp(NowMillis() + 3'600'000)},
        {"participants", boost::json::array{}},
        {"meeting_address", "http://video.example.jp/r/1"}};
    for (const auto& member : wrong) {
        boost::json::object bad = record;
        bad[member.key()] = member.value();
        ExpectRefused(StepB("record_hearing", bad), "hearing_details");
    }
    auto h = HearingAt(b_);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->state, HearingState::kScheduled);
}

TEST_P(CaseHearingsTest, HearingStepsBelongToVideoHearingCasesOnly) {
    auto [mla_out, mla] = SendToB(testing::ExampleRequest());
    ASSERT_TRUE(b_.cases->Transition(dora_, mla.id, StepInput{"acknowledge", {}, ""}));
    ASSERT_TRUE(b_.cases->Transition(dora_, mla.id, StepInput{"accept", {}, ""}));
    StepInput step{"propose_hearing", {}, ""};
    step.details = Proposal();
    auto r = b_.cases->Transition(dora_, mla.id, step);
    ExpectRefused(r, "hearing_not_a_hearing");
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    CaseHearingsTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
