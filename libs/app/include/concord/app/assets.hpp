#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/app/actor.hpp"
#include "concord/app/deadlines.hpp"
#include "concord/app/money.hpp"
#include "concord/app/policy.hpp"
#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// The deadline kind of a freeze's expiry (it outlives the case: CaseDeadlines leaves it).
inline constexpr std::string_view kFreezeExpiryKind = "asset.freeze_expiry";

/// What an asset is (docs/assets.md).
enum class AssetKind : std::uint8_t {
    kBankAccount,   ///< identifier: an IBAN (checked)
    kCryptoWallet,  ///< identifier: an address on `chain` (bitcoin checked; ethereum shape only)
    kRealEstate,    ///< identifier: the land register reference
    kVehicle,       ///< identifier: the VIN or registration
    kCompany,       ///< identifier: the company register number
    kOther,
};

/// Where an asset stands: identified → frozen → confiscated → returned | shared | disposed;
/// a freeze lifted leaves it released (it may be frozen again).
enum class AssetState : std::uint8_t {
    kIdentified,
    kFrozen,
    kConfiscated,
    kReturned,
    kShared,
    kDisposed,
    kReleased,
};

/// The orders recorded against an asset; each moves its state (docs/assets.md "Orders").
enum class AssetOrderKind : std::uint8_t {
    kFreeze,        ///< identified | released | frozen (a renewal) → frozen
    kSeizure,       ///< as a freeze
    kRelease,       ///< frozen → released
    kConfiscation,  ///< identified | frozen → confiscated
    kReturn,        ///< confiscated → returned
    kSharing,       ///< confiscated → shared
    kDisposal,      ///< confiscated → disposed
};

std::string_view AssetKindName(AssetKind kind);
std::string_view AssetStateName(AssetState state);
std::string_view AssetOrderKindName(AssetOrderKind kind);
/// kInvalidArgument naming the allowed values for an unknown name.
Result<AssetKind> ParseAssetKind(std::string_view name);
Result<AssetState> ParseAssetState(std::string_view name);
Result<AssetOrderKind> ParseAssetOrderKind(std::string_view name);

/// An asset of a case.
struct Asset {
    std::string id;
    std::string case_id;
    AssetKind kind{AssetKind::kOther};
    std::string identifier;
    std::string chain;  ///< crypto wallets: "bitcoin" or "ethereum"
    std::string description;
    std::optional<Money> value;  ///< the amount the request or the order states, if any
    AssetState state{AssetState::kIdentified};
    /// While frozen: when the freeze (or seizure) order in force expires; 0: no expiry.
    std::int64_t frozen_until_ms{0};
    std::int64_t created_ms{0};
    std::int64_t updated_ms{0};
    std::string updated_by;  ///< actor label
};

/// What an officer records when an asset is identified.
struct AssetInput {
    std::string kind;
    std::string identifier;
    std::string chain;
    std::string description;
    std::string amount;  ///< with `currency`; both empty: no value stated
    std::string currency;
};

/// An order recorded against an asset.
struct AssetOrder {
    std::string id;
    std::string asset_id;
    AssetOrderKind kind{AssetOrderKind::kFreeze};
    std::string reference;  ///< the order's number at its authority
    std::string authority;
    std::int64_t issued_ms{0};
    std::int64_t expires_ms{0};  ///< freeze and seizure only; 0: no expiry
    std::string from_state;
    std::string to_state;
    std::int64_t recorded_ms{0};
    std::string recorded_by;
};

/// What an officer records of an order.
struct AssetOrderInput {
    std::string kind;
    std::string reference;
    std::string authority;
    std::int64_t issued_ms{0};
    std::int64_t expires_ms{0};
};

/// A return or sharing agreement of a case's assets (e.g. UNCAC 57(5)).
struct AssetAgreement {
    std::string id;
    std::string case_id;
    std::string kind;  ///< "return" or "sharing"
    std::string cite;  ///< the article it rests on, e.g. "uncac:57(5)"; may be empty
    std::string terms;
    std::map<std::string, std::string> shares;  ///< party code → percent (exact decimal)
    std::int64_t concluded_ms{0};
    std::int64_t recorded_ms{0};
    std::string recorded_by;
};

/// Exact totals of assets by state and currency.
struct AssetTotals {
    /// state name → currency → canonical sum.
    std::map<std::string, std::map<std::string, std::string>> by_state;
    /// state name → number of assets (with or without a stated value).
    std::map<std::string, std::int64_t> counts;
    /// States left out because fewer than the suppression threshold of assets are in them
    /// (PairTotals only; their count and sums are absent).
    std::vector<std::string> hidden;
};

/// The totals of `assets` (what CaseTotals computes for a case's).
AssetTotals TotalsOf(const std::vector<Asset>& assets);

