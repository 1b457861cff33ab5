#include "concord/app/assets.hpp"

#include <algorithm>
#include <array>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "concord/core/id.hpp"
#include "concord/legal/field_types.hpp"

#include "case_context.hpp"
#include "enum_names.hpp"

namespace concord::app {
namespace {

constexpr std::size_t kMaxIdentifierBytes = 200;
constexpr std::size_t kMaxTextBytes = 4000;
constexpr std::size_t kMaxShares = 50;
constexpr std::string_view kAssetColumns =
    "id, case_id, kind, identifier, chain, description, amount, currency, state, "
    "frozen_until_ms, created_ms, updated_ms, updated_by, freeze_deadline";
constexpr std::string_view kOrderColumns =
    "id, asset_id, kind, reference, authority, issued_ms, expires_ms, from_state, to_state, "
    "recorded_ms, recorded_by";
constexpr std::string_view kAgreementColumns =
    "id, case_id, kind, cite, terms, shares, concluded_ms, recorded_ms, recorded_by";

constexpr std::array<AssetKind, 6> kKinds{
    AssetKind::kBankAccount,
    AssetKind::kCryptoWallet,
    AssetKind::kRealEstate,
    AssetKind::kVehicle,
    AssetKind::kCompany,
    AssetKind::kOther};
constexpr std::array<AssetState, 7> kStates{
    AssetState::kIdentified,
    AssetState::kFrozen,
    AssetState::kConfiscated,
    AssetState::kReturned,
    AssetState::kShared,
    AssetState::kDisposed,
    AssetState::kReleased};
constexpr std::array<AssetOrderKind, 7> kOrderKinds{
    AssetOrderKind::kFreeze,
    AssetOrderKind::kSeizure,
    AssetOrderKind::kRelease,
    AssetOrderKind::kConfiscation,
    AssetOrderKind::kReturn,
    AssetOrderKind::kSharing,
    AssetOrderKind::kDisposal};

Error Invalid(std::string why) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(why));
}

// Text a person typed: bounded, plain (legal::CheckPlainText), may be empty if `optional`.
Result<void> CheckText(std::string_view what, std::string_view text, bool optional) {
    if (text.empty() && optional) {
        return {};
    }
    if (text.size() > kMaxTextBytes) {
        return Invalid(fmt::format("{} is longer than {} bytes", what, kMaxTextBytes));
    }
    if (auto problem = legal::CheckPlainText(text, true)) {
        return Invalid(fmt::format("{}: {}", what, *problem));
    }
    return {};
}

Result<void> CheckIdentifier(AssetKind kind, std::string_view identifier, std::string_view chain) {
    if (identifier.empty() || identifier.size() > kMaxIdentifierBytes) {
        return Invalid("the identifier must be 1 to 200 bytes");
    }
    if (kind != AssetKind::kCryptoWallet && !chain.empty()) {
        return Invalid("only a crypto-asset wallet has a chain");
    }
    legal::FieldProblem problem;
    if (kind == AssetKind::kBankAccount) {
        problem = legal::CheckIban(identifier);
    } else if (kind == AssetKind::kCryptoWallet) {
        if (chain == "bitcoin") {
            problem = legal::CheckBitcoinAddress(identifier);
        } else if (chain == "ethereum") {
            problem = legal::CheckEthereumAddress(identifier);
        } else {
            return Invalid("a wallet's chain is bitcoin or ethereum");
        }
    } else {
        problem = legal::CheckPlainText(identifier, false);
    }
    if (problem) {
        return Invalid(
            fmt::format("the identifier is not a valid {}: {}", AssetKindName(kind), *problem)
        );
    }
    return {};
}

// Which states an order applies in, and the state it leads to.
struct Move {
    std::vector<AssetState> from;
    AssetState to;
};

