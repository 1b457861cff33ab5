#include "concord/app/assets.hpp"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "concord/app/case_service.hpp"

#include "app_test_support.hpp"
#include "case_test_support.hpp"

namespace concord::app {
namespace {

using testing::BackendTest;
using testing::FakeClock;
using testing::Person;

constexpr std::int64_t kT0 = 1'800'000'000'000;
constexpr std::int64_t kDay = 86'400'000;

class AssetRegisterTest : public BackendTest {
protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        store_ = OpenStore("assets");
        ASSERT_NE(store_, nullptr);
        ASSERT_TRUE(store_->Migrate(CaseService::Migrations()));
        ASSERT_TRUE(store_->Migrate(AssetRegister::Migrations()));
        DeadlineHooks hooks;
        hooks.now = clock_.Function();
        engine_ = std::make_unique<DeadlineEngine>(*store_, hooks);
        register_ = std::make_unique<AssetRegister>(
            *store_,
            [this](const Actor& actor, Action action, std::string_view case_id) -> Result<void> {
                if (actor.user_id == "outsider" || (case_id != case_ && case_id != "case-2")) {
                    return MakeError(ErrorCode::kPermissionDenied, "not this case");
                }
                (void)action;
                return {};
            },
            [this](store::Transaction&, const boost::json::object& leaf) -> Result<std::uint64_t> {
                leaves_.push_back(std::string(leaf.at("event").as_string()));
                return leaves_.size();
            },
            engine_.get(),
            clock_.Function()
        );
        // The case the assets belong to: HU asked FR to freeze and confiscate.
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Execute(
            "INSERT INTO app_cases (id, number, origin_node, origin_id, direction, instrument, "
            "request_type, peer_node, requesting_party, requested_party, state, version, priority, "
            "unit, assignee, drafted_by, approved_by, offence, peer_number, request_message_id, "
            "created_ms, updated_ms, body) VALUES ($1, 'FR-2027-000001', 'hu.central', $1, 'in', "
            "'uncac', 'freezing_seizure', 'hu.central', 'HU', 'FR', 'accepted', 1, 'normal', '', "
            "'', '', '', '', '', '', 1, 1, '{}')",
            {case_}
        ));
        ASSERT_TRUE((*tx)->Commit());
    }

    Asset Identify(AssetInput input) {
        auto a = register_->Identify(officer_, case_, input);
        EXPECT_TRUE(a) << a.error().ToString();
        return a ? *a : Asset{};
    }

    Result<std::pair<Asset, AssetOrder>> Order(
        const Asset& a, const std::string& kind, std::int64_t expires_ms = 0
    ) {
        return register_->RecordOrder(
            officer_,
            case_,
            a.id,
            AssetOrderInput{kind, "ORD-" + kind, "Tribunal judiciaire", kT0 - kDay, expires_ms}
        );
    }

    std::unique_ptr<store::Store> store_;
    FakeClock clock_{kT0};
    std::unique_ptr<DeadlineEngine> engine_;
    std::unique_ptr<AssetRegister> register_;
    std::string case_ = "case-1";
    std::vector<std::string> leaves_;
    Actor officer_ = Person("olivier", "assets", {Role::kOfficer});
};

