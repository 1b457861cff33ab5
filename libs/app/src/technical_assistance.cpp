#include "concord/app/technical_assistance.hpp"

#include <algorithm>
#include <array>
#include <set>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "concord/app/policy.hpp"
#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/legal/field_types.hpp"

#include "assistance_tables.hpp"
#include "enum_names.hpp"

namespace concord::app {
namespace {

constexpr std::size_t kMaxDescriptionBytes = 4000;
constexpr std::size_t kMaxCommentBytes = 4000;
constexpr std::size_t kMaxLanguages = 10;
constexpr std::int64_t kTopicPoints = 50;
constexpr std::int64_t kLanguagePoints = 30;
constexpr std::int64_t kPeriodPoints = 20;

constexpr std::string_view kPostingColumns =
    "id, kind, party, topic, languages, from_date, to_date, description, status, created_ms, "
    "updated_ms, updated_by, origin_node";
constexpr std::string_view kEngagementColumns =
    "id, need_id, offer_id, topic, beneficiary, provider, state, evaluation_score, "
    "evaluation_comment, cancel_reason, created_ms, updated_ms, updated_by, revision, awaiting";

constexpr std::array<PostingKind, 2> kKinds{PostingKind::kNeed, PostingKind::kOffer};
constexpr std::array<PostingStatus, 3> kStatuses{
    PostingStatus::kOpen, PostingStatus::kMatched, PostingStatus::kWithdrawn};
constexpr std::array<EngagementState, 4> kStates{
    EngagementState::kAgreed,
    EngagementState::kDelivered,
    EngagementState::kEvaluated,
    EngagementState::kCancelled};

template <class Enum, std::size_t N>
Result<Enum> Named(
    std::string_view what,
    std::string_view name,
    const std::array<Enum, N>& values,
    std::string_view (*name_of)(Enum)
) {
    Result<Enum> named = EnumNamed(what, name, values, name_of, "assistance_input: ");
    if (!named) {
        named.error().reason = "assistance_input";
    }
    return named;
}

// The two refusals of this service: the message begins with the reason, which the error also
// carries typed (docs/assistance.md).
Error Input(std::string_view why) {
    return MakeError(
        ErrorCode::kInvalidArgument, "assistance_input: " + std::string(why), "assistance_input"
    );
}

Error WrongState(std::string_view why, std::string reason = "assistance_wrong_state") {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "assistance_wrong_state: " + std::string(why),
        std::move(reason)
    );
}

Error NotFound(std::string_view what, std::string_view id) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no {} '{}'", what, id));
}

// Days since 1970-01-01 of a date that legal::CheckDate accepted (H. Hinnant's days_from_civil).
std::int64_t DayNumber(std::string_view date) {
    const auto digits = [&](std::size_t at, std::size_t n) {
        std::int64_t v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            v = v * 10 + (date[i] - '0');
        }
        return v;
    };
    std::int64_t y = digits(0, 4);
    const std::int64_t m = digits(5, 2);
    const std::int64_t d = digits(8, 2);
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

Result<void> CheckText(std::string_view what, std::string_view text, std::size_t max) {
    if (text.empty() || text.size() > max) {
        return Input(fmt::format("{} must be 1 to {} bytes", what, max));
    }
    if (auto problem = legal::CheckPlainText(text, true)) {
        return Input(fmt::format("{} must be plain text ({})", what, *problem));
    }
    return {};
}

Result<void> CheckInput(const AssistancePostingInput& in) {
    const auto& topics = AssistanceTopics();
    if (std::find(topics.begin(), topics.end(), in.topic) == topics.end()) {
        std::string allowed;
        for (std::string_view t : topics) {
            allowed += (allowed.empty() ? "" : ", ") + std::string(t);
        }
        return Input(fmt::format("unknown topic '{}'; one of {}", in.topic, allowed));
    }
    if (in.languages.empty() || in.languages.size() > kMaxLanguages) {
        return Input(fmt::format("name 1 to {} languages", kMaxLanguages));
    }
    std::set<std::string> seen;
    for (const std::string& l : in.languages) {
        const bool iso639_1 =
            l.size() == 2 && l[0] >= 'a' && l[0] <= 'z' && l[1] >= 'a' && l[1] <= 'z';
        if (!iso639_1) {
            return Input(
                fmt::format("'{}' is not an ISO 639-1 language code (two lower-case letters)", l)
            );
        }
        if (!seen.insert(l).second) {
            return Input(fmt::format("language '{}' is named twice", l));
        }
    }
    if (legal::CheckDate(in.from) || legal::CheckDate(in.to)) {
        return Input("the period is two dates YYYY-MM-DD ('from' and 'to')");
    }
    if (DayNumber(in.to) < DayNumber(in.from)) {
        return Input("the period ends before it begins");
    }
    return CheckText("the description", in.description, kMaxDescriptionBytes);
}