Move MoveOf(AssetOrderKind kind) {
    switch (kind) {
        case AssetOrderKind::kFreeze:
        case AssetOrderKind::kSeizure:
            return {
                {AssetState::kIdentified, AssetState::kReleased, AssetState::kFrozen},
                AssetState::kFrozen};
        case AssetOrderKind::kRelease:
            return {{AssetState::kFrozen}, AssetState::kReleased};
        case AssetOrderKind::kConfiscation:
            return {
                {AssetState::kIdentified, AssetState::kFrozen, AssetState::kReleased},
                AssetState::kConfiscated};
        case AssetOrderKind::kReturn:
            return {{AssetState::kConfiscated}, AssetState::kReturned};
        case AssetOrderKind::kSharing:
            return {{AssetState::kConfiscated}, AssetState::kShared};
        case AssetOrderKind::kDisposal:
            return {{AssetState::kConfiscated}, AssetState::kDisposed};
    }
    return {{}, AssetState::kIdentified};
}

Asset AssetFrom(const store::Row& r) {
    Asset a;
    a.id = r.Text(0);
    a.case_id = r.Text(1);
    a.kind = ParseAssetKind(r.Text(2)).value_or(AssetKind::kOther);
    a.identifier = r.Text(3);
    a.chain = r.Text(4);
    a.description = r.Text(5);
    if (!r.Text(6).empty()) {
        a.value = Money{r.Text(6), r.Text(7)};
    }
    a.state = ParseAssetState(r.Text(8)).value_or(AssetState::kIdentified);
    a.frozen_until_ms = r.Int(9);
    a.created_ms = r.Int(10);
    a.updated_ms = r.Int(11);
    a.updated_by = r.Text(12);
    return a;
}

AssetOrder OrderFrom(const store::Row& r) {
    AssetOrder o;
    o.id = r.Text(0);
    o.asset_id = r.Text(1);
    o.kind = ParseAssetOrderKind(r.Text(2)).value_or(AssetOrderKind::kFreeze);
    o.reference = r.Text(3);
    o.authority = r.Text(4);
    o.issued_ms = r.Int(5);
    o.expires_ms = r.Int(6);
    o.from_state = r.Text(7);
    o.to_state = r.Text(8);
    o.recorded_ms = r.Int(9);
    o.recorded_by = r.Text(10);
    return o;
}

AssetAgreement AgreementFrom(const store::Row& r) {
    AssetAgreement a;
    a.id = r.Text(0);
    a.case_id = r.Text(1);
    a.kind = r.Text(2);
    a.cite = r.Text(3);
    a.terms = r.Text(4);
    boost::system::error_code ec;
    const boost::json::value shares = boost::json::parse(r.Text(5), ec);
    if (!ec && shares.is_object()) {
        for (const auto& [party, percent] : shares.as_object()) {
            if (percent.is_string()) {
                a.shares[std::string(party)] = std::string(percent.as_string());
            }
        }
    }
    a.concluded_ms = r.Int(6);
    a.recorded_ms = r.Int(7);
    a.recorded_by = r.Text(8);
    return a;
}

// Adds one asset to `totals`.
void Count(
    AssetTotals& totals,
    MoneyTotals& sums,
    std::map<std::string, MoneyTotals>& by_state,
    const Asset& a
) {
    const std::string state(AssetStateName(a.state));
    ++totals.counts[state];
    if (a.value) {
        by_state[state].Add(*a.value);
        sums.Add(*a.value);
    }
}

}  // namespace

AssetTotals TotalsOf(const std::vector<Asset>& assets) {
    AssetTotals totals;
    MoneyTotals all;
    std::map<std::string, MoneyTotals> by_state;
    for (const Asset& a : assets) {
        Count(totals, all, by_state, a);
    }
    for (const auto& [state, sums] : by_state) {
        totals.by_state[state] = sums.Sums();
    }
    return totals;
}

namespace {

std::string StateText(AssetState s) {
    return std::string(AssetStateName(s));
}

}  // namespace

std::string_view AssetKindName(AssetKind kind) {
    switch (kind) {
        case AssetKind::kBankAccount:
            return "bank_account";
        case AssetKind::kCryptoWallet:
            return "crypto_wallet";
        case AssetKind::kRealEstate:
            return "real_estate";
        case AssetKind::kVehicle:
            return "vehicle";
        case AssetKind::kCompany:
            return "company";
        case AssetKind::kOther:
            return "other";
    }
    return "other";
}