TEST_P(AssetRegisterTest, AnAssetIsIdentifiedFrozenRenewedConfiscatedAndReturnedWithItsOrders) {
    Asset account = Identify(
        {"bank_account",
         "DE89 3704 0044 0532 0130 00",
         "",
         "Operating account",
         "1250000.50",
         "EUR"}
    );
    EXPECT_EQ(account.state, AssetState::kIdentified);
    EXPECT_EQ(account.value->amount, "1250000.5");

    auto frozen = Order(account, "freeze", kT0 + 30 * kDay);
    ASSERT_TRUE(frozen) << frozen.error().ToString();
    EXPECT_EQ(frozen->first.state, AssetState::kFrozen);
    EXPECT_EQ(frozen->first.frozen_until_ms, kT0 + 30 * kDay);
    auto watched = engine_->ForCase(case_);
    ASSERT_TRUE(watched);
    ASSERT_EQ(watched->size(), 1U);
    EXPECT_EQ((*watched)[0].kind, "asset.freeze_expiry");
    EXPECT_EQ((*watched)[0].due_ms, kT0 + 30 * kDay);
    EXPECT_EQ((*watched)[0].warn_ms, kT0 + 16 * kDay);  // warned 14 days before it lapses

    // An order that does not apply in the asset's state changes nothing.
    auto early = Order(account, "return");
    ASSERT_FALSE(early);
    EXPECT_TRUE(early.error().message.starts_with("asset_wrong_state:")) << early.error().message;

    // A renewal meets the expiry in force and watches the new one.
    clock_.Set(kT0 + 20 * kDay);
    auto renewed = Order(account, "freeze", kT0 + 90 * kDay);
    ASSERT_TRUE(renewed) << renewed.error().ToString();
    watched = engine_->ForCase(case_);
    ASSERT_EQ(watched->size(), 2U);
    EXPECT_EQ((*watched)[0].state, DeadlineState::kMet);
    EXPECT_EQ((*watched)[1].state, DeadlineState::kOpen);
    ASSERT_TRUE(Order(account, "confiscation"));
    EXPECT_EQ(engine_->ForCase(case_)->at(1).state, DeadlineState::kMet);
    auto returned = Order(account, "return");
    ASSERT_TRUE(returned) << returned.error().ToString();
    EXPECT_EQ(returned->first.state, AssetState::kReturned);
    EXPECT_EQ(returned->first.frozen_until_ms, 0);

    auto orders = register_->Orders(officer_, case_);
    ASSERT_TRUE(orders);
    std::vector<std::string> path;
    for (const AssetOrder& o : *orders) {
        path.push_back(o.from_state + ">" + o.to_state);
    }
    EXPECT_EQ(
        path,
        (std::vector<std::string>{
            "identified>frozen", "frozen>frozen", "frozen>confiscated", "confiscated>returned"})
    );
    // The whole record, read at once, holds the same asset and orders.
    auto record = register_->Record(officer_, case_);
    ASSERT_TRUE(record) << record.error().ToString();
    ASSERT_EQ(record->assets.size(), 1U);
    EXPECT_EQ(record->assets[0].state, AssetState::kReturned);
    EXPECT_EQ(record->orders.size(), orders->size());
    EXPECT_TRUE(record->agreements.empty());
    EXPECT_EQ(
        leaves_,
        (std::vector<std::string>{
            "asset.identified", "asset.order", "asset.order", "asset.order", "asset.order"})
    );
}

TEST_P(AssetRegisterTest, AFreezeThatLapsesIsWarnedBeforeAndBreachedAtItsExpiry) {
    Asset wallet = Identify(
        {"crypto_wallet", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "bitcoin", "", "1.5", "BTC"}
    );
    ASSERT_TRUE(Order(wallet, "seizure", kT0 + 10 * kDay));
    clock_.Set(kT0 + 5 * kDay);  // half the period: the warning (min(14 days, half))
    ASSERT_TRUE(engine_->FireDue());
    EXPECT_EQ(engine_->ForCase(case_)->at(0).state, DeadlineState::kWarned);
    clock_.Set(kT0 + 10 * kDay);
    ASSERT_TRUE(engine_->FireDue());
    EXPECT_EQ(engine_->ForCase(case_)->at(0).state, DeadlineState::kBreached);
    // The record keeps the last order's state and the expiry that passed.
    auto assets = register_->ForCase(officer_, case_);
    ASSERT_TRUE(assets);
    EXPECT_EQ(assets->at(0).state, AssetState::kFrozen);
    EXPECT_EQ(assets->at(0).frozen_until_ms, kT0 + 10 * kDay);
}

TEST_P(AssetRegisterTest, ARenewalAfterTheExpiryPassedLeavesTheLapseToBeAlerted) {
    Asset account = Identify({"bank_account", "DE89370400440532013000", "", "", "", ""});
    ASSERT_TRUE(Order(account, "freeze", kT0 + 10 * kDay));
    // The node was down: the expiry passed before the engine fired, then a renewal comes.
    clock_.Set(kT0 + 11 * kDay);
    ASSERT_TRUE(Order(account, "freeze", kT0 + 40 * kDay));
    ASSERT_TRUE(engine_->FireDue());
    auto watched = engine_->ForCase(case_);
    ASSERT_TRUE(watched);
    ASSERT_EQ(watched->size(), 2U);
    EXPECT_EQ((*watched)[0].state, DeadlineState::kBreached);  // the lapse is not hidden
    EXPECT_EQ((*watched)[1].state, DeadlineState::kOpen);
}