std::string LanguagesText(const std::vector<std::string>& languages) {
    boost::json::array a;
    for (const std::string& l : languages) {
        a.emplace_back(l);
    }
    return boost::json::serialize(a);
}

std::vector<std::string> LanguagesFrom(const std::string& text) {
    std::vector<std::string> out;
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(text, ec);
    if (!ec && v.is_array()) {
        for (const boost::json::value& l : v.as_array()) {
            if (l.is_string()) {
                out.emplace_back(l.as_string());
            }
        }
    }
    return out;
}

AssistancePosting PostingFrom(const store::Row& r) {
    AssistancePosting p;
    p.id = r.Text("id");
    p.kind = Named("kind", r.Text("kind"), kKinds, PostingKindName).value_or(PostingKind::kNeed);
    p.party = r.Text("party");
    p.topic = r.Text("topic");
    p.languages = LanguagesFrom(r.Text("languages"));
    p.from = r.Text("from_date");
    p.to = r.Text("to_date");
    p.description = r.Text("description");
    p.status = Named("status", r.Text("status"), kStatuses, PostingStatusName)
                   .value_or(PostingStatus::kOpen);
    p.created_ms = r.Int("created_ms");
    p.updated_ms = r.Int("updated_ms");
    p.updated_by = r.Text("updated_by");
    p.origin_node = r.Text("origin_node");
    return p;
}

AssistanceEngagement EngagementFrom(const store::Row& r) {
    AssistanceEngagement e;
    e.id = r.Text("id");
    e.need_id = r.Text("need_id");
    e.offer_id = r.Text("offer_id");
    e.topic = r.Text("topic");
    e.beneficiary = r.Text("beneficiary");
    e.provider = r.Text("provider");
    e.state = Named("state", r.Text("state"), kStates, EngagementStateName)
                  .value_or(EngagementState::kAgreed);
    e.evaluation_score = r.Int("evaluation_score");
    e.evaluation_comment = r.Text("evaluation_comment");
    e.cancel_reason = r.Text("cancel_reason");
    e.created_ms = r.Int("created_ms");
    e.updated_ms = r.Int("updated_ms");
    e.updated_by = r.Text("updated_by");
    e.revision = r.Int("revision");
    e.awaiting = r.Int("awaiting") != 0;
    return e;
}

}  // namespace

namespace detail {

// A concurrent change on PostgreSQL: the row is re-checked by the UPDATE.
Result<void> SetPostingStatus(
    store::Transaction& tx,
    const std::string& id,
    PostingStatus from,
    PostingStatus to,
    std::int64_t at_ms,
    const std::string& by
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto changed,
        tx.Execute(
            "UPDATE app_assistance_postings SET status = $2, updated_ms = $3, updated_by = $4 "
            "WHERE id = $1 AND status = $5",
            {id,
             std::string(PostingStatusName(to)),
             at_ms,
             by,
             std::string(PostingStatusName(from))}
        )
    );
    if (changed != 1) {
        return WrongState(fmt::format("posting {} changed meanwhile", id));
    }
    return {};
}

boost::json::object PostingLeaf(std::string_view event, const AssistancePosting& p) {
    return boost::json::object{
        {"event", event},
        {"posting", p.id},
        {"kind", PostingKindName(p.kind)},
        {"party", p.party},
        {"topic", p.topic}};
}

Result<void> CheckPostingInput(const AssistancePostingInput& in) {
    return CheckInput(in);
}