std::string_view AssetStateName(AssetState state) {
    switch (state) {
        case AssetState::kIdentified:
            return "identified";
        case AssetState::kFrozen:
            return "frozen";
        case AssetState::kConfiscated:
            return "confiscated";
        case AssetState::kReturned:
            return "returned";
        case AssetState::kShared:
            return "shared";
        case AssetState::kDisposed:
            return "disposed";
        case AssetState::kReleased:
            return "released";
    }
    return "identified";
}

std::string_view AssetOrderKindName(AssetOrderKind kind) {
    switch (kind) {
        case AssetOrderKind::kFreeze:
            return "freeze";
        case AssetOrderKind::kSeizure:
            return "seizure";
        case AssetOrderKind::kRelease:
            return "release";
        case AssetOrderKind::kConfiscation:
            return "confiscation";
        case AssetOrderKind::kReturn:
            return "return";
        case AssetOrderKind::kSharing:
            return "sharing";
        case AssetOrderKind::kDisposal:
            return "disposal";
    }
    return "freeze";
}

Result<AssetKind> ParseAssetKind(std::string_view name) {
    return EnumNamed("asset kind", name, kKinds, &AssetKindName);
}

Result<AssetState> ParseAssetState(std::string_view name) {
    return EnumNamed("asset state", name, kStates, &AssetStateName);
}

Result<AssetOrderKind> ParseAssetOrderKind(std::string_view name) {
    return EnumNamed("order kind", name, kOrderKinds, &AssetOrderKindName);
}

std::vector<store::Migration> AssetRegister::Migrations() {
    auto schema = [](std::string_view integer) {
        const std::string i(integer);
        return "CREATE TABLE app_assets (id TEXT PRIMARY KEY, case_id TEXT NOT NULL, kind TEXT "
               "NOT NULL, identifier TEXT NOT NULL, chain TEXT NOT NULL, description TEXT NOT "
               "NULL, amount TEXT NOT NULL, currency TEXT NOT NULL, state TEXT NOT NULL, "
               "frozen_until_ms " +
               i + " NOT NULL, created_ms " + i + " NOT NULL, updated_ms " + i +
               " NOT NULL, updated_by TEXT NOT NULL, freeze_deadline TEXT NOT NULL);"
               "CREATE INDEX app_assets_case ON app_assets (case_id, created_ms);"
               "CREATE TABLE app_asset_orders (id TEXT PRIMARY KEY, asset_id TEXT NOT NULL, "
               "kind TEXT NOT NULL, reference TEXT NOT NULL, authority TEXT NOT NULL, issued_ms " +
               i + " NOT NULL, expires_ms " + i +
               " NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, recorded_ms " + i +
               " NOT NULL, recorded_by TEXT NOT NULL);"
               "CREATE INDEX app_asset_orders_asset ON app_asset_orders (asset_id, recorded_ms);"
               "CREATE TABLE app_asset_agreements (id TEXT PRIMARY KEY, case_id TEXT NOT NULL, "
               "kind TEXT NOT NULL, cite TEXT NOT NULL, terms TEXT NOT NULL, shares TEXT NOT "
               "NULL, concluded_ms " +
               i + " NOT NULL, recorded_ms " + i +
               " NOT NULL, recorded_by TEXT NOT NULL);"
               "CREATE INDEX app_asset_agreements_case ON app_asset_agreements (case_id)";
    };
    return {store::Migration{"app_assets", 1, schema("INTEGER"), schema("BIGINT")}};
}

AssetRegister::AssetRegister(
    store::Store& store,
    Authorize authorize,
    AppendLeaf append_leaf,
    DeadlineEngine* engine,
    std::function<std::int64_t()> now,
    std::int64_t freeze_warning_ms
)
    : store_(store),
      authorize_(std::move(authorize)),
      append_leaf_(std::move(append_leaf)),
      engine_(engine),
      now_(std::move(now)),
      freeze_warning_ms_(freeze_warning_ms) {}