/// The asset record of cases (issue "other mechanisms" §2, docs/assets.md): assets identified
/// for a request to trace, freeze, confiscate or return, the orders that move them, return and
/// sharing agreements, and exact totals per case and per party pair.
///
/// Every change is one transaction with its audit leaf (metadata only: case, asset, kind, states,
/// actor; never an identifier or an amount). A freeze or seizure with an expiry starts a deadline
/// `asset.freeze_expiry` in the deadline engine, warned `freeze_warning_ms` before it lapses; the
/// next order on the asset (renewal, release, confiscation) meets it. A lapsed freeze is shown
/// (`frozen_until_ms` in the past) and alerted as a breached deadline; its state stays what the
/// last order made it.
///
/// The permission on the case is decided first, before the input is looked at (a caller who may
/// not touch the case learns nothing of what it would have refused).
///
/// Thread-safety: thread-safe (state is in the store). `authorize` is called outside any
/// transaction of the store.
/// All a case holds in the register, read in one transaction.
struct AssetRecord {
    std::vector<Asset> assets;
    std::vector<AssetOrder> orders;
    std::vector<AssetAgreement> agreements;
};

class AssetRegister {
public:
    /// `authorize(actor, action, case_id)`: the case permission seam (CaseService::Authorize).
    using Authorize = std::function<Result<void>(const Actor&, Action, std::string_view)>;
    using AppendLeaf =
        std::function<Result<std::uint64_t>(store::Transaction&, const boost::json::object&)>;

    /// Tables `app_assets`, `app_asset_orders`, `app_asset_agreements` (component "app_assets").
    static std::vector<store::Migration> Migrations();

    /// `engine` may be null (no expiry is watched). `now` gives milliseconds since the epoch.
    AssetRegister(
        store::Store& store,
        Authorize authorize,
        AppendLeaf append_leaf,
        DeadlineEngine* engine,
        std::function<std::int64_t()> now,
        std::int64_t freeze_warning_ms = 14LL * 86'400'000
    );

    /// Records an asset of `case_id` (kCaseEdit). kInvalidArgument for an unknown kind, an
    /// identifier that is empty, too long or invalid for its kind (an IBAN's check digits, a
    /// bitcoin address's checksum), a chain other than bitcoin/ethereum for a wallet (or one
    /// given for another kind), or a bad amount or currency.
    Result<Asset> Identify(const Actor& actor, std::string_view case_id, const AssetInput& input);
    /// Records an order against asset `asset_id` of case `case_id` (kCaseEdit) and moves its
    /// state. kInvalidArgument "asset_wrong_state: ..." when the order does not apply in the
    /// asset's state; for a missing reference, an expiry on an order that has none, or an expiry
    /// not after both the issue and now. kNotFound for an asset that is not the case's.
    Result<std::pair<Asset, AssetOrder>> RecordOrder(
        const Actor& actor,
        std::string_view case_id,
        std::string_view asset_id,
        const AssetOrderInput& input
    );
    /// Records a return or sharing agreement of `case_id` (kCaseEdit). kInvalidArgument for
    /// another kind, empty terms, a share that is not a party code with a percent from 0 to 100,
    /// or shares adding up to more than 100.
    Result<AssetAgreement> RecordAgreement(
        const Actor& actor, std::string_view case_id, AssetAgreement agreement
    );

    /// The case's assets, oldest first (kCaseRead).
    Result<std::vector<Asset>> ForCase(const Actor& actor, std::string_view case_id);
    /// The orders of the case's assets, oldest first (kCaseRead).
    Result<std::vector<AssetOrder>> Orders(const Actor& actor, std::string_view case_id);
    /// The case's agreements, oldest first (kCaseRead).
    Result<std::vector<AssetAgreement>> Agreements(const Actor& actor, std::string_view case_id);
    /// The case's assets, orders and agreements together: one permission decision, one
    /// transaction, so the three lists agree (kCaseRead).
    Result<AssetRecord> Record(const Actor& actor, std::string_view case_id);
    /// Totals of the case's assets (kCaseRead).
    Result<AssetTotals> CaseTotals(const Actor& actor, std::string_view case_id);
    /// Totals of the assets of every case between two parties, either way round (kStatisticsRead:
    /// figures, no case content). A state with 1 to `threshold` − 1 assets is hidden, its count
    /// and its sums (docs/statistics.md "Suppression"); `threshold` is 1-1000.
    Result<AssetTotals> PairTotals(
        const Actor& actor,
        std::string_view party_a,
        std::string_view party_b,
        std::int64_t threshold
    );

private:
    static Result<std::vector<Asset>> AssetsIn(store::Transaction& tx, std::string_view case_id);
    static Result<std::vector<AssetOrder>> OrdersIn(
        store::Transaction& tx, std::string_view case_id
    );
    static Result<std::vector<AssetAgreement>> AgreementsIn(
        store::Transaction& tx, std::string_view case_id
    );
    Result<Asset> Get(
        store::Transaction& tx, std::string_view asset_id, std::string* freeze_deadline = nullptr
    ) const;

    store::Store& store_;
    Authorize authorize_;
    AppendLeaf append_leaf_;
    DeadlineEngine* engine_;
    std::function<std::int64_t()> now_;
    std::int64_t freeze_warning_ms_;
};

}  // namespace concord::app