Result<void> CheckEngagementStep(const EngagementStep& step) {
    if (step.step != "deliver" && step.step != "evaluate" && step.step != "cancel") {
        return Input(fmt::format("unknown step '{}'; one of deliver, evaluate, cancel", step.step));
    }
    if (step.step == "evaluate") {
        if (step.score < 1 || step.score > 5) {
            return Input("an evaluation's score is an integer from 1 to 5");
        }
        if (!step.comment.empty()) {
            CONCORD_RETURN_IF_ERROR(CheckText("the comment", step.comment, kMaxCommentBytes));
        }
    } else if (step.step == "cancel") {
        CONCORD_RETURN_IF_ERROR(CheckText("the reason", step.comment, kMaxCommentBytes));
    } else if (!step.comment.empty() || step.score != 0) {
        return Input("a delivery takes no score and no comment");
    }
    return {};
}

Result<EngagementState> ApplyEngagementStep(AssistanceEngagement& e, const EngagementStep& step) {
    const EngagementState from = e.state;
    if (step.step == "deliver" && from == EngagementState::kAgreed) {
        e.state = EngagementState::kDelivered;
    } else if (step.step == "evaluate" && from == EngagementState::kDelivered) {
        e.state = EngagementState::kEvaluated;
        e.evaluation_score = step.score;
        e.evaluation_comment = step.comment;
    } else if (step.step == "cancel" && (from == EngagementState::kAgreed || from == EngagementState::kDelivered)) {
        e.state = EngagementState::kCancelled;
        e.cancel_reason = step.comment;
    } else {
        return WrongState(fmt::format(
            "engagement {} is {}; '{}' does not apply", e.id, EngagementStateName(from), step.step
        ));
    }
    return from;
}

Result<PostingKind> PostingKindNamed(std::string_view name) {
    return Named("kind", name, kKinds, PostingKindName);
}

Result<EngagementState> EngagementStateNamed(std::string_view name) {
    return Named("state", name, kStates, EngagementStateName);
}

Result<std::optional<AssistancePosting>> FindPosting(store::Transaction& tx, std::string_view id) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT " + std::string(kPostingColumns) +
                " FROM app_assistance_postings WHERE id = $1",
            {std::string(id)}
        )
    );
    if (rows.empty()) {
        return std::optional<AssistancePosting>{};
    }
    return std::optional<AssistancePosting>{PostingFrom(rows[0])};
}

Result<std::optional<AssistanceEngagement>> FindEngagement(
    store::Transaction& tx, std::string_view id
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT " + std::string(kEngagementColumns) +
                " FROM app_assistance_engagements WHERE id = $1",
            {std::string(id)}
        )
    );
    if (rows.empty()) {
        return std::optional<AssistanceEngagement>{};
    }
    return std::optional<AssistanceEngagement>{EngagementFrom(rows[0])};
}

Result<void> InsertPosting(store::Transaction& tx, const AssistancePosting& p) {
    CONCORD_ASSIGN_OR_RETURN(
        auto inserted,
        tx.Execute(
            "INSERT INTO app_assistance_postings (" + std::string(kPostingColumns) +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            {p.id,
             std::string(PostingKindName(p.kind)),
             p.party,
             p.topic,
             LanguagesText(p.languages),
             p.from,
             p.to,
             p.description,
             std::string(PostingStatusName(p.status)),
             p.created_ms,
             p.updated_ms,
             p.updated_by,
             p.origin_node}
        )
    );
    (void)inserted;
    return {};
}

Result<void> InsertEngagement(store::Transaction& tx, const AssistanceEngagement& e) {
    CONCORD_ASSIGN_OR_RETURN(
        auto inserted,
        tx.Execute(
            "INSERT INTO app_assistance_engagements (" + std::string(kEngagementColumns) +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            {e.id,
             e.need_id,
             e.offer_id,
             e.topic,
             e.beneficiary,
             e.provider,
             std::string(EngagementStateName(e.state)),
             e.evaluation_score,
             e.evaluation_comment,
             e.cancel_reason,
             e.created_ms,
             e.updated_ms,
             e.updated_by,
             e.revision,
             std::int64_t{e.awaiting ? 1 : 0}}
        )
    );
    (void)inserted;
    return {};
}