Result<Asset> AssetRegister::Identify(
    const Actor& actor, std::string_view case_id, const AssetInput& input
) {
    CONCORD_RETURN_IF_ERROR(authorize_(actor, Action::kCaseEdit, case_id));
    CONCORD_ASSIGN_OR_RETURN(const AssetKind kind, ParseAssetKind(input.kind));
    CONCORD_RETURN_IF_ERROR(CheckIdentifier(kind, input.identifier, input.chain));
    CONCORD_RETURN_IF_ERROR(CheckText("the description", input.description, true));
    Asset a;
    if (!input.amount.empty() || !input.currency.empty()) {
        CONCORD_ASSIGN_OR_RETURN(a.value, ParseMoney(input.amount, input.currency));
        const bool crypto_unit =
            std::find(std::begin(kCryptoUnits), std::end(kCryptoUnits), a.value->currency) !=
            std::end(kCryptoUnits);
        if (crypto_unit != (kind == AssetKind::kCryptoWallet)) {
            return Invalid("a wallet's value is in BTC or ETH, any other asset's in ISO 4217");
        }
    }
    a.id = NewUuidV7();
    a.case_id = std::string(case_id);
    a.kind = kind;
    // An IBAN is kept in its electronic form (no spaces, upper case), so one account is one
    // identifier however it was typed.
    a.identifier = input.identifier;
    if (kind == AssetKind::kBankAccount) {
        std::erase(a.identifier, ' ');
        std::transform(a.identifier.begin(), a.identifier.end(), a.identifier.begin(), [](char c) {
            return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
        });
    }
    a.chain = input.chain;
    a.description = input.description;
    a.created_ms = a.updated_ms = now_();
    a.updated_by = actor.Label();
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto same,
        tx->Query(
            "SELECT id FROM app_assets WHERE case_id = $1 AND kind = $2 AND identifier = $3 AND "
            "chain = $4",
            {a.case_id, std::string(AssetKindName(a.kind)), a.identifier, a.chain}
        )
    );
    if (!same.empty()) {
        return MakeError(
            ErrorCode::kAlreadyExists,
            "the case already has this asset (" + same[0].Text(0) + "): it is counted once"
        );
    }
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        "INSERT INTO app_assets (" + std::string(kAssetColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10, $11, '')",
        {a.id,
         a.case_id,
         std::string(AssetKindName(a.kind)),
         a.identifier,
         a.chain,
         a.description,
         a.value ? a.value->amount : std::string(),
         a.value ? a.value->currency : std::string(),
         StateText(a.state),
         a.created_ms,
         a.updated_by}
    ));
    boost::json::object leaf{
        {"event", "asset.identified"},
        {"case", a.case_id},
        {"asset", a.id},
        {"kind", AssetKindName(a.kind)},
        {"actor", a.updated_by}};
    CONCORD_ASSIGN_OR_RETURN(auto index, append_leaf_(*tx, leaf));
    (void)index;
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return a;
}

Result<Asset> AssetRegister::Get(
    store::Transaction& tx, std::string_view asset_id, std::string* freeze_deadline
) const {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT " + std::string(kAssetColumns) + " FROM app_assets WHERE id = $1",
            {std::string(asset_id)}
        )
    );
    if (rows.empty()) {
        return MakeError(ErrorCode::kNotFound, "no asset " + std::string(asset_id));
    }
    if (freeze_deadline != nullptr) {
        *freeze_deadline = rows[0].Text(13);
    }
    return AssetFrom(rows[0]);
}

