#include "concord/app/technical_assistance.hpp"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "concord/app/assistance_summary.hpp"

#include "app_test_support.hpp"

namespace concord::app {
namespace {

using testing::BackendTest;
using testing::FakeClock;

constexpr std::int64_t kT0 = 1'800'000'000'000;

Actor Person(std::string login, std::vector<Role> roles) {
    Actor a;
    a.kind = Actor::Kind::kUser;
    a.user_id = std::move(login);
    a.display_name = a.user_id;
    a.unit = "central";
    a.roles = std::move(roles);
    return a;
}

AssistancePosting Offer(
    std::string id,
    std::string party,
    std::string topic,
    std::vector<std::string> languages,
    std::string from,
    std::string to,
    std::int64_t created_ms
) {
    AssistancePosting p;
    p.id = std::move(id);
    p.kind = PostingKind::kOffer;
    p.party = std::move(party);
    p.topic = std::move(topic);
    p.languages = std::move(languages);
    p.from = std::move(from);
    p.to = std::move(to);
    p.created_ms = created_ms;
    return p;
}

TEST(AssistanceMatching, RanksOpenOffersOfTheTopicFromOtherPartiesWithReasons) {
    AssistancePosting need;
    need.id = "need";
    need.party = "HU";
    need.topic = "digital_forensics";
    need.languages = {"en", "fr"};
    need.from = "2027-03-01";
    need.to = "2027-03-10";  // 10 days
    std::vector<AssistancePosting> offers{
        Offer("de-half", "DE", "digital_forensics", {"de"}, "2027-03-06", "2027-04-30", 1),
        Offer("fr-full", "FR", "digital_forensics", {"fr"}, "2027-02-01", "2027-03-31", 2),
        Offer("fr-other", "FR", "asset_recovery", {"fr"}, "2027-03-01", "2027-03-10", 3),
        Offer("hu-own", "HU", "digital_forensics", {"en"}, "2027-03-01", "2027-03-10", 4),
        Offer("it-late", "IT", "digital_forensics", {"en"}, "2027-05-01", "2027-05-10", 5),
        Offer("es-tie", "ES", "digital_forensics", {"de"}, "2027-03-06", "2027-04-30", 0),
    };
    offers.push_back(offers[1]);
    offers.back().id = "fr-withdrawn";
    offers.back().status = PostingStatus::kWithdrawn;

    const auto ranked = RankOffers(need, offers);
    ASSERT_EQ(ranked.size(), 4U);
    EXPECT_EQ(ranked[0].offer.id, "fr-full");
    EXPECT_EQ(ranked[0].score, 100);
    EXPECT_EQ(ranked[0].shared_languages, std::vector<std::string>{"fr"});
    EXPECT_EQ(ranked[0].overlap_days, 10);
    EXPECT_EQ(
        ranked[0].reasons,
        (std::vector<std::string>{
            "same topic: digital_forensics",
            "shared languages: fr",
            "the offer covers 10 of the need's 10 days"})
    );
    EXPECT_EQ(ranked[1].offer.id, "it-late");  // language, no overlap: 80
    EXPECT_EQ(ranked[1].score, 80);
    EXPECT_EQ(ranked[1].reasons.back(), "the periods do not overlap");
    // Equal scores (50 + 20 * 5/10): the older offer first.
    EXPECT_EQ(ranked[2].offer.id, "es-tie");
    EXPECT_EQ(ranked[3].offer.id, "de-half");
    EXPECT_EQ(ranked[3].score, 60);
    EXPECT_EQ(ranked[3].reasons[1], "no shared language");
    // The same inputs in another order give the same list.
    std::vector<AssistancePosting> reversed(offers.rbegin(), offers.rend());
    const auto again = RankOffers(need, reversed);
    ASSERT_EQ(again.size(), ranked.size());
    for (std::size_t i = 0; i < again.size(); ++i) {
        EXPECT_EQ(again[i].offer.id, ranked[i].offer.id);
    }
}

TEST(AssistanceMatching, TopicsAreTheClosedList) {
    const auto& topics = AssistanceTopics();
    EXPECT_EQ(topics.size(), 9U);
    EXPECT_EQ(topics.front(), "digital_forensics");
    EXPECT_NE(std::find(topics.begin(), topics.end(), "contact_point_24_7"), topics.end());
}

TEST(AssistanceSummary, CountsOpenNeedsAgainstOffersMatchesAndEvaluationsPerTopic) {
    std::vector<AssistancePosting> postings{
        Offer("o1", "FR", "digital_forensics", {"fr"}, "2027-03-01", "2027-03-02", 1),
        Offer("o2", "DE", "digital_forensics", {"de"}, "2027-03-01", "2027-03-02", 2),
        Offer("o3", "DE", "not_a_topic", {"de"}, "2027-03-01", "2027-03-02", 3),
    };
    postings[1].status = PostingStatus::kMatched;
    AssistancePosting need = postings[0];
    need.id = "n1";
    need.kind = PostingKind::kNeed;
    postings.push_back(need);
    need.id = "n2";
    need.topic = "legislation_drafting";
    postings.push_back(need);
    need.id = "n3";
    need.status = PostingStatus::kMatched;
    postings.push_back(need);
    std::vector<AssistanceEngagement> engagements(3);
    engagements[0].topic = "legislation_drafting";
    engagements[0].state = EngagementState::kEvaluated;
    engagements[0].evaluation_score = 4;
    engagements[1].topic = "legislation_drafting";
    engagements[1].state = EngagementState::kEvaluated;
    engagements[1].evaluation_score = 5;
    engagements[2].topic = "digital_forensics";
    engagements[2].state = EngagementState::kCancelled;

    const AssistanceSummary s = SummarizeAssistance(postings, engagements);
    ASSERT_EQ(s.topics.size(), AssistanceTopics().size());
    const AssistanceTopicFigures& forensics = s.topics[0];
    EXPECT_EQ(forensics.topic, "digital_forensics");
    EXPECT_EQ(forensics.open_needs, 1);
    EXPECT_EQ(forensics.open_offers, 1);  // o2 is matched, o3 of no known topic
    EXPECT_EQ(forensics.engagements, 1);
    EXPECT_EQ(forensics.evaluations, 0);
    const AssistanceTopicFigures& drafting = s.topics[1];
    EXPECT_EQ(drafting.topic, "legislation_drafting");
    EXPECT_EQ(drafting.open_needs, 1);
    EXPECT_EQ(drafting.matched_needs, 1);
    EXPECT_EQ(drafting.evaluations, 2);
    EXPECT_EQ(drafting.score_total, 9);
    EXPECT_EQ(s.engagements_by_state.at("evaluated"), 2);
    EXPECT_EQ(s.engagements_by_state.at("cancelled"), 1);
    EXPECT_EQ(s.engagements_by_state.at("agreed"), 0);
    EXPECT_EQ(s.engagements_by_state.size(), 4U);
}

class TechnicalAssistanceTest : public BackendTest {
protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        store_ = OpenStore("assistance");
        ASSERT_NE(store_, nullptr);
        ASSERT_TRUE(store_->Migrate(TechnicalAssistance::Migrations()));
        // One store, as a secretariat's node holds every party's postings; each party's view
        // is its own instance.
        hu_ = Make("HU", false);
        fr_ = Make("FR", false);
        de_ = Make("DE", false);
        secretariat_ = Make("XS", true);
    }