Result<void> UpdateEngagement(
    store::Transaction& tx, const AssistanceEngagement& e, EngagementState from
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto changed,
        tx.Execute(
            "UPDATE app_assistance_engagements SET state = $2, evaluation_score = $3, "
            "evaluation_comment = $4, cancel_reason = $5, updated_ms = $6, updated_by = $7, "
            "revision = $9, awaiting = $10 WHERE id = $1 AND state = $8",
            {e.id,
             std::string(EngagementStateName(e.state)),
             e.evaluation_score,
             e.evaluation_comment,
             e.cancel_reason,
             e.updated_ms,
             e.updated_by,
             std::string(EngagementStateName(from)),
             e.revision,
             std::int64_t{e.awaiting ? 1 : 0}}
        )
    );
    if (changed != 1) {
        return WrongState(fmt::format("engagement {} changed meanwhile", e.id));
    }
    return {};
}

Result<void> FollowEngagement(store::Transaction& tx, const AssistanceEngagement& e) {
    const PostingStatus status =
        e.state == EngagementState::kCancelled ? PostingStatus::kOpen : PostingStatus::kMatched;
    for (const std::string& id : {e.need_id, e.offer_id}) {
        CONCORD_ASSIGN_OR_RETURN(
            auto changed,
            tx.Execute(
                "UPDATE app_assistance_postings SET status = $2, updated_ms = $3, updated_by = $4 "
                "WHERE id = $1 AND status <> 'withdrawn' AND status <> $2",
                {id, std::string(PostingStatusName(status)), e.updated_ms, e.updated_by}
            )
        );
        (void)changed;
    }
    return {};
}

boost::json::object StepLeaf(const AssistanceEngagement& e, EngagementState from) {
    boost::json::object leaf{
        {"event", "assistance." + std::string(EngagementStateName(e.state))},
        {"engagement", e.id},
        {"from_state", EngagementStateName(from)},
        {"to_state", EngagementStateName(e.state)},
        {"beneficiary", e.beneficiary},
        {"provider", e.provider},
        {"topic", e.topic}};
    if (e.state == EngagementState::kEvaluated) {
        leaf["score"] = e.evaluation_score;
    }
    return leaf;
}

}  // namespace detail

const std::vector<std::string_view>& AssistanceTopics() {
    static const std::vector<std::string_view> kTopics{
        "digital_forensics",
        "legislation_drafting",
        "contact_point_24_7",
        "cybercrime_investigation",
        "electronic_evidence",
        "international_cooperation",
        "prosecution_and_adjudication",
        "asset_recovery",
        "capacity_building_other"};
    return kTopics;
}

std::string_view PostingKindName(PostingKind kind) {
    return kind == PostingKind::kOffer ? "offer" : "need";
}

std::string_view PostingStatusName(PostingStatus status) {
    switch (status) {
        case PostingStatus::kOpen:
            return "open";
        case PostingStatus::kMatched:
            return "matched";
        case PostingStatus::kWithdrawn:
            return "withdrawn";
    }
    return "open";
}

std::string_view EngagementStateName(EngagementState state) {
    switch (state) {
        case EngagementState::kAgreed:
            return "agreed";
        case EngagementState::kDelivered:
            return "delivered";
        case EngagementState::kEvaluated:
            return "evaluated";
        case EngagementState::kCancelled:
            return "cancelled";
    }
    return "agreed";
}

Result<PostingKind> ParsePostingKind(std::string_view name) {
    return Named("kind", name, kKinds, PostingKindName);
}

Result<PostingStatus> ParsePostingStatus(std::string_view name) {
    return Named("status", name, kStatuses, PostingStatusName);
}