Result<std::pair<Asset, AssetOrder>> AssetRegister::RecordOrder(
    const Actor& actor,
    std::string_view case_id,
    std::string_view asset_id,
    const AssetOrderInput& input
) {
    CONCORD_RETURN_IF_ERROR(authorize_(actor, Action::kCaseEdit, case_id));
    CONCORD_ASSIGN_OR_RETURN(const AssetOrderKind kind, ParseAssetOrderKind(input.kind));
    if (input.reference.empty()) {
        return Invalid("an order needs its reference");
    }
    CONCORD_RETURN_IF_ERROR(CheckText("the reference", input.reference, false));
    CONCORD_RETURN_IF_ERROR(CheckText("the authority", input.authority, true));
    const bool freezes = kind == AssetOrderKind::kFreeze || kind == AssetOrderKind::kSeizure;
    const std::int64_t now = now_();
    if (input.issued_ms <= 0) {
        return Invalid("an order needs the instant it was issued");
    }
    if (input.expires_ms != 0 &&
        (!freezes || input.expires_ms <= input.issued_ms || input.expires_ms <= now)) {
        return Invalid(
            "only a freeze or seizure expires, and its expiry must be after its issue and now"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    std::string deadline_of;
    CONCORD_ASSIGN_OR_RETURN(Asset a, Get(*tx, asset_id, &deadline_of));
    if (a.case_id != case_id) {
        return MakeError(
            ErrorCode::kNotFound, "no asset " + std::string(asset_id) + " in this case"
        );
    }
    const Move move = MoveOf(kind);
    if (std::find(move.from.begin(), move.from.end(), a.state) == move.from.end()) {
        return Invalid(fmt::format(
            "asset_wrong_state: a {} order does not apply to an asset that is {}",
            AssetOrderKindName(kind),
            AssetStateName(a.state)
        ));
    }
    const std::string old_state = StateText(a.state);
    const std::string old_deadline = deadline_of;
    std::string deadline = deadline_of;
    // The freeze in force ends with this order: a renewal, a release or a confiscation. An
    // expiry already past is the engine's to breach (its alert must not be lost to a renewal).
    if (engine_ != nullptr && !deadline.empty()) {
        CONCORD_ASSIGN_OR_RETURN(Deadline d, DeadlineEngine::GetIn(*tx, deadline));
        const bool running = d.state == DeadlineState::kOpen || d.state == DeadlineState::kWarned ||
                             d.state == DeadlineState::kSuspended;
        if (running && d.due_ms > now) {
            CONCORD_ASSIGN_OR_RETURN(auto met, engine_->MetIn(*tx, actor, deadline));
            (void)met;
        }
        deadline.clear();
    }
    AssetOrder o;
    o.id = NewUuidV7();
    o.asset_id = a.id;
    o.kind = kind;
    o.reference = input.reference;
    o.authority = input.authority;
    o.issued_ms = input.issued_ms;
    o.expires_ms = input.expires_ms;
    o.from_state = StateText(a.state);
    o.to_state = StateText(move.to);
    o.recorded_ms = now;
    o.recorded_by = actor.Label();
    a.state = move.to;
    a.frozen_until_ms = freezes ? input.expires_ms : 0;
    a.updated_ms = now;
    a.updated_by = o.recorded_by;
    if (engine_ != nullptr && freezes && input.expires_ms != 0) {
        DeadlineSpec spec;
        spec.case_id = a.case_id;
        spec.kind = std::string(kFreezeExpiryKind);
        spec.starts_ms = now;
        spec.duration_ms = input.expires_ms - now;
        spec.warn_before_ms = std::min(freeze_warning_ms_, spec.duration_ms / 2);
        CONCORD_ASSIGN_OR_RETURN(Deadline started, engine_->StartIn(*tx, actor, spec));
        deadline = started.id;
    }
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        "INSERT INTO app_asset_orders (" + std::string(kOrderColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        {o.id,
         o.asset_id,
         std::string(AssetOrderKindName(o.kind)),
         o.reference,
         o.authority,
         o.issued_ms,
         o.expires_ms,
         o.from_state,
         o.to_state,
         o.recorded_ms,
         o.recorded_by}
    ));
    // Only if nobody moved the asset since it was read (PostgreSQL reads committed rows without
    // a lock): of two orders at once, one is recorded and the other is refused, to be retried.
    CONCORD_ASSIGN_OR_RETURN(
        const std::int64_t updated,
        tx->Execute(
            "UPDATE app_assets SET state = $2, frozen_until_ms = $3, updated_ms = $4, updated_by "
            "= $5, freeze_deadline = $6 WHERE id = $1 AND state = $7 AND freeze_deadline = $8",
            {a.id,
             StateText(a.state),
             a.frozen_until_ms,
             a.updated_ms,
             a.updated_by,
             deadline,
             old_state,
             old_deadline}
        )
    );
    if (updated != 1) {
        return MakeError(
            ErrorCode::kUnavailable, "the asset was changed by another order meanwhile; retry"
        );
    }
    boost::json::object leaf{
        {"event", "asset.order"},
        {"case", a.case_id},
        {"asset", a.id},
        {"order", o.id},
        {"kind", AssetOrderKindName(o.kind)},
        {"from_state", o.from_state},
        {"to_state", o.to_state},
        {"actor", o.recorded_by}};
    CONCORD_ASSIGN_OR_RETURN(auto index, append_leaf_(*tx, leaf));
    (void)index;
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return std::pair{a, o};
}

Result<AssetAgreement> AssetRegister::RecordAgreement(
    const Actor& actor, std::string_view case_id, AssetAgreement agreement
) {
    CONCORD_RETURN_IF_ERROR(authorize_(actor, Action::kCaseEdit, case_id));
    if (agreement.kind != "return" && agreement.kind != "sharing") {
        return Invalid("an agreement is of kind return or sharing");
    }
    CONCORD_RETURN_IF_ERROR(CheckText("the terms", agreement.terms, false));
    if (agreement.cite.size() > 64 ||
        (!agreement.cite.empty() && legal::CheckPlainText(agreement.cite, false))) {
        return Invalid("the citation must be at most 64 bytes of plain text");
    }
    if (agreement.shares.size() > kMaxShares) {
        return Invalid("at most 50 shares");
    }
    // Each share a percent from 0 to 100, exact; together at most 100.
    MoneyTotals sum;
    for (auto& [party, percent] : agreement.shares) {
        if (legal::CheckCountryCode(party)) {
            return Invalid("a share names a party by its two-letter code");
        }
        auto parsed = ParseDecimal(percent, true);
        if (!parsed) {
            return Invalid("a share is a percent: digits with an optional '.' and decimals");
        }
        percent = *parsed;
        sum.Add(Money{percent, "%"});
    }
    const auto sums = sum.Sums();
    if (!sums.empty() && CompareDecimal(sums.begin()->second, "100") > 0) {
        return Invalid("the shares add up to more than 100 percent");
    }
    if (agreement.concluded_ms <= 0) {
        return Invalid("an agreement needs the instant it was concluded");
    }
    agreement.id = NewUuidV7();
    agreement.case_id = std::string(case_id);
    agreement.recorded_ms = now_();
    agreement.recorded_by = actor.Label();
    boost::json::object shares;
    for (const auto& [party, percent] : agreement.shares) {
        shares[party] = percent;
    }
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        "INSERT INTO app_asset_agreements (" + std::string(kAgreementColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        {agreement.id,
         agreement.case_id,
         agreement.kind,
         agreement.cite,
         agreement.terms,
         boost::json::serialize(shares),
         agreement.concluded_ms,
         agreement.recorded_ms,
         agreement.recorded_by}
    ));
    boost::json::object leaf{
        {"event", "asset.agreement"},
        {"case", agreement.case_id},
        {"agreement", agreement.id},
        {"kind", agreement.kind},
        {"actor", agreement.recorded_by}};
    CONCORD_ASSIGN_OR_RETURN(auto index, append_leaf_(*tx, leaf));
    (void)index;
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return agreement;
}