    std::unique_ptr<TechnicalAssistance> Make(std::string party, bool secretariat) {
        return std::make_unique<TechnicalAssistance>(
            *store_,
            [this](store::Transaction&, const boost::json::object& leaf) -> Result<std::uint64_t> {
                leaves_.push_back(std::string(leaf.at("event").as_string()));
                return leaves_.size();
            },
            std::move(party),
            secretariat,
            clock_.Function()
        );
    }

    AssistancePosting Post(
        TechnicalAssistance& ta,
        PostingKind kind,
        std::string topic = "digital_forensics",
        std::vector<std::string> languages = {"en"}
    ) {
        clock_.Advance(1000);
        auto p = ta.Post(
            officer_,
            kind,
            AssistancePostingInput{
                std::move(topic),
                std::move(languages),
                "2027-03-01",
                "2027-03-31",
                "Two experts",
                ""}
        );
        EXPECT_TRUE(p) << p.error().ToString();
        return p ? *p : AssistancePosting{};
    }

    std::size_t Count(TechnicalAssistance& ta) {
        auto all = ta.List(officer_, std::nullopt, std::nullopt, "");
        EXPECT_TRUE(all) << all.error().ToString();
        return all ? all->size() : 0;
    }

    FakeClock clock_{kT0};
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<TechnicalAssistance> hu_;
    std::unique_ptr<TechnicalAssistance> fr_;
    std::unique_ptr<TechnicalAssistance> de_;
    std::unique_ptr<TechnicalAssistance> secretariat_;
    std::vector<std::string> leaves_;
    const Actor officer_ = Person("olga", {Role::kOfficer});
    const Actor auditor_ = Person("aude", {Role::kAuditor});
};

TEST_P(TechnicalAssistanceTest, PostsANeedWithItsPartyAndAnAuditLeaf) {
    const AssistancePosting need =
        Post(*hu_, PostingKind::kNeed, "legislation_drafting", {"en", "hu"});
    EXPECT_EQ(need.party, "HU");
    EXPECT_EQ(need.status, PostingStatus::kOpen);
    EXPECT_EQ(leaves_, std::vector<std::string>{"assistance.posted"});
    auto read = hu_->Get(officer_, need.id);
    ASSERT_TRUE(read) << read.error().ToString();
    EXPECT_EQ(read->topic, "legislation_drafting");
    EXPECT_EQ(read->languages, (std::vector<std::string>{"en", "hu"}));
    EXPECT_EQ(read->from, "2027-03-01");
    EXPECT_EQ(read->description, "Two experts");
    EXPECT_EQ(read->updated_by, "user:olga");
}

TEST_P(TechnicalAssistanceTest, BadInputIsRefusedAndChangesNothing) {
    const AssistancePostingInput good{
        "digital_forensics", {"en"}, "2027-03-01", "2027-03-31", "x", ""};
    std::vector<std::pair<AssistancePostingInput, std::string>> bad;
    auto with = [&](auto change, std::string expected) {
        AssistancePostingInput in = good;
        change(in);
        bad.emplace_back(in, std::move(expected));
    };
    with([](auto& in) { in.topic = "hacking"; }, "unknown topic 'hacking'");
    with([](auto& in) { in.languages = {}; }, "name 1 to 10 languages");
    with([](auto& in) { in.languages = {"EN"}; }, "not an ISO 639-1");
    with([](auto& in) { in.languages = {"eng"}; }, "not an ISO 639-1");
    with([](auto& in) { in.languages = {"en", "en"}; }, "named twice");
    with([](auto& in) { in.from = "2027-02-30"; }, "two dates");
    with([](auto& in) { in.to = "2027-02-01"; }, "ends before it begins");
    with([](auto& in) { in.description = ""; }, "the description must be 1 to 4000 bytes");
    with([](auto& in) { in.description = std::string(4001, 'a'); }, "1 to 4000 bytes");
    with([](auto& in) { in.description = "a\x01z"; }, "plain text");
    for (const auto& [input, expected] : bad) {
        auto posted = hu_->Post(officer_, PostingKind::kNeed, input);
        ASSERT_FALSE(posted) << expected;
        EXPECT_EQ(posted.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(posted.error().message.find(expected), std::string::npos)
            << posted.error().message;
    }
    EXPECT_EQ(Count(*secretariat_), 0U);
    EXPECT_TRUE(leaves_.empty());
    auto auditor = hu_->Post(auditor_, PostingKind::kNeed, good);
    ASSERT_FALSE(auditor);
    EXPECT_EQ(auditor.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(Count(*secretariat_), 0U);
}

TEST_P(TechnicalAssistanceTest, AnEngagementIsAgreedDeliveredAndEvaluated) {
    const AssistancePosting need =
        Post(*hu_, PostingKind::kNeed, "digital_forensics", {"en", "fr"});
    const AssistancePosting offer = Post(*fr_, PostingKind::kOffer, "digital_forensics", {"fr"});
    const AssistancePosting other = Post(*de_, PostingKind::kOffer, "asset_recovery", {"en"});
    auto candidates = hu_->Match(officer_, need.id);
    ASSERT_TRUE(candidates) << candidates.error().ToString();
    ASSERT_EQ(candidates->size(), 1U);
    EXPECT_EQ((*candidates)[0].offer.id, offer.id);
    EXPECT_EQ((*candidates)[0].score, 100);

    auto mismatch = hu_->Engage(officer_, need.id, other.id);
    ASSERT_FALSE(mismatch);
    EXPECT_EQ(mismatch.error().code, ErrorCode::kInvalidArgument);

    auto engaged = hu_->Engage(officer_, need.id, offer.id);
    ASSERT_TRUE(engaged) << engaged.error().ToString();
    EXPECT_EQ(engaged->state, EngagementState::kAgreed);
    EXPECT_EQ(engaged->beneficiary, "HU");
    EXPECT_EQ(engaged->provider, "FR");
    EXPECT_EQ(hu_->Get(officer_, need.id)->status, PostingStatus::kMatched);
    EXPECT_EQ(fr_->Get(officer_, offer.id)->status, PostingStatus::kMatched);
    auto twice = hu_->Engage(officer_, need.id, offer.id);
    ASSERT_FALSE(twice);
    EXPECT_NE(twice.error().message.find("assistance_wrong_state"), std::string::npos);
    auto withdraw_matched = hu_->Withdraw(officer_, need.id);
    ASSERT_FALSE(withdraw_matched);
    EXPECT_NE(withdraw_matched.error().message.find("assistance_wrong_state"), std::string::npos);

    const std::size_t leaves_before = leaves_.size();
    // Out of order: evaluated before delivered.
    auto early = fr_->Advance(officer_, engaged->id, EngagementStep{"evaluate", 4, "good"});
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(early.error().message.find("assistance_wrong_state"), std::string::npos);
    EXPECT_EQ(hu_->GetEngagement(officer_, engaged->id)->state, EngagementState::kAgreed);
    EXPECT_EQ(leaves_.size(), leaves_before);

    auto delivered = fr_->Advance(officer_, engaged->id, EngagementStep{"deliver", 0, ""});
    ASSERT_TRUE(delivered) << delivered.error().ToString();
    EXPECT_EQ(delivered->state, EngagementState::kDelivered);
    for (std::int64_t score : {0, 6}) {
        auto out_of_range =
            hu_->Advance(officer_, engaged->id, EngagementStep{"evaluate", score, ""});
        ASSERT_FALSE(out_of_range);
        EXPECT_NE(out_of_range.error().message.find("score"), std::string::npos);
    }
    auto evaluated = hu_->Advance(officer_, engaged->id, EngagementStep{"evaluate", 4, "useful"});
    ASSERT_TRUE(evaluated) << evaluated.error().ToString();
    EXPECT_EQ(evaluated->state, EngagementState::kEvaluated);
    EXPECT_EQ(evaluated->evaluation_score, 4);
    EXPECT_EQ(evaluated->evaluation_comment, "useful");
    for (const char* step : {"deliver", "cancel"}) {
        auto after = hu_->Advance(officer_, engaged->id, EngagementStep{step, 0, "late"});
        ASSERT_FALSE(after) << step;
        EXPECT_EQ(after.error().code, ErrorCode::kInvalidArgument);
    }
    auto stored = secretariat_->GetEngagement(officer_, engaged->id);
    ASSERT_TRUE(stored) << stored.error().ToString();
    EXPECT_EQ(stored->state, EngagementState::kEvaluated);
    EXPECT_EQ(stored->evaluation_score, 4);
    EXPECT_EQ(
        leaves_,
        (std::vector<std::string>{
            "assistance.posted",
            "assistance.posted",
            "assistance.posted",
            "assistance.engaged",
            "assistance.delivered",
            "assistance.evaluated"})
    );
}

TEST_P(TechnicalAssistanceTest, ACancelledEngagementOpensItsNeedAndOfferAgain) {
    const AssistancePosting need = Post(*hu_, PostingKind::kNeed);
    const AssistancePosting offer = Post(*fr_, PostingKind::kOffer);
    auto engaged = fr_->Engage(officer_, need.id, offer.id);
    ASSERT_TRUE(engaged) << engaged.error().ToString();
    auto no_reason = hu_->Advance(officer_, engaged->id, EngagementStep{"cancel", 0, ""});
    ASSERT_FALSE(no_reason);
    auto cancelled =
        hu_->Advance(officer_, engaged->id, EngagementStep{"cancel", 0, "the course moved"});
    ASSERT_TRUE(cancelled) << cancelled.error().ToString();
    EXPECT_EQ(cancelled->state, EngagementState::kCancelled);
    EXPECT_EQ(cancelled->cancel_reason, "the course moved");
    EXPECT_EQ(hu_->Get(officer_, need.id)->status, PostingStatus::kOpen);
    EXPECT_EQ(fr_->Get(officer_, offer.id)->status, PostingStatus::kOpen);
    auto unknown = hu_->Advance(officer_, engaged->id, EngagementStep{"reopen", 0, ""});
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("unknown step"), std::string::npos);
    auto withdrawn = hu_->Withdraw(officer_, need.id);
    ASSERT_TRUE(withdrawn) << withdrawn.error().ToString();
    EXPECT_EQ(withdrawn->status, PostingStatus::kWithdrawn);
    EXPECT_TRUE(hu_->Match(officer_, need.id));
    auto engage_withdrawn = fr_->Engage(officer_, need.id, offer.id);
    ASSERT_FALSE(engage_withdrawn);
    EXPECT_NE(engage_withdrawn.error().message.find("assistance_wrong_state"), std::string::npos);
}

TEST_P(TechnicalAssistanceTest, AStateSeesItsOwnAndWhatConcernsItTheSecretariatEverything) {
    const AssistancePosting hu_need = Post(*hu_, PostingKind::kNeed);
    const AssistancePosting fr_offer = Post(*fr_, PostingKind::kOffer);
    const AssistancePosting de_need = Post(*de_, PostingKind::kNeed);
    auto fr_de = de_->Engage(officer_, de_need.id, fr_offer.id);
    ASSERT_TRUE(fr_de) << fr_de.error().ToString();

    EXPECT_EQ(Count(*hu_), 1U);
    EXPECT_EQ(Count(*fr_), 1U);
    EXPECT_EQ(Count(*secretariat_), 3U);
    auto hidden = hu_->Get(officer_, de_need.id);
    ASSERT_FALSE(hidden);
    EXPECT_EQ(hidden.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(hu_->GetEngagement(officer_, fr_de->id).error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(hu_->Engagements(officer_)->empty());
    EXPECT_EQ(fr_->Engagements(officer_)->size(), 1U);
    EXPECT_EQ(de_->Engagements(officer_)->size(), 1U);
    EXPECT_EQ(secretariat_->Engagements(auditor_)->size(), 1U);
    // HU may not move an engagement between FR and DE, nor withdraw DE's need.
    auto move = hu_->Advance(officer_, fr_de->id, EngagementStep{"deliver", 0, ""});
    ASSERT_FALSE(move);
    EXPECT_EQ(move.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(hu_->Withdraw(officer_, de_need.id).error().code, ErrorCode::kNotFound);
    // Only a secretariat posts for another party.
    AssistancePostingInput for_it{"asset_recovery", {"it"}, "2027-03-01", "2027-03-02", "x", "IT"};
    auto not_secretariat = hu_->Post(officer_, PostingKind::kOffer, for_it);
    ASSERT_FALSE(not_secretariat);
    EXPECT_EQ(not_secretariat.error().code, ErrorCode::kPermissionDenied);
    for_it.party = "Italy";
    EXPECT_EQ(
        secretariat_->Post(officer_, PostingKind::kOffer, for_it).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(Count(*secretariat_), 3U);
    auto filtered = secretariat_->List(officer_, PostingKind::kNeed, PostingStatus::kOpen, "");
    ASSERT_TRUE(filtered) << filtered.error().ToString();
    ASSERT_EQ(filtered->size(), 1U);
    EXPECT_EQ((*filtered)[0].id, hu_need.id);
    EXPECT_TRUE(secretariat_->List(officer_, std::nullopt, std::nullopt, "asset_recovery")->empty()
    );
    for_it.party = "IT";
    auto recorded = secretariat_->Post(officer_, PostingKind::kOffer, for_it);
    ASSERT_TRUE(recorded) << recorded.error().ToString();
    EXPECT_EQ(recorded->party, "IT");
    EXPECT_EQ(Count(*hu_), 1U);
    auto withdrawn = secretariat_->Withdraw(officer_, recorded->id);
    ASSERT_TRUE(withdrawn) << withdrawn.error().ToString();
    EXPECT_EQ(withdrawn->status, PostingStatus::kWithdrawn);
    auto offer_as_need = secretariat_->Match(officer_, fr_offer.id);
    ASSERT_FALSE(offer_as_need);
    EXPECT_EQ(offer_as_need.error().code, ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    TechnicalAssistanceTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