std::vector<AssistanceCandidate> RankOffers(
    const AssistancePosting& need, const std::vector<AssistancePosting>& offers
) {
    std::vector<AssistanceCandidate> out;
    const std::int64_t need_from = DayNumber(need.from);
    const std::int64_t need_to = DayNumber(need.to);
    const std::int64_t need_days = need_to - need_from + 1;
    for (const AssistancePosting& offer : offers) {
        if (offer.kind != PostingKind::kOffer || offer.status != PostingStatus::kOpen ||
            offer.topic != need.topic || offer.party == need.party) {
            continue;
        }
        AssistanceCandidate c;
        c.offer = offer;
        c.score = kTopicPoints;
        c.reasons.push_back("same topic: " + need.topic);
        for (const std::string& l : need.languages) {
            if (std::find(offer.languages.begin(), offer.languages.end(), l) !=
                offer.languages.end()) {
                c.shared_languages.push_back(l);
            }
        }
        if (c.shared_languages.empty()) {
            c.reasons.emplace_back("no shared language");
        } else {
            c.score += kLanguagePoints;
            std::string list;
            for (const std::string& l : c.shared_languages) {
                list += (list.empty() ? "" : ", ") + l;
            }
            c.reasons.push_back("shared languages: " + list);
        }
        const std::int64_t from = std::max(need_from, DayNumber(offer.from));
        const std::int64_t to = std::min(need_to, DayNumber(offer.to));
        c.overlap_days = to >= from ? to - from + 1 : 0;
        if (c.overlap_days == 0) {
            c.reasons.emplace_back("the periods do not overlap");
        } else {
            c.score += kPeriodPoints * c.overlap_days / need_days;
            c.reasons.push_back(
                fmt::format("the offer covers {} of the need's {} days", c.overlap_days, need_days)
            );
        }
        out.push_back(std::move(c));
    }
    std::sort(
        out.begin(),
        out.end(),
        [](const AssistanceCandidate& a, const AssistanceCandidate& b) {
            if (a.score != b.score) {
                return a.score > b.score;
            }
            if (a.offer.created_ms != b.offer.created_ms) {
                return a.offer.created_ms < b.offer.created_ms;
            }
            return a.offer.id < b.offer.id;
        }
    );
    return out;
}

std::vector<store::Migration> TechnicalAssistance::Migrations() {
    auto schema = [](std::string_view integer) {
        const std::string i(integer);
        return "CREATE TABLE app_assistance_postings (id TEXT PRIMARY KEY, kind TEXT NOT NULL, "
               "party TEXT NOT NULL, topic TEXT NOT NULL, languages TEXT NOT NULL, from_date TEXT "
               "NOT NULL, to_date TEXT NOT NULL, description TEXT NOT NULL, status TEXT NOT NULL, "
               "created_ms " +
               i + " NOT NULL, updated_ms " + i +
               " NOT NULL, updated_by TEXT NOT NULL);"
               "CREATE INDEX app_assistance_postings_party ON app_assistance_postings (party, "
               "created_ms);"
               "CREATE TABLE app_assistance_engagements (id TEXT PRIMARY KEY, need_id TEXT NOT "
               "NULL, offer_id TEXT NOT NULL, topic TEXT NOT NULL, beneficiary TEXT NOT NULL, "
               "provider TEXT NOT NULL, state TEXT NOT NULL, evaluation_score " +
               i +
               " NOT NULL, evaluation_comment TEXT NOT NULL, cancel_reason TEXT NOT NULL, "
               "created_ms " +
               i + " NOT NULL, updated_ms " + i + " NOT NULL, updated_by TEXT NOT NULL)";
    };
    // Version 2: what crossed the federation (docs/assistance.md "Between nodes").
    auto federated = [](std::string_view integer) {
        return "ALTER TABLE app_assistance_postings ADD COLUMN origin_node TEXT NOT NULL DEFAULT "
               "'';"
               "ALTER TABLE app_assistance_engagements ADD COLUMN revision " +
               std::string(integer) +
               " NOT NULL DEFAULT 0;"
               "ALTER TABLE app_assistance_engagements ADD COLUMN awaiting " +
               std::string(integer) + " NOT NULL DEFAULT 0";
    };
    return {
        store::Migration{"app_assistance", 1, schema("INTEGER"), schema("BIGINT")},
        store::Migration{"app_assistance", 2, federated("INTEGER"), federated("BIGINT")}};
}

TechnicalAssistance::TechnicalAssistance(
    store::Store& store,
    AppendLeaf append_leaf,
    std::string party,
    bool secretariat,
    std::function<std::int64_t()> now
)
    : store_(store),
      append_leaf_(std::move(append_leaf)),
      party_(std::move(party)),
      secretariat_(secretariat),
      now_(std::move(now)) {}

// A State's node also sees the other party's posting of an engagement its party is in, which
// the secretariat's node sent with the engagement.
bool TechnicalAssistance::Sees(const AssistancePosting& p) const {
    return secretariat_ || p.party == party_ || !p.origin_node.empty();
}

bool TechnicalAssistance::Sees(const AssistanceEngagement& e) const {
    return secretariat_ || e.beneficiary == party_ || e.provider == party_;
}

Result<AssistancePosting> TechnicalAssistance::PostingIn(
    store::Transaction& tx, std::string_view id
) const {
    CONCORD_ASSIGN_OR_RETURN(auto found, detail::FindPosting(tx, id));
    if (!found) {
        return NotFound("posting", id);
    }
    return std::move(*found);
}