Result<std::vector<Asset>> AssetRegister::AssetsIn(
    store::Transaction& tx, std::string_view case_id
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT " + std::string(kAssetColumns) +
                " FROM app_assets WHERE case_id = $1 ORDER BY created_ms, id",
            {std::string(case_id)}
        )
    );
    std::vector<Asset> out;
    for (const store::Row& r : rows) {
        out.push_back(AssetFrom(r));
    }
    return out;
}

Result<std::vector<AssetOrder>> AssetRegister::OrdersIn(
    store::Transaction& tx, std::string_view case_id
) {
    const std::string columns = detail::Qualified(kOrderColumns, "o");
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT " + columns +
                " FROM app_asset_orders o JOIN app_assets a ON a.id = o.asset_id WHERE "
                "a.case_id = $1 ORDER BY o.recorded_ms, o.id",
            {std::string(case_id)}
        )
    );
    std::vector<AssetOrder> out;
    for (const store::Row& r : rows) {
        out.push_back(OrderFrom(r));
    }
    return out;
}

Result<std::vector<AssetAgreement>> AssetRegister::AgreementsIn(
    store::Transaction& tx, std::string_view case_id
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT " + std::string(kAgreementColumns) +
                " FROM app_asset_agreements WHERE case_id = $1 ORDER BY recorded_ms, id",
            {std::string(case_id)}
        )
    );
    std::vector<AssetAgreement> out;
    for (const store::Row& r : rows) {
        out.push_back(AgreementFrom(r));
    }
    return out;
}