TEST_P(AssetRegisterTest, OneAssetIsRecordedOnceWithItsValueInItsOwnKindOfUnit) {
    Identify({"bank_account", "de89 3704 0044 0532 0130 00", "", "", "", ""});
    auto again = register_->Identify(
        officer_, case_, {"bank_account", "DE89370400440532013000", "", "", "", ""}
    );
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(register_->ForCase(officer_, case_)->at(0).identifier, "DE89370400440532013000");
    EXPECT_FALSE(register_->Identify(
        officer_, case_, {"bank_account", "GB82WEST12345698765432", "", "", "1", "BTC"}
    ));
    EXPECT_FALSE(register_->Identify(
        officer_,
        case_,
        {"crypto_wallet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "bitcoin", "", "1", "EUR"}
    ));
}

TEST_P(AssetRegisterTest, TotalsAreExactPerStateAndCurrencyForTheCaseAndThePartyPair) {
    Asset a = Identify({"bank_account", "GB82WEST12345698765432", "", "", "0.1", "EUR"});
    Asset b = Identify({"bank_account", "DE89370400440532013000", "", "", "0.2", "EUR"});
    Identify({"crypto_wallet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "bitcoin", "", "0.5", "BTC"});
    Identify({"real_estate", "Land register Paris 12, lot 4411", "", "Flat", "", ""});
    ASSERT_TRUE(Order(a, "freeze"));
    ASSERT_TRUE(Order(b, "freeze"));
    auto totals = register_->CaseTotals(officer_, case_);
    ASSERT_TRUE(totals);
    EXPECT_EQ(totals->by_state.at("frozen").at("EUR"), "0.3");  // not 0.30000000000000004
    EXPECT_EQ(totals->by_state.at("identified").at("BTC"), "0.5");
    EXPECT_EQ(totals->counts.at("identified"), 2);
    EXPECT_EQ(totals->counts.at("frozen"), 2);

    const Actor statistician = Person("stat", "statistics", {Role::kStatistician});
    auto pair = register_->PairTotals(statistician, "FR", "HU", 1);
    ASSERT_TRUE(pair) << pair.error().ToString();
    EXPECT_EQ(pair->by_state.at("frozen").at("EUR"), "0.3");
    EXPECT_EQ(register_->PairTotals(statistician, "HU", "FR", 1)->counts, pair->counts);
    EXPECT_TRUE(register_->PairTotals(statistician, "FR", "JP", 1)->counts.empty());
    auto officer = register_->PairTotals(officer_, "FR", "HU", 1);
    ASSERT_FALSE(officer);
    EXPECT_EQ(officer.error().code, ErrorCode::kPermissionDenied);
    EXPECT_FALSE(register_->PairTotals(statistician, "France", "HU", 1));
    // Published to statisticians, a state with fewer assets than the threshold is hidden.
    auto two = register_->PairTotals(statistician, "FR", "HU", 2);
    ASSERT_TRUE(two);
    EXPECT_EQ(two->counts.at("frozen"), 2);
    auto three = register_->PairTotals(statistician, "FR", "HU", 3);
    ASSERT_TRUE(three);
    EXPECT_TRUE(three->counts.empty());
    EXPECT_TRUE(three->by_state.empty());
    EXPECT_EQ(three->hidden, (std::vector<std::string>{"frozen", "identified"}));
    EXPECT_FALSE(register_->PairTotals(statistician, "FR", "HU", 0));
}

TEST_P(AssetRegisterTest, SharingAgreementsAddUpToAtMostAHundredPercent) {
    AssetAgreement sharing;
    sharing.kind = "sharing";
    sharing.cite = "uncac:57(5)";
    sharing.terms = "Half to each party after costs.";
    sharing.shares = {{"FR", "50"}, {"HU", "50.000"}};
    sharing.concluded_ms = kT0;
    auto recorded = register_->RecordAgreement(officer_, case_, sharing);
    ASSERT_TRUE(recorded) << recorded.error().ToString();
    EXPECT_EQ(recorded->shares.at("HU"), "50");
    auto listed = register_->Agreements(officer_, case_);
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 1U);
    EXPECT_EQ(listed->at(0).shares, recorded->shares);

    for (auto change : std::vector<std::function<void(AssetAgreement&)>>{
             [](AssetAgreement& g) {
                 g.shares = {{"FR", "60"}, {"HU", "40.000000000000000001"}};
             },
             [](AssetAgreement& g) {
                 g.shares = {{"FR", "-1"}};
             },
             [](AssetAgreement& g) {
                 g.shares = {{"France", "10"}};
             },
             [](AssetAgreement& g) { g.kind = "gift"; },
             [](AssetAgreement& g) { g.terms = ""; },
             [](AssetAgreement& g) { g.concluded_ms = 0; }}) {
        AssetAgreement bad = sharing;
        change(bad);
        auto refused = register_->RecordAgreement(officer_, case_, bad);
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument) << refused.error().message;
    }
    EXPECT_EQ(register_->Agreements(officer_, case_)->size(), 1U);
}

TEST_P(AssetRegisterTest, BadInputAndOutsidersAreRefusedAndChangeNothing) {
    const std::vector<AssetInput> bad = {
        {"bank_account", "DE89370400440532013001", "", "", "", ""},  // check digits
        {"crypto_wallet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "bitcoin", "", "", ""},
        {"crypto_wallet", "D7Y55rkz", "dogecoin", "", "", ""},
        {"bank_account", "DE89370400440532013000", "bitcoin", "", "", ""},
        {"yacht", "NAME", "", "", "", ""},
        {"vehicle", "", "", "", "", ""},
        {"vehicle", "WVW ZZZ 1JZ 3W 386752", "", "", "1,5", "EUR"},
        {"vehicle", "WVW ZZZ 1JZ 3W 386752", "", "", "15", "EURO"},
        {"vehicle", "WVW\u202eZZZ", "", "", "", ""},  // a bidirectional override
    };
    for (const AssetInput& input : bad) {
        auto refused = register_->Identify(officer_, case_, input);
        ASSERT_FALSE(refused) << input.identifier;
        EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument) << input.identifier;
    }
    const Actor outsider = Person("outsider", "other", {Role::kOfficer});
    auto denied =
        register_->Identify(outsider, case_, {"vehicle", "WVWZZZ1JZ3W386752", "", "", "", ""});
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
    EXPECT_TRUE(register_->ForCase(officer_, case_)->empty());
    EXPECT_TRUE(leaves_.empty());

    Asset car = Identify({"vehicle", "WVWZZZ1JZ3W386752", "", "", "", ""});
    auto expiring_confiscation = Order(car, "confiscation", kT0 + kDay);
    EXPECT_FALSE(expiring_confiscation);
    auto past_expiry = Order(car, "freeze", kT0 - 1);
    EXPECT_FALSE(past_expiry);
    auto no_reference = register_->RecordOrder(officer_, case_, car.id, {"freeze", "", "", kT0, 0});
    EXPECT_FALSE(no_reference);
    auto unknown =
        register_->RecordOrder(officer_, case_, "no-such-asset", {"freeze", "R", "", kT0, 0});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(register_->ForCase(officer_, case_)->at(0).state, AssetState::kIdentified);
    EXPECT_TRUE(register_->Orders(officer_, case_)->empty());
    // An asset named under another case the caller may edit is not found there.
    auto elsewhere =
        register_->RecordOrder(officer_, "case-2", car.id, {"freeze", "R", "", kT0, 0});
    ASSERT_FALSE(elsewhere);
    EXPECT_EQ(elsewhere.error().code, ErrorCode::kNotFound);
    // The permission comes first: an outsider's bad input is still a permission refusal.
    auto outsider_bad = register_->Identify(outsider, case_, {"yacht", "", "", "", "", ""});
    ASSERT_FALSE(outsider_bad);
    EXPECT_EQ(outsider_bad.error().code, ErrorCode::kPermissionDenied);
    auto outsider_order = register_->RecordOrder(outsider, case_, car.id, {"x", "", "", 0, 0});
    ASSERT_FALSE(outsider_order);
    EXPECT_EQ(outsider_order.error().code, ErrorCode::kPermissionDenied);
    auto outsider_agreement = register_->RecordAgreement(outsider, case_, AssetAgreement{});
    ASSERT_FALSE(outsider_agreement);
    auto outsider_record = register_->Record(outsider, case_);
    ASSERT_FALSE(outsider_record);
    EXPECT_EQ(outsider_record.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(outsider_agreement.error().code, ErrorCode::kPermissionDenied);
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    AssetRegisterTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