Result<AssistanceEngagement> TechnicalAssistance::EngagementIn(
    store::Transaction& tx, std::string_view id
) const {
    CONCORD_ASSIGN_OR_RETURN(auto found, detail::FindEngagement(tx, id));
    if (!found || !Sees(*found)) {
        return NotFound("engagement", id);
    }
    return std::move(*found);
}

Result<AssistancePosting> TechnicalAssistance::Post(
    const Actor& actor, PostingKind kind, const AssistancePostingInput& input
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kAssistanceManage));
    if (!input.party.empty() && input.party != party_) {
        if (!secretariat_) {
            return MakeError(
                ErrorCode::kPermissionDenied,
                fmt::format("this node posts for {} only; not for {}", party_, input.party)
            );
        }
        if (legal::CheckCountryCode(input.party)) {
            return Input("the party is an ISO 3166-1 alpha-2 code (two upper-case letters)");
        }
    }
    CONCORD_RETURN_IF_ERROR(CheckInput(input));
    AssistancePosting p;
    p.created_ms = now_();
    p.id = NewUuidV7At(p.created_ms);
    p.kind = kind;
    p.party = input.party.empty() ? party_ : input.party;
    p.topic = input.topic;
    p.languages = input.languages;
    p.from = input.from;
    p.to = input.to;
    p.description = input.description;
    p.updated_ms = p.created_ms;
    p.updated_by = actor.Label();
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_RETURN_IF_ERROR(detail::InsertPosting(*tx, p));
    boost::json::object leaf = detail::PostingLeaf("assistance.posted", p);
    NameActor(leaf, actor);
    CONCORD_ASSIGN_OR_RETURN(auto index, append_leaf_(*tx, leaf));
    (void)index;
    Pending pending;
    CONCORD_RETURN_IF_ERROR(SendPosting(*tx, p, false, pending));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    Flush(pending);
    return p;
}

Result<AssistancePosting> TechnicalAssistance::Withdraw(const Actor& actor, std::string_view id) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kAssistanceManage));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(AssistancePosting p, PostingIn(*tx, id));
    // The posting party withdraws, or the secretariat that records for it.
    if (!secretariat_ && p.party != party_) {
        return NotFound("posting", id);
    }
    if (secretariat_ && !p.origin_node.empty()) {
        return WrongState(
            fmt::format("posting {} came from node {}; that node withdraws it", p.id, p.origin_node)
        );
    }
    if (p.status != PostingStatus::kOpen) {
        return WrongState(fmt::format(
            "posting {} is {}; only an open posting is withdrawn", p.id, PostingStatusName(p.status)
        ));
    }
    p.status = PostingStatus::kWithdrawn;
    p.updated_ms = now_();
    p.updated_by = actor.Label();
    CONCORD_RETURN_IF_ERROR(detail::SetPostingStatus(
        *tx, p.id, PostingStatus::kOpen, p.status, p.updated_ms, p.updated_by
    ));
    boost::json::object leaf = detail::PostingLeaf("assistance.withdrawn", p);
    NameActor(leaf, actor);
    CONCORD_ASSIGN_OR_RETURN(auto index, append_leaf_(*tx, leaf));
    (void)index;
    Pending pending;
    CONCORD_RETURN_IF_ERROR(SendPosting(*tx, p, true, pending));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    Flush(pending);
    return p;
}

Result<AssistancePosting> TechnicalAssistance::Get(const Actor& actor, std::string_view id) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kAssistanceRead));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(AssistancePosting p, PostingIn(*tx, id));
    if (!Sees(p)) {
        return NotFound("posting", id);
    }
    return p;
}

Result<std::vector<AssistancePosting>> TechnicalAssistance::List(
    const Actor& actor,
    std::optional<PostingKind> kind,
    std::optional<PostingStatus> status,
    std::string_view topic
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kAssistanceRead));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT " + std::string(kPostingColumns) +
            " FROM app_assistance_postings ORDER BY created_ms, id"
        )
    );
    std::vector<AssistancePosting> out;
    for (const store::Row& r : rows) {
        AssistancePosting p = PostingFrom(r);
        if (Sees(p) && (!kind || p.kind == *kind) && (!status || p.status == *status) &&
            (topic.empty() || p.topic == topic)) {
            out.push_back(std::move(p));
        }
    }
    return out;
}