Result<std::vector<Asset>> AssetRegister::ForCase(const Actor& actor, std::string_view case_id) {
    CONCORD_RETURN_IF_ERROR(authorize_(actor, Action::kCaseRead, case_id));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    return AssetsIn(*tx, case_id);
}

Result<std::vector<AssetOrder>> AssetRegister::Orders(
    const Actor& actor, std::string_view case_id
) {
    CONCORD_RETURN_IF_ERROR(authorize_(actor, Action::kCaseRead, case_id));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    return OrdersIn(*tx, case_id);
}

Result<std::vector<AssetAgreement>> AssetRegister::Agreements(
    const Actor& actor, std::string_view case_id
) {
    CONCORD_RETURN_IF_ERROR(authorize_(actor, Action::kCaseRead, case_id));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    return AgreementsIn(*tx, case_id);
}

Result<AssetRecord> AssetRegister::Record(const Actor& actor, std::string_view case_id) {
    CONCORD_RETURN_IF_ERROR(authorize_(actor, Action::kCaseRead, case_id));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    AssetRecord record;
    CONCORD_ASSIGN_OR_RETURN(record.assets, AssetsIn(*tx, case_id));
    CONCORD_ASSIGN_OR_RETURN(record.orders, OrdersIn(*tx, case_id));
    CONCORD_ASSIGN_OR_RETURN(record.agreements, AgreementsIn(*tx, case_id));
    return record;
}

Result<AssetTotals> AssetRegister::CaseTotals(const Actor& actor, std::string_view case_id) {
    CONCORD_ASSIGN_OR_RETURN(auto assets, ForCase(actor, case_id));
    return TotalsOf(assets);
}

Result<AssetTotals> AssetRegister::PairTotals(
    const Actor& actor, std::string_view party_a, std::string_view party_b, std::int64_t threshold
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kStatisticsRead));
    if (legal::CheckCountryCode(party_a) || legal::CheckCountryCode(party_b)) {
        return Invalid("a party is named by its two-letter code");
    }
    if (threshold < 1 || threshold > 1000) {
        return Invalid("the suppression threshold must be between 1 and 1000");
    }
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    const std::string columns = detail::Qualified(kAssetColumns, "a");
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT " + columns +
                " FROM app_assets a JOIN app_cases c ON c.id = a.case_id WHERE "
                "(c.requesting_party = $1 AND c.requested_party = $2) OR (c.requesting_party = "
                "$2 AND c.requested_party = $1)",
            {std::string(party_a), std::string(party_b)}
        )
    );
    std::vector<Asset> assets;
    for (const store::Row& r : rows) {
        assets.push_back(AssetFrom(r));
    }
    AssetTotals totals = TotalsOf(assets);
    for (auto it = totals.counts.begin(); it != totals.counts.end();) {
        if (it->second < threshold) {
            totals.hidden.push_back(it->first);
            totals.by_state.erase(it->first);
            it = totals.counts.erase(it);
        } else {
            ++it;
        }
    }
    return totals;
}

}  // namespace concord::app