Result<std::vector<AssistanceCandidate>> TechnicalAssistance::Match(
    const Actor& actor, std::string_view need_id
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kAssistanceRead));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(AssistancePosting need, PostingIn(*tx, need_id));
    if (!Sees(need)) {
        return NotFound("posting", need_id);
    }
    if (need.kind != PostingKind::kNeed) {
        return Input(fmt::format("posting {} is an offer; offers are matched to a need", need.id));
    }
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT " + std::string(kPostingColumns) +
                " FROM app_assistance_postings WHERE kind = 'offer' AND status = 'open' AND "
                "topic = $1 ORDER BY created_ms, id",
            {need.topic}
        )
    );
    std::vector<AssistancePosting> offers;
    for (const store::Row& r : rows) {
        offers.push_back(PostingFrom(r));
    }
    return RankOffers(need, offers);
}

Result<AssistanceEngagement> TechnicalAssistance::Engage(
    const Actor& actor, std::string_view need_id, std::string_view offer_id
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kAssistanceManage));
    if (!secretariat_ && !secretariat_node_.empty()) {
        return MakeError(
            ErrorCode::kPermissionDenied,
            fmt::format(
                "this node's engagements are made by the secretariat's node {}", secretariat_node_
            )
        );
    }
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(AssistancePosting need, PostingIn(*tx, need_id));
    CONCORD_ASSIGN_OR_RETURN(AssistancePosting offer, PostingIn(*tx, offer_id));
    // A State engages for itself: the need or the offer must be its party's.
    if (!secretariat_ && need.party != party_ && offer.party != party_) {
        return NotFound("posting", need.party != party_ ? need_id : offer_id);
    }
    if (need.kind != PostingKind::kNeed || offer.kind != PostingKind::kOffer) {
        return Input("an engagement links a need and an offer, in that order");
    }
    if (need.status != PostingStatus::kOpen || offer.status != PostingStatus::kOpen) {
        return WrongState(fmt::format(
            "need {} is {} and offer {} is {}; both must be open",
            need.id,
            PostingStatusName(need.status),
            offer.id,
            PostingStatusName(offer.status)
        ));
    }
    if (need.topic != offer.topic) {
        return Input(fmt::format("the need is on {}, the offer on {}", need.topic, offer.topic));
    }
    if (need.party == offer.party) {
        return Input("a party does not assist itself");
    }
    AssistanceEngagement e;
    e.created_ms = now_();
    e.id = NewUuidV7At(e.created_ms);
    e.need_id = need.id;
    e.offer_id = offer.id;
    e.topic = need.topic;
    e.beneficiary = need.party;
    e.provider = offer.party;
    e.updated_ms = e.created_ms;
    e.updated_by = actor.Label();
    e.revision = secretariat_ ? 1 : 0;
    CONCORD_RETURN_IF_ERROR(detail::InsertEngagement(*tx, e));
    CONCORD_RETURN_IF_ERROR(detail::SetPostingStatus(
        *tx, need.id, PostingStatus::kOpen, PostingStatus::kMatched, e.created_ms, e.updated_by
    ));
    CONCORD_RETURN_IF_ERROR(detail::SetPostingStatus(
        *tx, offer.id, PostingStatus::kOpen, PostingStatus::kMatched, e.created_ms, e.updated_by
    ));
    boost::json::object leaf{
        {"event", "assistance.engaged"},
        {"engagement", e.id},
        {"need", e.need_id},
        {"offer", e.offer_id},
        {"beneficiary", e.beneficiary},
        {"provider", e.provider},
        {"topic", e.topic}};
    NameActor(leaf, actor);
    CONCORD_ASSIGN_OR_RETURN(auto index, append_leaf_(*tx, leaf));
    (void)index;
    Pending pending;
    CONCORD_RETURN_IF_ERROR(SendEngagement(*tx, e, pending));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    Flush(pending);
    return e;
}

Result<AssistanceEngagement> TechnicalAssistance::Advance(
    const Actor& actor, std::string_view engagement_id, const EngagementStep& step
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kAssistanceManage));
    CONCORD_RETURN_IF_ERROR(detail::CheckEngagementStep(step));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(AssistanceEngagement e, EngagementIn(*tx, engagement_id));
    const bool via_secretariat = !secretariat_ && !secretariat_node_.empty() && e.revision > 0;
    if (via_secretariat && e.awaiting) {
        return WrongState(
            fmt::format(
                "engagement {} waits for the secretariat's node {} to take its last step",
                e.id,
                secretariat_node_
            ),
            "awaiting_secretariat"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(const EngagementState from, detail::ApplyEngagementStep(e, step));
    e.awaiting = via_secretariat;
    e.updated_ms = now_();
    e.updated_by = actor.Label();
    // The secretariat counts its changes; a State's node keeps the revision it was sent (its
    // step goes to the secretariat, whose answer is the next revision).
    if (secretariat_) {
        ++e.revision;
    }
    CONCORD_RETURN_IF_ERROR(detail::UpdateEngagement(*tx, e, from));
    CONCORD_RETURN_IF_ERROR(detail::FollowEngagement(*tx, e));
    boost::json::object leaf = detail::StepLeaf(e, from);
    NameActor(leaf, actor);
    CONCORD_ASSIGN_OR_RETURN(auto index, append_leaf_(*tx, leaf));
    (void)index;
    Pending pending;
    if (secretariat_) {
        CONCORD_RETURN_IF_ERROR(SendEngagement(*tx, e, pending));
    } else {
        CONCORD_RETURN_IF_ERROR(SendStep(*tx, e, step, pending));
    }
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    Flush(pending);
    return e;
}

Result<std::vector<AssistanceEngagement>> TechnicalAssistance::Engagements(const Actor& actor) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kAssistanceRead));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT " + std::string(kEngagementColumns) +
            " FROM app_assistance_engagements ORDER BY created_ms, id"
        )
    );
    std::vector<AssistanceEngagement> out;
    for (const store::Row& r : rows) {
        AssistanceEngagement e = EngagementFrom(r);
        if (Sees(e)) {
            out.push_back(std::move(e));
        }
    }
    return out;
}

Result<AssistanceEngagement> TechnicalAssistance::GetEngagement(
    const Actor& actor, std::string_view id
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kAssistanceRead));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    return EngagementIn(*tx, id);
}

boost::json::object PostingJson(const AssistancePosting& p) {
    boost::json::array languages;
    for (const std::string& l : p.languages) {
        languages.emplace_back(l);
    }
    return {
        {"id", p.id},
        {"kind", PostingKindName(p.kind)},
        {"party", p.party},
        {"topic", p.topic},
        {"languages", std::move(languages)},
        {"from", p.from},
        {"to", p.to},
        {"description", p.description},
        {"status", PostingStatusName(p.status)},
        {"created", FormatTimestamp(p.created_ms)},
        {"updated", FormatTimestamp(p.updated_ms)},
        {"updated_by", p.updated_by},
        {"node", p.origin_node}};
}

boost::json::object CandidateJson(const AssistanceCandidate& c) {
    boost::json::array shared;
    for (const std::string& l : c.shared_languages) {
        shared.emplace_back(l);
    }
    boost::json::array reasons;
    for (const std::string& r : c.reasons) {
        reasons.emplace_back(r);
    }
    return {
        {"offer", PostingJson(c.offer)},
        {"score", c.score},
        {"shared_languages", std::move(shared)},
        {"overlap_days", c.overlap_days},
        {"reasons", std::move(reasons)}};
}

boost::json::object EngagementJson(const AssistanceEngagement& e) {
    boost::json::object o{
        {"id", e.id},
        {"need", e.need_id},
        {"offer", e.offer_id},
        {"topic", e.topic},
        {"beneficiary", e.beneficiary},
        {"provider", e.provider},
        {"state", EngagementStateName(e.state)},
        {"cancel_reason", e.cancel_reason},
        {"created", FormatTimestamp(e.created_ms)},
        {"updated", FormatTimestamp(e.updated_ms)},
        {"updated_by", e.updated_by},
        {"revision", e.revision},
        {"awaiting", e.awaiting}};
    o["evaluation"] = e.state == EngagementState::kEvaluated
                          ? boost::json::value(boost::json::object{
                                {"score", e.evaluation_score}, {"comment", e.evaluation_comment}})
                          : boost::json::value(nullptr);
    return o;
}

}  // namespace concord::app
